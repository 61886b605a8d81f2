// Just enough header reading for delivery: one unfolded header value and the
// first address of an address header, on the same header-block parser the
// scorer uses (delivery does not depend on the scorer's full parse).
import addressparser from 'nodemailer/lib/addressparser';
import { headerValue as fieldValue, parseHeaderBlock, splitHeadBody } from '../message/headers.js';

/** The raw header block (without the blank line that ends it), as latin1 so its bytes are kept exactly. */
export function headerBlock(raw: Buffer): string {
  const head = raw.subarray(0, Math.min(raw.length, 256 * 1024)).toString('latin1');
  return head.slice(0, splitHeadBody(head).headEnd);
}

/** First value of header `name`, unfolded, or undefined (the head is read as latin1, the value returned as UTF-8). */
export function headerValue(raw: Buffer, name: string): string | undefined {
  const value = fieldValue(parseHeaderBlock(headerBlock(raw)), name.toLowerCase());
  return value === undefined ? undefined : Buffer.from(value, 'latin1').toString('utf8');
}

/** The first mailbox address in an address header value ("Alice <a@x>" gives a@x). */
export function firstAddress(value: string | undefined): string | undefined {
  if (!value) return undefined;
  for (const entry of addressparser(value, { flatten: true })) {
    if (entry.address) return entry.address;
  }
  return undefined;
}

