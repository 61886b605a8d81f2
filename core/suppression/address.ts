// One spelling per address, so a bounce recorded for "Bob@Dest.Test" stops
// mail to "bob@dest.test": lower-case, the domain as ASCII (punycode for
// IDNs). Local parts are case-sensitive in theory and never in practice; the
// big providers (and SES's suppression list) compare them case-insensitively.
import { domainToASCII } from 'node:url';
import { domainOf } from '../policy/sender-key.js';
import { normaliseAddress } from '../tenants/domain-name.js';

/** The key an envelope recipient is looked up under. Lenient: it must never throw on a recipient the ingress accepted. */
export function suppressionKey(address: string): string {
  const trimmed = address.trim().toLowerCase();
  const at = trimmed.lastIndexOf('@');
  if (at <= 0) return trimmed;
  const domain = domainOf(trimmed);
  const ascii = /^[\x20-\x7e]*$/.test(domain) ? domain : domainToASCII(domain) || domain;
  return `${trimmed.slice(0, at)}@${ascii}`;
}

/** An address a tenant typed: validated (VALIDATION error otherwise), in the same spelling as suppressionKey. */
export function parseSuppressionAddress(input: string): string {
  return suppressionKey(normaliseAddress(input).address);
}
