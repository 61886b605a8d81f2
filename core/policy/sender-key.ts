import { domainToASCII } from 'node:url';
import type { Identity } from '../model.js';

const MAX_ADDRESS = 254;

/**
 * The key reputation and locks are kept under. An SMTP user is one account:
 * its username. Behind an IP user many people send through one server, so
 * the key is who the server says sent it (X-AuthUser) or the envelope
 * sender: block the sender, not the server.
 */
export function senderKey(identity: Identity, mailFrom: string, xAuthUser?: string): string {
  if (identity.kind === 'smtp-user') return identity.username.toLowerCase();
  // A header value longer than any address (RFC 5321: 254) is no sender name; as a key it would break
  // the stores' key limits (DynamoDB: 2 KB), so the envelope sender stands instead.
  const named = xAuthUser?.trim();
  const who = canonicalAddress(named && named.length <= MAX_ADDRESS ? named : mailFrom);
  return who || `<>@${identity.cidr}`;
}

/**
 * A domain as tenants' domains and usernames are stored
 * (core/tenants/domain-name.ts): lower-case, ASCII (punycode for an IDN an
 * SMTPUTF8 client wrote in Unicode), no trailing dot.
 */
export function canonicalDomain(domain: string): string {
  const d = domain.toLowerCase().replace(/\.$/, '');
  if (/^[\x20-\x7e]*$/.test(d)) return d;
  return domainToASCII(d) || d;
}

/**
 * An address as written, but with its domain in ASCII (punycode for an IDN):
 * the form the message log keeps envelopes in, so they compare with the
 * stored domains. The local part keeps its case (it is the mailbox's own).
 */
export function asciiAddress(address: string): string {
  if (/^[\x00-\x7f]*$/.test(address)) return address;
  const at = address.lastIndexOf('@');
  const ascii = at < 0 ? '' : domainToASCII(address.slice(at + 1));
  return ascii ? address.slice(0, at + 1) + ascii : address;
}

/** An address with its local part lower-case and its domain canonical (as SMTP usernames are kept). */
export function canonicalAddress(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? address.toLowerCase() : `${address.slice(0, at).toLowerCase()}@${canonicalDomain(address.slice(at + 1))}`;
}

export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? '' : canonicalDomain(address.slice(at + 1));
}

/** True when `domain` is one of `owned` or a subdomain of one. */
export function isOwnedDomain(domain: string, owned: readonly string[]): boolean {
  const d = canonicalDomain(domain);
  return owned.some((o) => d === o || d.endsWith('.' + o));
}
