// Webhook Notifier: POSTs each event as JSON to the tenant's webhook URL,
// signed with HMAC-SHA256 (core/notify/signature.ts) so the tenant can tell
// it came from us, with bounded retries and backoff on network errors, 5xx
// and 429. A 4xx other than 429 is the receiver's answer and is not retried.
import type { Tenant } from '../../core/model.js';
import type { Clock, Notifier } from '../../core/ports.js';
import { systemClock } from '../../core/ports.js';
import { SIGNATURE_HEADER, signWebhook } from '../../core/notify/signature.js';

export interface WebhookNotifierOptions {
  /** The HMAC key for a tenant (core/notify/webhook-key.ts derives it from a server secret that may still be loading). */
  secretFor: (tenant: Tenant) => string | Promise<string>;
  /** Attempts in total, first included. @default 4 */
  maxAttempts?: number;
  /** Delay before the second attempt; doubles each time. @default 500 ms */
  baseDelayMs?: number;
  /** Per-attempt timeout. @default 5000 ms */
  timeoutMs?: number;
  clock?: Clock;
  /** Waits between attempts; tests may shorten it. @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
}

export interface WebhookDelivery {
  delivered: boolean;
  attempts: number;
  lastStatus?: number;
  lastError?: string;
}

export class WebhookNotifier implements Notifier {
  private readonly opts: Required<Omit<WebhookNotifierOptions, 'secretFor'>> & Pick<WebhookNotifierOptions, 'secretFor'>;
  /** The outcome of the most recent notify (for logs and tests). */
  last?: WebhookDelivery;

  constructor(options: WebhookNotifierOptions) {
    this.opts = {
      maxAttempts: 4,
      baseDelayMs: 500,
      timeoutMs: 5000,
      clock: systemClock,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      ...options,
    };
    if (!Number.isInteger(this.opts.maxAttempts) || this.opts.maxAttempts < 1 || this.opts.maxAttempts > 10) {
      throw new Error(`WebhookNotifier maxAttempts must be an integer from 1 to 10, got ${this.opts.maxAttempts}`);
    }
  }

  /** Resolves when delivered; throws (after the last attempt) when it could not be. */
  async notify(tenant: Tenant, event: { type: string; sender?: string; messageId?: string; detail: unknown }): Promise<void> {
    const url = tenant.settings.webhookUrl;
    if (!url) return;
    const now = this.opts.clock.now();
    const body = JSON.stringify({ id: `${now.getTime().toString(36)}-${Math.random().toString(36).slice(2, 10)}`, tenantId: tenant.id, at: now.toISOString(), ...event });
    const result: WebhookDelivery = { delivered: false, attempts: 0 };
    const secret = await this.opts.secretFor(tenant);
    for (let attempt = 1; attempt <= this.opts.maxAttempts; attempt++) {
      result.attempts = attempt;
      const signature = signWebhook(secret, body, Math.floor(this.opts.clock.now().getTime() / 1000));
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signature, 'user-agent': 'Relayguard-Webhook/1' },
          body,
          signal: AbortSignal.timeout(this.opts.timeoutMs),
        });
        await res.arrayBuffer().catch(() => undefined);
        result.lastStatus = res.status;
        if (res.ok) { result.delivered = true; break; }
        if (res.status < 500 && res.status !== 429) break; // the receiver refused it: retrying will not help
      } catch (err) {
        result.lastError = err instanceof Error ? err.message : String(err);
      }
      if (attempt < this.opts.maxAttempts) await this.opts.sleep(this.opts.baseDelayMs * 2 ** (attempt - 1));
    }
    this.last = result;
    if (!result.delivered) {
      throw new Error(`webhook ${url} not delivered after ${result.attempts} attempt(s): ${result.lastStatus ? `HTTP ${result.lastStatus}` : result.lastError}`);
    }
  }
}
