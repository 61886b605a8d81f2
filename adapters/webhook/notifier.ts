// Webhook Notifier: POSTs each event as JSON to the tenant's webhook URL,
// signed with HMAC-SHA256 (core/notify/signature.ts) so the tenant can tell
// it came from us, with bounded retries and backoff on network errors, 5xx
// and 429. A 4xx other than 429 is the receiver's answer and is not retried.
// The destination is checked at connect time (./destination.ts): link-local
// (cloud metadata), unspecified and other non-routable addresses are never
// reached, private ones only when the deployment allows them, and redirects
// are never followed (a 3xx is the receiver's answer, like a 4xx).
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Tenant } from '../../core/model.js';
import type { Clock, Notifier } from '../../core/ports.js';
import { systemClock } from '../../core/ports.js';
import { SIGNATURE_HEADER, signWebhook } from '../../core/notify/signature.js';
import { checkLiteralHost, guardedLookup, RefusedDestination, type DestinationPolicy } from './destination.js';

export interface WebhookNotifierOptions {
  /** The HMAC key for a tenant (core/notify/webhook-key.ts derives it from a server secret that may still be loading). */
  secretFor: (tenant: Tenant) => string | Promise<string>;
  /** Attempts in total, first included. @default 4 */
  maxAttempts?: number;
  /** Delay before the second attempt; doubles each time. @default 500 ms */
  baseDelayMs?: number;
  /** Per-attempt timeout. @default 5000 ms */
  timeoutMs?: number;
  /**
   * Whether a webhook may reach loopback, RFC 1918, unique-local IPv6 and
   * carrier-grade NAT addresses. True suits the one-box runner (a receiver on
   * the same host or LAN); the AWS wiring sets false, so a tenant cannot reach
   * into the VPC. Link-local (cloud metadata), 0.0.0.0 and other non-routable
   * addresses are refused either way. @default true
   */
  allowPrivateNetworks?: boolean;
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
      allowPrivateNetworks: true,
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
        const status = await post(url, body, {
          'content-type': 'application/json', [SIGNATURE_HEADER]: signature, 'user-agent': 'Relayguard-Webhook/1',
        }, this.opts.timeoutMs, { allowPrivateNetworks: this.opts.allowPrivateNetworks });
        result.lastStatus = status;
        if (status >= 200 && status < 300) { result.delivered = true; break; }
        // The receiver refused it (a redirect included: never followed): retrying will not help.
        if (status < 500 && status !== 429) break;
      } catch (err) {
        result.lastError = err instanceof Error ? err.message : String(err);
        // A destination we may not reach stays so: no retry.
        if (err instanceof RefusedDestination) break;
      }
      if (attempt < this.opts.maxAttempts) await this.opts.sleep(this.opts.baseDelayMs * 2 ** (attempt - 1));
    }
    this.last = result;
    if (!result.delivered) {
      throw new Error(`webhook ${url} not delivered after ${result.attempts} attempt(s): ${result.lastStatus ? `HTTP ${result.lastStatus}` : result.lastError}`);
    }
  }
}

/** One POST; resolves with the status code once the answer is read, rejects on a network error, a refused destination or the timeout. */
async function post(url: string, body: string, headers: Record<string, string>, timeoutMs: number, policy: DestinationPolicy): Promise<number> {
  const target = new URL(url);
  if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new RefusedDestination(`webhook destination refused: ${target.protocol} is not http(s)`);
  checkLiteralHost(target.hostname, policy);
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const signal = AbortSignal.timeout(timeoutMs);
  return new Promise<number>((resolve, reject) => {
    const req = request(target, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      lookup: guardedLookup(policy) as never,
      signal,
      agent: false,
    }, (res: IncomingMessage) => {
      res.on('error', reject);
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('close', () => { if (!res.complete) reject(new Error(signal.aborted ? `no answer within ${timeoutMs} ms` : 'connection closed before the answer ended')); });
      res.resume();
    });
    req.on('error', (err) => reject(signal.aborted ? new Error(`no answer within ${timeoutMs} ms`) : err));
    req.end(body);
  });
}
