// Features for the text classifier: words of subject and body, link hosts,
// and a few structural facts, as a set of strings. Training and scoring use
// this one function, so a model always sees what it was trained on.
import type { MessageFacts } from '../facts.js';
import { baseDomain } from '../urls.js';

// Combining marks belong to the word they sit in (Devanagari vowel signs, Thai
// vowels and tones, Hebrew points, accents in decomposed text). CJK runs are
// handled as character pairs below.
const WORD = /[\p{L}\p{N}$€£][\p{L}\p{M}\p{N}$€£'_-]{1,24}/gu;
const ASCII_WORD = /[a-z0-9$][a-z0-9$'_-]{1,24}/g;
const NON_ASCII = /[^\x00-\x7f]/;
const MAX_BODY_CHARS = 20_000; // the first screens of a message carry its evidence
const MAX_FEATURES = 2_000;

function bucket(n: number, edges: number[]): string {
  let i = 0;
  while (i < edges.length && n >= edges[i]!) i++;
  return String(i);
}

/**
 * Lower case for word features. Turkish capital İ lowercases to "i" plus a
 * combining dot above; the dot is redundant on "i", so it becomes plain "i"
 * and ÇEVİRİ gives the word çeviri, as the lower-case spelling does.
 * (Greek final sigma is handled by toLowerCase: ΟΔΟΣ gives οδος.)
 */
function lowerForWords(text: string): string {
  return (text.includes('\u0130') ? text.replace(/\u0130/g, 'i') : text).toLowerCase();
}

function addWords(out: Set<string>, text: string, prefix: string): void {
  const nonAscii = NON_ASCII.test(text);
  const lower = nonAscii ? lowerForWords(text) : text.toLowerCase();
  // Same tokens either way; the ASCII pattern is faster on ASCII text.
  const re = new RegExp(nonAscii ? WORD : ASCII_WORD);
  let m: RegExpExecArray | null;
  while ((m = re.exec(lower))) {
    let w = m[0];
    const last = w.charCodeAt(w.length - 1);
    if (last === 39 || last === 95 || last === 45) w = w.replace(/['_-]+$/, '');
    if (w.length < 2) continue;
    // Numbers vary per message; their shape is the evidence ("$1,000", a 10-digit phone).
    if (hasDigit(w)) w = w.replace(/\d/g, '9');
    out.add(prefix ? prefix + w : w);
    if (out.size >= MAX_FEATURES) return;
  }
}

function hasDigit(w: string): boolean {
  for (let i = 0; i < w.length; i++) {
    const c = w.charCodeAt(i);
    if (c >= 48 && c <= 57) return true;
  }
  return false;
}

/** Share of capitals among ASCII letters (a plain loop: Unicode-class regexes over whole bodies cost more than the rest). */
function upperShare(text: string): number {
  let letters = 0, upper = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 65 && c <= 90) { letters++; upper++; } else if (c >= 97 && c <= 122) letters++;
  }
  return letters ? upper / letters : 0;
}

// CJK text has no spaces between words: character pairs stand in for words.
const CJK_RUN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]{2,}/gu;
function addCjkBigrams(out: Set<string>, text: string): void {
  if (!/[\u3040-\u9fff\uac00-\ud7af]/.test(text)) return; // cheap test first: most mail has none
  let n = 0;
  for (const m of text.matchAll(CJK_RUN)) {
    const run = m[0];
    for (let i = 0; i + 1 < run.length && n < 300; i++, n++) out.add('cjk:' + run.slice(i, i + 2));
    if (n >= 300) break;
  }
  if (n > 0) out.add('meta:cjk');
}

/** Headers the sending client sets (never relays): which of them are present says which software wrote the mail. */
const CLIENT_HEADERS = ['in-reply-to', 'references', 'user-agent', 'x-mailer', 'x-priority', 'x-msmail-priority', 'importance',
  'organization', 'content-class', 'thread-index', 'x-accept-language', 'x-mimeole', 'reply-to', 'cc', 'x-originating-ip'];

const CLIENT_HEADER_SET = new Set(CLIENT_HEADERS);

export function extractFeatures(f: MessageFacts): Set<string> {
  const out = new Set<string>();
  for (const h of f.headers) if (CLIENT_HEADER_SET.has(h.name)) out.add('hdr:' + h.name);
  addWords(out, f.subject, 's:');
  // Both renderings: spam often says different things in its text and HTML parts.
  const body = (f.text.length >= f.htmlText.length / 2 ? f.text : f.htmlText).slice(0, MAX_BODY_CHARS);
  if (f.text && f.htmlText) addWords(out, (f.text.length >= f.htmlText.length / 2 ? f.htmlText : f.text).slice(0, MAX_BODY_CHARS / 4), '');
  addWords(out, body.replace(/https?:\/\/\S+/g, ' '), '');
  addCjkBigrams(out, f.subject + '\n' + body);
  for (const cs of f.charsets.slice(0, 4)) out.add('cs:' + cs);
  for (const u of f.urls.slice(0, 50)) {
    out.add('u:' + (u.rawIp ? 'ip' : baseDomain(u.host)));
    out.add('utld:' + (u.rawIp ? 'ip' : u.host.slice(u.host.lastIndexOf('.') + 1)));
    // Path words: "remove", "unsubscribe", "cgi-bin", "optout" say what the link is for.
    for (const w of u.url.toLowerCase().replace(/^[a-z]+:\/\/[^/]*/, '').split(/[^a-z]+/)) if (w.length >= 3 && w.length <= 15) out.add('up:' + w);
  }
  out.add('nurl:' + bucket(f.urls.length, [1, 2, 4, 8, 16]));
  if (f.from) {
    out.add('ftld:' + f.from.domain.slice(f.from.domain.lastIndexOf('.') + 1));
    addWords(out, f.from.name, 'fn:');
    if (/\d{3,}/.test(f.from.address)) out.add('meta:from-digits');
  }
  if (f.mailer) out.add('mailer:' + (f.mailer.toLowerCase().match(/[a-z]+/)?.[0] ?? 'x'));
  else out.add('mailer:none');
  const ct = f.headers.find((h) => h.name === 'content-type')?.value.split(';')[0]?.trim().toLowerCase() ?? 'none';
  out.add('ct:' + ct);
  out.add('parts:' + (f.hasTextPart ? 't' : '') + (f.hasHtmlPart ? 'h' : ''));
  for (const a of f.attachments.slice(0, 10)) out.add('att:' + a.sniffedType);
  out.add('caps:' + bucket(upperShare(body), [0.1, 0.2, 0.35, 0.5]));
  out.add('bang:' + bucket((body.match(/!/g) ?? []).length, [1, 3, 8]));
  out.add('len:' + bucket(body.length, [200, 1000, 4000, 12000]));
  if (f.hiddenChars > 0) out.add('meta:hidden');
  if (f.images > 0) out.add('img:' + bucket(f.images, [1, 3, 8]));
  if (f.replyTo && f.from && f.replyTo.domain !== f.from.domain) out.add('meta:replyto-other');
  if (f.encodedWords.count > 0) out.add('meta:encoded-subject');
  addHeaderShape(out, f);
  addSoftwareFingerprint(out, f);
  addScriptShape(out, f, body);
  return out;
}

/** Letters, digits and runs of either, as a shape: "NextPart_000_0001" -> "Aa_9_9". */
function shape(s: string, max: number): string {
  return s.slice(0, 64).replace(/[A-Z]+/g, 'A').replace(/[a-z]+/g, 'a').replace(/[0-9]+/g, '9').slice(0, max);
}

/** Headers every client sets, in the order this one wrote them (relay and list headers are stripped before scoring). */
const ORDERED_HEADERS = new Set(['from', 'to', 'subject', 'date', 'message-id', 'mime-version', 'content-type', 'content-transfer-encoding',
  'reply-to', 'cc', 'x-mailer', 'x-priority', 'x-msmail-priority', 'importance', 'in-reply-to', 'references', 'user-agent', 'organization', 'x-mimeole']);
const VALUED_HEADERS = new Set(['x-priority', 'x-msmail-priority', 'importance', 'mime-version', 'content-class']);

/**
 * Which software wrote the message: the header order, the shape of the
 * Message-ID and MIME boundary, the mailer's name and version words, and
 * priority values. Bulk tools and hand-rolled scripts each have a signature
 * that real mail clients do not share.
 */
function addSoftwareFingerprint(out: Set<string>, f: MessageFacts): void {
  const order: string[] = [];
  for (const h of f.headers) {
    if (ORDERED_HEADERS.has(h.name) && order.length < 6) order.push(h.name);
    if (VALUED_HEADERS.has(h.name)) out.add('hv:' + h.name + '=' + h.value.trim().toLowerCase().slice(0, 20));
  }
  out.add('ho:' + order.join(','));
  if (f.mailer) for (const w of f.mailer.toLowerCase().split(/[^a-z0-9.]+/)) if (w) out.add('xm:' + w.replace(/\d/g, '9').slice(0, 24));
  const mid = f.messageId ?? '';
  const at = mid.lastIndexOf('@');
  out.add('midl:' + shape(mid.slice(0, at), 20));
  const midDomain = mid.slice(at + 1).toLowerCase();
  const fromBase = f.from ? baseDomain(f.from.domain) : undefined;
  out.add('midd:' + (fromBase && midDomain.endsWith(fromBase) ? 'from' : /^\d|\[|^localhost|\.local$|^[a-z0-9-]+$/.test(midDomain) ? 'host' : 'other'));
  const ct = f.headers.find((h) => h.name === 'content-type')?.value ?? '';
  const boundary = /boundary\s*=\s*"?([^";\s]+)/i.exec(ct);
  out.add('bnd:' + (boundary ? shape(boundary[1]!, 30) : 'none'));
  if (f.from) out.add('fal:' + shape(f.from.address.slice(0, f.from.address.indexOf('@')), 12));
  if (f.rawEightBitHeaders) out.add('meta:8bit-header');
  if (f.subject.includes('\ufffd')) out.add('meta:subject-undecodable');
}

