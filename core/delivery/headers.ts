// Just enough header reading for delivery: the header block of a raw
// message, one unfolded header value, and the domain of an address. The
// scorer parses messages fully; delivery must not depend on that parse.
import addressparser from 'nodemailer/lib/addressparser';

/** The raw header block (without the blank line that ends it). */
export function headerBlock(raw: Buffer): string {
  const limit = Math.min(raw.length, 256 * 1024);
  const head = raw.subarray(0, limit).toString('latin1');
  const crlf = head.indexOf('\r\n\r\n');
  const lf = head.indexOf('\n\n');
  const end = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf : lf;
  return end >= 0 ? head.slice(0, end) : head;
}

/** First value of header `name`, unfolded, or undefined. */
export function headerValue(raw: Buffer, name: string): string | undefined {
  const lines = headerBlock(raw).split(/\r?\n/);
  const prefix = name.toLowerCase() + ':';
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.toLowerCase().startsWith(prefix)) {
      let value = lines[i]!.slice(prefix.length);
      while (i + 1 < lines.length && /^[ \t]/.test(lines[i + 1]!)) value += ' ' + lines[++i]!.trim();
      return Buffer.from(value.trim(), 'latin1').toString('utf8');
    }
  }
  return undefined;
}

/** The first mailbox address in an address header value ("Alice <a@x>" gives a@x). */
export function firstAddress(value: string | undefined): string | undefined {
  if (!value) return undefined;
  for (const entry of addressparser(value, { flatten: true })) {
    if (entry.address) return entry.address;
  }
  return undefined;
}

