// Header block parsing: split head from body, unfold, and parse structured
// values (Content-Type parameters, addresses). Works on latin1 strings.

export interface HeaderField {
  /** Lower-case name. */
  name: string;
  /** Unfolded raw value (encoded words not yet decoded). */
  value: string;
}

/**
 * Index where the body starts and where the head ends, tolerating LF-only mail: the first
 * "\r\n\r\n" or "\n\n" from `from`. The search stops at `end` (a MIME part's end), where
 * the head is taken to run to `end`: searching on to the end of the message instead (a part
 * with no blank line, or a CRLF message, where "\n\n" never occurs) cost a pass over the rest
 * of the message for each of up to 300 parts.
 */
export function splitHeadBody(s: string, from = 0, end = s.length): { headEnd: number; bodyStart: number } {
  // A part may have no headers at all: it starts with the blank line.
  if (s.startsWith('\r\n', from)) return { headEnd: from, bodyStart: from + 2 };
  if (s.startsWith('\n', from)) return { headEnd: from, bodyStart: from + 1 };
  // Line by line: at each "\n", a "\r\n\r\n" starting just before it comes before a "\n\n" starting at it.
  for (let nl = s.indexOf('\n', from); nl >= 0 && nl < end; nl = s.indexOf('\n', nl + 1)) {
    if (nl > from && s.charCodeAt(nl - 1) === 0x0d && s.charCodeAt(nl + 1) === 0x0d && s.charCodeAt(nl + 2) === 0x0a) {
      return { headEnd: nl - 1, bodyStart: nl + 3 };
    }
    if (s.charCodeAt(nl + 1) === 0x0a) return { headEnd: nl, bodyStart: nl + 2 };
  }
  return { headEnd: end, bodyStart: end };
}

export function parseHeaderBlock(head: string): HeaderField[] {
  const fields: HeaderField[] = [];
  const lines = head.split(/\r?\n/);
  let cur: HeaderField | undefined;
  for (const line of lines) {
    if (line.length === 0) continue;
    const c = line.charCodeAt(0);
    if ((c === 0x20 || c === 0x09) && cur) {
      cur.value += ' ' + line.trim();
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue; // a line with no name is junk (or an mbox "From " line)
    cur = { name: line.slice(0, colon).trim().toLowerCase(), value: line.slice(colon + 1).trim() };
    fields.push(cur);
  }
  return fields;
}

export function headerValue(fields: HeaderField[], name: string): string | undefined {
  for (const f of fields) if (f.name === name) return f.value;
  return undefined;
}

export function headerCount(fields: HeaderField[], name: string): number {
  let n = 0;
  for (const f of fields) if (f.name === name) n++;
  return n;
}

export interface StructuredValue {
  value: string;
  params: Record<string, string>;
}

/** RFC 2231 continuation sections kept per parameter (a 255-character name needs a handful). */
const MAX_SECTIONS = 100;

/** "text/plain; charset=utf-8; name*=utf-8''a%20b" -> value and lower-cased param names (RFC 2231 joined). */
export function parseStructured(raw: string | undefined): StructuredValue {
  if (!raw) return { value: '', params: {} };
  const semi = raw.indexOf(';');
  const value = (semi < 0 ? raw : raw.slice(0, semi)).trim().toLowerCase();
  // No prototype: a parameter named "__proto__" or "constructor" is just a name here.
  const params: Record<string, string> = Object.create(null);
  if (semi < 0) return { value, params };
  const re = /;\s*([^=;\s]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;
  const continued: Record<string, string[]> = Object.create(null);
  let m: RegExpExecArray | null;
  while ((m = re.exec(raw.slice(semi)))) {
    let key = m[1]!.toLowerCase();
    const val = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '').trim();
    const cont = /^(.*?)\*(\d+)\*?$/.exec(key);
    if (cont) {
      // Sections are numbered from 0 and few; "name*4294967294" would make an array that long to join.
      const section = Number(cont[2]);
      if (section < MAX_SECTIONS) (continued[cont[1]!] ??= [])[section] = val;
      continue;
    }
    if (key.endsWith('*')) {
      key = key.slice(0, -1);
      params[key] = decode2231(val);
    } else {
      params[key] = val;
    }
  }
  for (const [k, parts] of Object.entries(continued)) params[k] ??= decode2231(parts.join(''));
  return { value, params };
}

function decode2231(v: string): string {
  const m = /^([^']*)'[^']*'(.*)$/.exec(v);
  if (!m) return v;
  try {
    const bytes = Buffer.from(m[2]!.replace(/%([0-9a-f]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1');
    return new TextDecoder(m[1] || 'utf-8').decode(bytes);
  } catch {
    return m[2]!;
  }
}

export interface Mailbox {
  name: string;
  address: string;
  /** Lower-case domain of the address ('' when there is none). */
  domain: string;
}

/** First mailbox of an address header whose encoded words are already decoded. */
export function parseMailbox(decoded: string | undefined): Mailbox | undefined {
  if (!decoded) return undefined;
  const v = decoded.trim();
  const angle = /^(.*?)<([^<>]*)>/.exec(v);
  let name = '';
  let address = '';
  if (angle) {
    name = angle[1]!.trim().replace(/^"|"$/g, '').trim();
    address = angle[2]!.trim();
  } else {
    const paren = /^([^\s(]+)\s*\((.*)\)/.exec(v);
    if (paren) { address = paren[1]!; name = paren[2]!.trim(); } else address = v.split(/[\s,]/)[0] ?? '';
  }
  const at = address.lastIndexOf('@');
  const domain = at >= 0 ? trimEndOf(address.slice(at + 1).toLowerCase(), /[>.\s]/) : '';
  return { name, address: address.toLowerCase(), domain };
}

/**
 * `s` without its trailing characters that `char` (a one-character class such as
 * `/[>.\s]/`, without the g flag) matches. A loop, not `/[…]+$/`: that regex tries every
 * position of a long run of those characters and rescans the run from each one when
 * something else follows ("http://a.....(100,000 dots)b" is quadratic).
 */
export function trimEndOf(s: string, char: RegExp): string {
  let end = s.length;
  while (end > 0 && char.test(s[end - 1]!)) end--;
  return end === s.length ? s : s.slice(0, end);
}

const RAW_8BIT = /[\x80-\xff]/;
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Unencoded header text (a latin1 string, one char per byte) read as UTF-8, as
 * SMTPUTF8 clients and many others write their headers (RFC 6532): the text itself
 * when it has no 8-bit bytes, its UTF-8 reading when the bytes are valid UTF-8, and
 * undefined when they are not (a legacy 8-bit charset: the caller decides).
 */
export function utf8HeaderText(latin1: string): string | undefined {
  if (!RAW_8BIT.test(latin1)) return latin1;
  try {
    return STRICT_UTF8.decode(Buffer.from(latin1, 'latin1'));
  } catch {
    return undefined;
  }
}

/** Rough recipient count of To/Cc headers: addresses separated by commas outside quotes. */
export function countAddresses(value: string | undefined): number {
  if (!value) return 0;
  const stripped = value.replace(/"[^"]*"/g, '');
  let n = 0;
  for (const piece of stripped.split(',')) if (piece.includes('@')) n++;
  return n;
}