/** Undecodable bytes and how much of the text is in a non-Latin script. */
function addScriptShape(out: Set<string>, f: MessageFacts, body: string): void {
  let latin = 0, other = 0, bad = 0;
  const n = Math.min(body.length, 5000);
  for (let i = 0; i < n; i++) {
    const c = body.charCodeAt(i);
    if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) latin++;
    else if (c === 0xfffd) bad++;
    else if (c > 0xbf) other++;
  }
  if (bad > 0) out.add('repl:' + (bad > 20 ? 2 : 1));
  if (latin + other > 20) out.add('nonlat:' + (other / (latin + other) > 0.5 ? 2 : other / (latin + other) > 0.05 ? 1 : 0));
}

/**
 * The Date value ends in a numeric zone, maybe followed by a comment: "+0200", "+0200 (CEST)".
 * The same answer as /[+-]\d{4}\s*(?:\([^)]*\))?\s*$/ in linear time: that regex backtracks
 * quadratically over a long run of spaces, or over many "+0000(" with no ")".
 */
function numericZoneAtEnd(date: string): boolean {
  const zoneAtEnd = (s: string) => /^[+-]\d{4}$/.test(s.trimEnd().slice(-5));
  const t = date.trimEnd();
  if (zoneAtEnd(t)) return true;
  if (!t.endsWith(')')) return false;
  // The comment is "(" … ")" with no ")" inside: it opens after the previous ")".
  for (let i = t.indexOf('(', t.lastIndexOf(')', t.length - 2) + 1); i >= 0; i = t.indexOf('(', i + 1)) {
    if (zoneAtEnd(t.slice(0, i))) return true;
  }
  return false;
}

