/**
 * Fire-and-forget delivery of vendor notifications from an emulator to a configured URL, with a
 * few retries. Never throws into the emulator's request path.
 */
export interface WebhookDelivery {
  url: string;
  status: number | null;
  attempts: number;
  error?: string;
}

export class WebhookSender {
  readonly deliveries: WebhookDelivery[] = [];
  private pending = new Set<Promise<void>>();

  constructor(private readonly options: { retries?: number; timeoutMs?: number } = {}) {}

  /**
   * `acknowledged` (optional) decides from the answer whether the listener accepted the delivery
   * (e.g. Salesforce outbound messages need `<Ack>true</Ack>`); otherwise any non-5xx/429 status is.
   */
  send(url: string, body: string, headers: Record<string, string>, acknowledged?: (status: number, body: string) => boolean): void {
    const p = this.deliver(url, body, headers, acknowledged).finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  /** Resolves when every delivery started so far has finished (tests). */
  async drain(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  private async deliver(url: string, body: string, headers: Record<string, string>, acknowledged?: (status: number, body: string) => boolean): Promise<void> {
    const retries = this.options.retries ?? 3;
    const delivery: WebhookDelivery = { url, status: null, attempts: 0 };
    this.deliveries.push(delivery);
    if (this.deliveries.length > 1000) this.deliveries.shift();
    for (let attempt = 0; attempt <= retries; attempt++) {
      delivery.attempts++;
      try {
        // Global fetch (Node's bundled undici): the undici 8 package needs Node >= 22.19.
        const res = await fetch(url, { method: 'POST', body, headers, signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000) });
        delivery.status = res.status;
        const text = await res.text();
        if (acknowledged) {
          if (acknowledged(res.status, text)) return;
        } else if (res.status < 500 && res.status !== 429) return;
      } catch (err) {
        delivery.error = (err as Error).message;
      }
      await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
    }
  }
}
