import { describe, expect, it } from 'vitest';
import { EventBus, type SwitchboardEvent } from './event-bus';

describe('EventBus', () => {
  it('delivers to matching and wildcard subscribers after the publisher returns; handler errors stay inside', async () => {
    const bus = new EventBus();
    const got: string[] = [];
    bus.subscribe('LinkedAccount.relink_needed', (e: SwitchboardEvent) => {
      got.push(`a:${e.linkedAccountId}`);
    });
    bus.subscribe('*', (e) => {
      got.push(`all:${e.event}`);
    });
    const off = bus.subscribe('LinkedAccount.linked', () => {
      throw new Error('boom');
    });
    bus.publish({ event: 'LinkedAccount.relink_needed', organizationId: 'o', linkedAccountId: 'x', data: {} });
    bus.publish({ event: 'LinkedAccount.linked', organizationId: 'o', linkedAccountId: 'y', data: {} });
    expect(got).toEqual([]);
    await new Promise((r) => setTimeout(r, 0));
    expect(got).toEqual(['a:x', 'all:LinkedAccount.relink_needed', 'all:LinkedAccount.linked']);
    expect(bus.handlerErrors).toHaveLength(1);
    off();
    bus.publish({ event: 'LinkedAccount.linked', organizationId: 'o', data: {} });
    await new Promise((r) => setTimeout(r, 0));
    expect(bus.handlerErrors).toHaveLength(1);
  });
});
