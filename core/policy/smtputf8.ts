// RFC 6531 (SMTPUTF8): an address whose local part is not ASCII may be used
// only in a transaction whose MAIL FROM carried the SMTPUTF8 parameter; the
// client must declare it, so that every hop can refuse or downgrade mail it
// cannot carry. Refused per command, like Postfix: 553 5.6.7 at MAIL FROM for
// the sender, at RCPT TO for that recipient. Only the local part decides: an
// IDN domain written in Unicode is converted to punycode by the gateway
// (asciiAddress in sender-key.ts), so it needs no SMTPUTF8.
import { DomainError } from '../errors.js';

const ASCII = /^[\x00-\x7f]*$/;

/** True when the part of `address` before its last `@` (all of it, without one) has a character outside ASCII. */
export function hasNonAsciiLocalPart(address: string): boolean {
  if (ASCII.test(address)) return false; // the common case: one scan, nothing cut
  const at = address.lastIndexOf('@');
  return !ASCII.test(at < 0 ? address : address.slice(0, at));
}

/**
 * Throws SMTPUTF8_REQUIRED when `address` has a non-ASCII local part and the
 * transaction did not declare SMTPUTF8 (`smtpUtf8`: MAIL FROM carried it).
 */
export function checkAddressEncoding(address: string, smtpUtf8: boolean): void {
  if (smtpUtf8 || !hasNonAsciiLocalPart(address)) return;
  throw new DomainError('SMTPUTF8_REQUIRED', `<${address}>: SMTPUTF8 is required, but was not offered by the client`);
}
