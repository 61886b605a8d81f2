// Every URL a message carries: plain text, HTML hrefs, and the obfuscated
// forms spam uses to slip past link scanners (hxxp://, "example[.]com",
// "w w w . example . com"), each reduced to a normalised host.

import { trimEndOf } from '../message/headers.js';

export type UrlSource = 'text' | 'href' | 'obfuscated';

export interface UrlFact {
  url: string;
  /** Lower-case host, no port, no trailing dot; an IPv4 dotted quad for numeric hosts. */
  host: string;
  source: UrlSource;
  /** The host was a raw IP (dotted, decimal, hex or octal). */
  rawIp: boolean;
  /** Link text, for hrefs. */
  text?: string;
}

const TEXT_URL = /\b(?:https?:\/\/|www\.)[^\s<>"'()[\]{}|\\^`]+/gi;
const SPACED_HTTP = /\bh\s*t\s*t\s*p\s*s?\s*:\s*\/\s*\/\s*[^\s<>"']+/gi;
const OBFUSCATED = [
  /\bhxxps?:\/\/[^\s<>"']+/gi,
  SPACED_HTTP,
  // Labels of at most 63 characters (the DNS limit): an unbounded `[a-z0-9-]+` after `\b` rescans a long
  // "a-a-a-…" run from every dash, quadratic in its length.
  /\b[a-z0-9-]{1,63}(?:\s*(?:\[\.\]|\(\.\)|\[dot\]|\(dot\)|\{dot\})\s*[a-z0-9-]{1,63})+/gi,
];

/** Punctuation that ends a sentence rather than a URL. */
const TRAILING_PUNCTUATION = /[.,;:!?)\]>'"]/;

export function hostOf(url: string): { host: string; rawIp: boolean } | undefined {
  let rest = url.trim().replace(/^hxxp/i, 'http');
  rest = rest.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/^\/\//, '');
  if (/^(?:mailto|javascript|data|tel|cid):/i.test(url.trim())) return undefined;
  let host = rest.split(/[/?#\\]/, 1)[0]!;
  const at = host.lastIndexOf('@'); // http://paypal.com@evil.example/ hides the real host after '@'
  if (at >= 0) host = host.slice(at + 1);
  host = trimEndOf(host.replace(/:\d*$/, ''), /\./).toLowerCase();
  if (host.includes('%')) {
    try { host = decodeURIComponent(host); } catch { /* keep as is */ }
  }
  if (!host || !/^[\p{L}\p{N}.-]+$/u.test(host)) {
    return host.startsWith('[') ? { host, rawIp: true } : undefined;
  }
  const ip = numericHostToIpv4(host);
  if (ip) return { host: ip, rawIp: true };
  if (!host.includes('.')) return undefined;
  return { host, rawIp: false };
}

/** 1.2.3.4, 3232235777, 0xC0A80001, 0300.0250.0.1 -> dotted quad; undefined when not numeric. */
export function numericHostToIpv4(host: string): string | undefined {
  if (/^\d+$/.test(host) && host.length <= 10) {
    const n = Number(host);
    if (n > 0xffffff && n <= 0xffffffff) return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
    return undefined;
  }
  if (/^0x[0-9a-f]{1,8}$/i.test(host)) {
    const n = parseInt(host, 16);
    return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
  }
  const parts = host.split('.');
  if (parts.length !== 4) return undefined;
  const nums: number[] = [];
  for (const p of parts) {
    let v: number;
    if (/^0x[0-9a-f]+$/i.test(p)) v = parseInt(p, 16);
    else if (/^0[0-7]+$/.test(p)) v = parseInt(p, 8);
    else if (/^\d+$/.test(p)) v = Number(p);
    else return undefined;
    if (v > 255) return undefined;
    nums.push(v);
  }
  return nums.join('.');
}

export function extractUrls(text: string, links: { href: string; text: string }[]): UrlFact[] {
  const out: UrlFact[] = [];
  const seen = new Set<string>();
  const add = (url: string, source: UrlSource, linkText?: string) => {
    const cleaned = trimEndOf(url, TRAILING_PUNCTUATION);
    const h = hostOf(/^www\./i.test(cleaned) ? 'http://' + cleaned : cleaned);
    if (!h) return;
    const key = source + ' ' + cleaned;
    if (seen.has(key) || out.length >= 1000) return;
    seen.add(key);
    out.push({ url: cleaned, host: h.host, rawIp: h.rawIp, source, ...(linkText !== undefined ? { text: linkText } : {}) });
  };
  for (const l of links) if (/^(?:https?:|\/\/|www\.)/i.test(l.href)) add(l.href, 'href', l.text);
  for (const m of text.matchAll(TEXT_URL)) add(m[0], 'text');
  if (/hxxp|h\s+t\s*t\s*p|\[\.\]|\(\.\)|\[dot\]|\(dot\)|\{dot\}/i.test(text)) {
    for (const re of OBFUSCATED) {
      for (const m of text.matchAll(re)) {
        if (re === SPACED_HTTP && !/\s/.test(m[0])) continue; // a plain http:// link, already found above
        const norm = m[0].replace(/\s+/g, '').replace(/\[\.\]|\(\.\)|\[dot\]|\(dot\)|\{dot\}/gi, '.');
        if (/\.[a-z]{2,}/i.test(norm)) add(/^h/i.test(norm) && norm.includes('://') ? norm : 'http://' + norm, 'obfuscated');
      }
    }
  }
  return out;
}

/** The registrable-ish domain: last two labels, or three under common second-level suffixes. */
export function baseDomain(host: string): string {
  const labels = host.split('.');
  if (labels.length <= 2) return host;
  const sl = labels[labels.length - 2]!;
  const take = /^(?:co|com|net|org|ac|gov|edu|ne|or)$/.test(sl) && labels[labels.length - 1]!.length === 2 ? 3 : 2;
  return labels.slice(-take).join('.');
}
