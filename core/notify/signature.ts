// Webhook signatures: HMAC-SHA256 over "<timestamp>.<body>" with the
// tenant's webhook secret, sent as `X-Relayguard-Signature: t=<unix>,v1=<hex>`.
// The timestamp is signed so a captured request cannot be replayed later;
// receivers verify with verifyWebhookSignature (constant-time compare).
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-relayguard-signature';

export function signWebhook(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

/** True when `header` signs `body` with `secret` and its timestamp is within `toleranceSeconds` of `nowSeconds`. */
export function verifyWebhookSignature(secret: string, body: string, header: string, nowSeconds: number, toleranceSeconds = 300): boolean {
  const parts = Object.fromEntries(header.split(',').map((kv) => kv.split('=', 2) as [string, string]));
  const t = Number(parts['t']);
  const given = parts['v1'];
  // Exactly one SHA-256 in hex: Buffer.from(…, 'hex') would quietly drop anything after the first non-hex character.
  if (!Number.isFinite(t) || !given || !/^[0-9a-f]{64}$/i.test(given) || Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  const expected = signWebhook(secret, body, t).split('v1=')[1]!;
  const a = Buffer.from(given, 'hex'), b = Buffer.from(expected, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
