import { DomainError } from '../errors.js';

/** A recipient must be a routable address (local@domain.tld); anything else gets 501 at RCPT TO. */
export function checkRecipientAddress(address: string): void {
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(address)) {
    throw new DomainError('BAD_SYNTAX', `Recipient address <${address}> is not a valid address`);
  }
}