/** How the sending software formed its headers: bulk tools and hand-rolled scripts get these subtly wrong. */
function addHeaderShape(out: Set<string>, f: MessageFacts): void {
  const get = (name: string) => f.headers.find((h) => h.name === name)?.value;
  const mid = get('message-id');
  out.add('mid:' + (mid === undefined ? 'none' : /^<[^<>@\s]+@[^<>@\s]+>$/.test(mid.trim()) ? 'ok' : 'bad'));
  const date = get('date');
  out.add('date:' + (date === undefined ? 'none' : numericZoneAtEnd(date) ? 'num' : /\b[A-Z]{2,5}\s*$/.test(date) ? 'named' : 'notz'));
  const to = get('to');
  out.add('to:' + (to === undefined ? 'none' : /undisclosed|recipient list/i.test(to) ? 'undisclosed' : bucket(f.headerRecipients, [2, 5, 20])));
  const subjectLetters = f.subject.replace(/[^\p{L}]/gu, '');
  if (subjectLetters.length >= 4) out.add('scaps:' + bucket(subjectLetters.replace(/[^\p{Lu}]/gu, '').length / subjectLetters.length, [0.3, 0.6, 0.9]));
  if (/!/.test(f.subject)) out.add('sbang');
  if (/\$\d|\d%/.test(f.subject)) out.add('smoney');
  if (/\s{3}\S+$/.test(f.subject.trimEnd())) out.add('strailer'); // = /\s{3,}\S+\s*$/, without its quadratic backtracking over long space runs
  if (f.from) {
    if (!f.from.name) out.add('fname:none');
    else if (f.from.name.toLowerCase() === f.from.address) out.add('fname:address');
    else if (f.from.name.length >= 4 && f.from.name === f.from.name.toUpperCase() && /[A-Z]/.test(f.from.name)) out.add('fname:caps');
  }
}
