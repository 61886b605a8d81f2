// Who may use which envelope sender. Refused before DATA with 553 5.7.1, so
// the sending server bounces to its own user with a clear reason.
import { DomainError } from '../errors.js';
import type { Identity } from '../model.js';
import { canonicalAddress, domainOf, isOwnedDomain } from './sender-key.js';

export function checkSenderOwnership(identity: Identity, mailFrom: string, ownedDomains: readonly string[]): void {
  if (identity.kind === 'ip-user') return; // a shared server sends for many domains; reputation is per sender instead
  const from = canonicalAddress(mailFrom); // usernames are stored this way: lower-case, punycode domain
  // The null sender: a server's own bounces and receipts, and a mail client's read receipts (MDNs go out
  // with an empty return path, RFC 8098). Reputation and locks stay with the login (sender-key.ts).
  if (from === '') return;
  if (identity.userKind === 'mailbox') {
    if (from !== identity.username) {
      throw new DomainError('SENDER_NOT_ALLOWED', `Sender address <${mailFrom}> rejected: mailbox user ${identity.username} may only send as <${identity.username}>`);
    }
    return;
  }
  if (!isOwnedDomain(domainOf(from), ownedDomains)) {
    throw new DomainError('SENDER_NOT_ALLOWED', `Sender address <${mailFrom}> rejected: domain user ${identity.username} may only send from its tenant's domains (${ownedDomains.join(', ') || 'none'})`);
  }
}
