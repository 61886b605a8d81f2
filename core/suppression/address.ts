// One spelling per address, so a bounce recorded for "Bob@Dest.Test" stops
// mail to "bob@dest.test": lower-case, the domain as ASCII (punycode for
// IDNs). Local parts are case-sensitive in theory and never in practice; the
// big providers (and SES's suppression list) compare them case-insensitively.
import { canonicalAddress } from '../policy/sender-key.js';
import { normaliseAddress } from '../tenants/domain-name.js';

/** The key an envelope recipient is looked up under. Lenient: it must never throw on a recipient the ingress accepted. */
export function suppressionKey(address: string): string {
  const trimmed = address.trim().toLowerCase();
  return trimmed.lastIndexOf('@') <= 0 ? trimmed : canonicalAddress(trimmed);
}

/** An address a tenant typed: validated (VALIDATION error otherwise), in the same spelling as suppressionKey. */
export function parseSuppressionAddress(input: string): string {
  return suppressionKey(normaliseAddress(input).address);
}
