import { DomainError } from '../errors.js';
import { checkAddressEncoding } from './smtputf8.js';

export interface RecipientCheckOptions {
  /** The transaction's MAIL FROM carried SMTPUTF8 (RFC 6531). @default false: a non-ASCII local part gets 553 5.6.7 */
  readonly smtpUtf8?: boolean;
}

/**
 * A recipient must be a routable address (local@domain.tld); anything else
 * gets 501 at RCPT TO. A non-ASCII local part needs SMTPUTF8 on MAIL FROM,
 * else 553 5.6.7 (smtputf8.ts).
 */
export function checkRecipientAddress(address: string, options: RecipientCheckOptions = {}): void {
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(address)) {
    throw new DomainError('BAD_SYNTAX', `Recipient address <${address}> is not a valid address`);
  }
  checkAddressEncoding(address, options.smtpUtf8 ?? false);
}
