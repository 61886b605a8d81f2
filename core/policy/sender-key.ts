import type { Identity } from '../model.js';

/**
 * The key reputation and locks are kept under. An SMTP user is one account:
 * its username. Behind an IP user many people send through one server, so
 * the key is who the server says sent it (X-AuthUser) or the envelope
 * sender: block the sender, not the server.
 */
export function senderKey(identity: Identity, mailFrom: string, xAuthUser?: string): string {
  if (identity.kind === 'smtp-user') return identity.username.toLowerCase();
  const who = (xAuthUser?.trim() || mailFrom).toLowerCase();
  return who || `<>@${identity.cidr}`;
}

export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? '' : address.slice(at + 1).toLowerCase().replace(/\.$/, '');
}

/** True when `domain` is one of `owned` or a subdomain of one. */
export function isOwnedDomain(domain: string, owned: readonly string[]): boolean {
  const d = domain.toLowerCase();
  return owned.some((o) => d === o || d.endsWith('.' + o));
}
