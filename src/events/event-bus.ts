import { Global, Injectable, Module } from '@nestjs/common';

/**
 * In-process event bus. Producers publish domain events (LinkedAccount.linked,
 * LinkedAccount.relink_needed, ...); the outgoing webhook delivery to organizations subscribes
 * here (a later issue). Handlers run after the publisher's work, never inside it: a failing
 * handler cannot break a refresh or a link.
 */

export type SwitchboardEventName = 'LinkedAccount.linked' | 'LinkedAccount.relink_needed' | 'LinkedAccount.deleted' | (string & {});

export interface SwitchboardEvent<T = Record<string, unknown>> {
  event: SwitchboardEventName;
  organizationId: string;
  linkedAccountId?: string;
  occurredAt: string;
  data: T;
}

export type EventHandler = (event: SwitchboardEvent) => void | Promise<void>;

@Injectable()
export class EventBus {
  private readonly handlers = new Set<{ name: string | '*'; fn: EventHandler }>();
  /** Errors thrown by handlers (kept for diagnostics; a handler failure never reaches the publisher). */
  readonly handlerErrors: unknown[] = [];

  /** Subscribes to one event name or '*'; returns the unsubscribe function. */
  subscribe(name: SwitchboardEventName | '*', fn: EventHandler): () => void {
    const entry = { name, fn };
    this.handlers.add(entry);
    return () => this.handlers.delete(entry);
  }

  publish<T extends Record<string, unknown>>(event: Omit<SwitchboardEvent<T>, 'occurredAt'> & { occurredAt?: string }): void {
    const full: SwitchboardEvent = { ...event, occurredAt: event.occurredAt ?? new Date().toISOString() };
    for (const h of [...this.handlers]) {
      if (h.name !== '*' && h.name !== full.event) continue;
      queueMicrotask(() => {
        try {
          const r = h.fn(full);
          if (r && typeof (r as Promise<void>).catch === 'function') (r as Promise<void>).catch((e) => this.recordError(e));
        } catch (e) {
          this.recordError(e);
        }
      });
    }
  }

  private recordError(e: unknown): void {
    if (this.handlerErrors.length > 100) this.handlerErrors.shift();
    this.handlerErrors.push(e);
  }
}

@Global()
@Module({ providers: [EventBus], exports: [EventBus] })
export class EventsModule {}
