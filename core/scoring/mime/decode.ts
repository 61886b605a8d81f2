// Transfer and charset decoding for the lean MIME walk. Raw messages are
// handled as latin1 strings (one char per byte), so decoding a part is
// "latin1 string -> bytes -> text in the declared charset".

import { TextDecoder } from 'node:util';
import { utf8HeaderText } from '../../message/headers.js';

const decoders = new Map<string, TextDecoder>();
const CHARSET_ALIASES: Record<string, string> = {
  'us-ascii': 'windows-1252', // ASCII mail often carries 8-bit bytes anyway
  'ascii': 'windows-1252',
  'ks_c_5601-1987': 'euc-kr',
  'x-unknown': 'windows-1252',
  'unknown-8bit': 'windows-1252',
  'default': 'windows-1252',
  '8bit': 'windows-1252',
};

/** A charset label as declared (any case, maybe quoted) in the form the decoders are keyed by. */
function charsetKey(label: string): string {
  return label.trim().toLowerCase().replace(/^["']|["']$/g, '');
}

/** Unknown labels remembered (as the fallback); valid labels are a fixed set and always kept. */
const MAX_UNKNOWN_LABELS = 256;
let unknownLabels = 0;
const FALLBACK_DECODER = new TextDecoder('windows-1252');

function decoderFor(charset: string | undefined): TextDecoder {
  const key = charsetKey(charset ?? 'windows-1252');
  let dec = decoders.get(key);
  if (dec) return dec;
  try {
    dec = new TextDecoder(CHARSET_ALIASES[key] ?? key, { fatal: false });
  } catch {
    // An unknown label must not make the message unreadable. Nor may it stay in the cache for good:
    // the labels are the sender's, so every message could bring new ones (of any length).
    if (unknownLabels >= MAX_UNKNOWN_LABELS) return FALLBACK_DECODER;
    unknownLabels++;
    dec = FALLBACK_DECODER;
  }
  decoders.set(key, dec);
  return dec;
}

/** How many charset labels the decoder cache holds (for tests: it must stay bounded). */
export function cachedCharsetLabels(): number {
  return decoders.size;
}

/** Bytes of a latin1 (byte-per-char) string. */
export function bytesOf(latin1: string): Buffer {
  return Buffer.from(latin1, 'latin1');
}

export function decodeCharset(bytes: Uint8Array, charset: string | undefined): string {
  const key = (charset ?? '').toLowerCase();
  if (key === 'utf-8' || key === 'utf8') return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  return decoderFor(charset).decode(bytes);
}

/** Quoted-printable body decoding (soft line breaks, =XX escapes; bad escapes kept literally). */
export function decodeQuotedPrintable(s: string): Buffer {
  const out = Buffer.allocUnsafe(s.length);
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x3d /* = */) {
      const a = s.charCodeAt(i + 1);
      if (a === 0x0d && s.charCodeAt(i + 2) === 0x0a) { i += 2; continue; }
      if (a === 0x0a) { i += 1; continue; }
      const h = hexVal(a), l = hexVal(s.charCodeAt(i + 2));
      if (h >= 0 && l >= 0) { out[n++] = (h << 4) | l; i += 2; continue; }
      // "=" followed by trailing whitespace then a newline is also a soft break
      let j = i + 1;
      while (j < s.length && (s[j] === ' ' || s[j] === '\t')) j++;
      if (s[j] === '\n' || (s[j] === '\r' && s[j + 1] === '\n')) { i = s[j] === '\r' ? j + 1 : j; continue; }
    }
    out[n++] = c & 0xff;
  }
  return out.subarray(0, n);
}

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

export function decodeTransfer(body: string, encoding: string): Buffer {
  switch (encoding) {
    case 'base64': return Buffer.from(body, 'base64');
    case 'quoted-printable': return decodeQuotedPrintable(body);
    default: return bytesOf(body);
  }
}

const ENCODED_WORD = /=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=/g;

export interface EncodedWordStats {
  count: number;
  /** Encoded words whose decoded text is plain ASCII: encoding used only to hide words from filters. */
  needless: number;
  charsets: Set<string>;
}

/**
 * Unencoded 8-bit header bytes (a latin1 string) as mail clients read them:
 * UTF-8 when they are valid UTF-8 (modern clients), else the charset the
 * message declares for its text (older clients wrote headers in it), else
 * latin1 (as windows-1252, the way browsers and mail clients read that label).
 */
export function decodeRawHeaderBytes(latin1: string, fallbackCharset?: string): string {
  const utf8 = utf8HeaderText(latin1);
  if (utf8 !== undefined) return utf8;
  // not UTF-8: the message's own charset
  const cs = fallbackCharset === undefined ? undefined : charsetKey(fallbackCharset);
  // A declared UTF-8 was just tried; unknown labels read as windows-1252 in decodeCharset.
  return decodeCharset(bytesOf(latin1), cs && cs !== 'utf-8' && cs !== 'utf8' ? cs : undefined);
}

/**
 * RFC 2047 encoded words in a header value; whitespace between adjacent
 * words is dropped. Raw 8-bit bytes outside encoded words go through
 * `decodeRawHeaderBytes` with `fallbackCharset` (the charset of the message's text).
 */
export function decodeHeaderValue(value: string, stats?: EncodedWordStats, fallbackCharset?: string): string {
  if (value.indexOf('=?') < 0) return decodeRawHeaderBytes(value, fallbackCharset);
  const joined = value.replace(/(\?=)\s+(=\?)/g, '$1$2');
  let out = '';
  let last = 0;
  for (const m of joined.matchAll(ENCODED_WORD)) {
    out += decodeRawHeaderBytes(joined.slice(last, m.index), fallbackCharset) + decodeEncodedWord(m[1]!, m[2]!, m[3]!, stats);
    last = m.index + m[0].length;
  }
  return out + decodeRawHeaderBytes(joined.slice(last), fallbackCharset);
}

function decodeEncodedWord(charset: string, enc: string, text: string, stats: EncodedWordStats | undefined): string {
  const cs = charset.split('*')[0]!.toLowerCase();
  const bytes = enc === 'b' || enc === 'B'
    ? Buffer.from(text, 'base64')
    : decodeQuotedPrintable(text.replace(/_/g, ' '));
  const decoded = decodeCharset(bytes, cs);
  if (stats) {
    stats.count++;
    stats.charsets.add(cs);
    if (/^[\x20-\x7e]*$/.test(decoded)) stats.needless++;
  }
  return decoded;
}
