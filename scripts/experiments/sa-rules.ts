// An experiment, not shipped: SpamAssassin's rule set (Apache License 2.0,
// Debian package `spamassassin`, /usr/share/spamassassin) read as extra
// classifier evidence. The regex rules (header, body, rawbody, uri, full,
// exists:, meta) are translated from Perl to JS; eval: rules (Perl code,
// DNS, Bayes) are skipped. SA matches bytes, so every text is given to the
// rules as its UTF-8 bytes. See docs/scoring.md, "The spam target and the
// newsletter limit".
import { readFileSync, readdirSync } from 'node:fs';
import type { MessageFacts } from '../../core/scoring/facts.js';
import { walkMime, leafText } from '../../core/scoring/mime/walk.js';
import { decodeHeaderValue } from '../../core/scoring/mime/decode.js';
import { parseMailbox } from '../../core/message/headers.js';

export type Kind = 'body' | 'rawbody' | 'header' | 'uri' | 'full' | 'meta';
export interface Rule { name: string; kind: Kind; re?: RegExp; header?: string; neg?: boolean; exists?: string; unset?: string; meta?: string }

function parseRegex(src: string): { body: string; flags: string } | undefined {
  src = src.trim();
  let open = src[0]!, i = 1;
  if (open === 'm' && src.length > 1 && !/[\w\s]/.test(src[1]!)) { open = src[1]!; i = 2; }
  const close = ({ '{': '}', '(': ')', '[': ']', '<': '>' } as Record<string, string>)[open] ?? open;
  if (/\w/.test(open)) return undefined;
  let depth = 0, j = i;
  for (; j < src.length; j++) {
    const c = src[j];
    if (c === '\\') { j++; continue; }
    if (close !== open && c === open) depth++;
    else if (c === close) { if (depth === 0) break; depth--; }
  }
  if (j >= src.length) return undefined;
  return { body: src.slice(i, j), flags: src.slice(j + 1).trim() };
}

// SpamAssassin compiles every rule as qr/…/aa (Mail::SpamAssassin::Util
// compile_regexp) and matches byte strings. The translation below keeps what
// that means where JS reads the same syntax differently:
// - `.` is any byte but \n (JS also stops at \r);
// - `$` (and \Z) also matches before a final \n, and with /m `^` and `$` see
//   only \n as a line end (JS also \r): both are written as lookarounds, and
//   the JS m and s flags are not used;
// - \s is ASCII white space under /aa (JS \s also matches \xa0, a byte common
//   in UTF-8 text);
// - \e, \a, \h, \v, \Z, \z, \A, octal and \x{…} escapes, POSIX classes.
// What has no JS equivalent (possessive quantifiers, atomic groups, \K, inline
// modifiers after the start, …) makes the rule untranslatable rather than
// approximated. /i needs nothing: under /aa Perl folds Latin-1 letters as JS does.

/** POSIX classes under /aa: ASCII only. */
const POSIX: Record<string, string> = {
  alpha: 'a-zA-Z', digit: '0-9', alnum: 'a-zA-Z0-9', upper: 'A-Z', lower: 'a-z', space: '\\t\\n\\x0b\\f\\r ',
  punct: '!-\\/:-@\\[-`{-~', xdigit: '0-9a-fA-F', print: '\\x20-\\x7e', cntrl: '\\x00-\\x1f\\x7f', word: '\\w', blank: ' \\t', graph: '\\x21-\\x7e',
};
/** Perl's \s under /aa, and its complement, as class contents. */
const SPACE = '\\t\\n\\x0b\\f\\r ';
const NOT_SPACE = '\\x00-\\x08\\x0e-\\x1f\\x21-\\uffff';
/** \h and \v (not narrowed by /aa), as class contents. */
const HSPACE = '\\t \\xa0\\u1680\\u2000-\\u200a\\u202f\\u205f\\u3000';
const VSPACE = '\\n\\x0b\\f\\r\\x85\\u2028\\u2029';
const START = '(?<![\\s\\S])';
const END = '(?![\\s\\S])';
const END_OR_FINAL_NEWLINE = '(?=\\n?(?![\\s\\S]))';
/** Escapes Perl knows and JS reads otherwise or not at all. */
const UNSUPPORTED_ESCAPE = /[KGXRNCpPglLuUo]/;

const hex = (code: number) => '\\x' + code.toString(16).padStart(2, '0');
const quoted = (lit: string) => lit.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

/** Perl regex source and flags to a JS RegExp matching the same strings, or undefined when it cannot be expressed. */
export function toJs(body: string, flags: string): RegExp | undefined {
  let ignoreCase = false, dotAll = false, multiline = false, ext = false;
  const flag = (c: string): boolean => {
    if (c === 'i') ignoreCase = true;
    else if (c === 's') dotAll = true;
    else if (c === 'm') multiline = true;
    else if (c === 'x') ext = true;
    else return c === 'g' || c === 'o';
    return true;
  };
  for (const c of flags) if (!flag(c)) return undefined;
  let s = body;
  const lead = /^\(\?([imsx]+)\)/.exec(s);
  if (lead) { for (const c of lead[1]!) flag(c); s = s.slice(lead[0].length); }
  if (ext) s = stripExtended(s);
  s = s.replace(/\(\?#[^)]*\)/g, '');
  const js = translate(s, dotAll, multiline);
  if (js === undefined) return undefined;
  try { return new RegExp(js, ignoreCase ? 'i' : ''); } catch { return undefined; }
}

/** One escape at s[i] ('\\'): its JS form, in or outside a class, and how many characters it took. */
function escape(s: string, i: number, inClass: boolean): { js: string; len: number } | undefined {
  const d = s[i + 1];
  if (d === undefined || UNSUPPORTED_ESCAPE.test(d)) return undefined;
  const outside = (js: string) => (inClass ? undefined : { js, len: 2 });
  switch (d) {
    case 'A': return outside(START);
    case 'z': return outside(END);
    case 'Z': return outside(END_OR_FINAL_NEWLINE);
    case 's': return { js: inClass ? SPACE : `[${SPACE}]`, len: 2 };
    case 'S': return { js: inClass ? NOT_SPACE : `[${NOT_SPACE}]`, len: 2 };
    case 'h': return { js: inClass ? HSPACE : `[${HSPACE}]`, len: 2 };
    case 'H': return outside(`[^${HSPACE}]`);
    case 'v': return { js: inClass ? VSPACE : `[${VSPACE}]`, len: 2 };
    case 'V': return outside(`[^${VSPACE}]`);
    case 'e': return { js: '\\x1b', len: 2 };
    case 'a': return { js: '\\x07', len: 2 };
    case 'E': return { js: '', len: 2 };
    case 'Q': {
      const end = s.indexOf('\\E', i + 2);
      const lit = s.slice(i + 2, end < 0 ? s.length : end);
      return { js: inClass ? lit.replace(/[\]\\^-]/g, '\\$&') : quoted(lit), len: (end < 0 ? s.length : end + 2) - i };
    }
    case 'x': {
      const braced = /^\{([0-9a-fA-F]*)\}/.exec(s.slice(i + 2));
      if (braced) {
        const code = parseInt(braced[1] || '0', 16);
        return code <= 0xff ? { js: hex(code), len: 2 + braced[0].length } : undefined;
      }
      const digits = /^[0-9a-fA-F]{0,2}/.exec(s.slice(i + 2))![0];
      return { js: hex(parseInt(digits || '0', 16)), len: 2 + digits.length };
    }
  }
  const octal = /^(?:0[0-7]{0,2}|[1-7][0-7]{2})/.exec(s.slice(i + 1));
  if (octal) return { js: hex(parseInt(octal[0], 8) & 0xff), len: 1 + octal[0].length };
  return { js: '\\' + d, len: 2 };
}

function translate(s: string, dotAll: boolean, multiline: boolean): string | undefined {
  let out = '';
  let inClass = false, classStart = false;
  for (let i = 0; i < s.length;) {
    const c = s[i]!;
    if (c === '\\') {
      const e = escape(s, i, inClass);
      if (!e) return undefined;
      out += e.js; i += e.len; classStart = false;
      continue;
    }
    if (inClass) {
      if (c === ']' && classStart) out += '\\]'; // a ']' first in a class is a literal in Perl
      else if (c === ']') inClass = false, out += c;
      else if (c === '[' && s[i + 1] === ':') {
        const posix = /^\[:(\w+):\]/.exec(s.slice(i));
        if (!posix || !POSIX[posix[1]!]) return undefined; // [:^name:] and unknown names
        out += POSIX[posix[1]!]; i += posix[0].length; classStart = false;
        continue;
      } else if (c === '[') out += '\\[';
      else out += c;
      classStart = false; i++;
      continue;
    }
    if (c === '[') {
      inClass = true; classStart = true;
      const negated = s[i + 1] === '^';
      out += negated ? '[^' : '['; i += negated ? 2 : 1;
      continue;
    }
    if (c === '(' && s[i + 1] === '?') {
      const group = /^\(\?(?:[:=!]|<[=!]|<[A-Za-z_]\w*>|'([A-Za-z_]\w*)')/.exec(s.slice(i));
      if (!group) return undefined; // atomic groups, inline modifiers, conditionals, recursion, code
      out += group[1] ? `(?<${group[1]}>` : group[0]; i += group[0].length;
      continue;
    }
    const quantifier = /^(?:[*+?]|\{\d+(?:,\d*)?\}|\{,\d+\})/.exec(s.slice(i));
    if (quantifier) {
      if (s[i + quantifier[0].length] === '+') return undefined; // possessive
      out += quantifier[0].replace('{,', '{0,'); i += quantifier[0].length;
      if (s[i] === '?') { out += '?'; i++; }
      continue;
    }
    if (c === '.') out += dotAll ? '[\\s\\S]' : '[^\\n]';
    else if (c === '^') out += multiline ? '(?<![^\\n])' : START;
    else if (c === '$') out += multiline ? '(?![^\\n])' : END_OR_FINAL_NEWLINE;
    else out += c;
    i++;
  }
  return inClass ? undefined : out;
}

function stripExtended(s: string): string {
  let out = '', inClass = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\') { out += c + (s[i + 1] ?? ''); i++; continue; }
    if (inClass) { if (c === ']') inClass = false; out += c; continue; }
    if (c === '[') { inClass = true; out += c; continue; }
    if (/\s/.test(c)) continue;
    if (c === '#') { while (i < s.length && s[i] !== '\n') i++; continue; }
    out += c;
  }
  return out;
}

export const SA_RULES_DIR = '/usr/share/spamassassin';

export function loadRules(dir = SA_RULES_DIR): { rules: Rule[]; skipped: number } {
  const tags = new Map<string, string>(), inter = new Map<string, string>(), post = new Map<string, string>(), pre = new Map<string, string>();
  const replaceRules = new Set<string>();
  const raw: { kind: string; name: string; rest: string }[] = [];
  for (const file of readdirSync(dir).filter((n) => n.endsWith('.cf')).sort()) {
    const text = readFileSync(`${dir}/${file}`, 'latin1');
    for (const line0 of text.split('\n')) {
      const line = line0.replace(/(^|\s)#.*$/, '').trim();
      const m = /^(\w+)\s+(\S+)\s*(.*)$/.exec(line);
      if (!m) continue;
      const [, kw, name, rest] = m as unknown as [string, string, string, string];
      if (kw === 'replace_tag') tags.set(name, rest.trim());
      else if (kw === 'replace_inter') inter.set(name, rest.trim());
      else if (kw === 'replace_post') post.set(name, rest.trim());
      else if (kw === 'replace_pre') pre.set(name, rest.trim());
      else if (kw === 'replace_rules') for (const r of (name + ' ' + rest).split(/\s+/)) replaceRules.add(r);
      else if (['body', 'rawbody', 'header', 'uri', 'full', 'meta', 'mimeheader'].includes(kw)) raw.push({ kind: kw, name, rest });
    }
  }
  const latest = new Map<string, { kind: string; name: string; rest: string }>();
  for (const r of raw) latest.set(r.name, r); // later definitions win, as in SA
  const rules: Rule[] = [];
  let skipped = 0;
  const expand = (src: string): string => {
    // <inter X> and <post X> set state for the following tags
    let interV = '', postV = '';
    return src.replace(/<(inter|post|pre)\s+(\w+)>|<(\w+)>/g, (m, kw?: string, v?: string, tag?: string) => {
      if (kw === 'inter') { interV = inter.get(v!) ?? ''; return ''; }
      if (kw === 'post') { postV = post.get(v!) ?? ''; return ''; }
      if (kw === 'pre') return pre.get(v!) ?? '';
      const t = tags.get(tag!);
      if (t === undefined) return m;
      return t + postV + interV;
    }).replace(new RegExp('(' + escapeRe(interV || '\u0000') + ')$'), '');
  };
  for (const r of latest.values()) {
    if (r.rest.includes('eval:')) { skipped++; continue; }
    if (r.kind === 'meta') { rules.push({ name: r.name, kind: 'meta', meta: r.rest }); continue; }
    if (r.kind === 'header' || r.kind === 'mimeheader') {
      const ex = /^exists:(\S+)/.exec(r.rest);
      if (ex) { rules.push({ name: r.name, kind: 'header', exists: ex[1]!.toLowerCase() }); continue; }
      const hm = /^(\S+?)\s*(=~|!~)\s*(.*?)(?:\s*\[if-unset:\s*(.*)\])?$/.exec(r.rest);
      if (!hm || r.kind === 'mimeheader') { skipped++; continue; }
      const rx = parseRegex(hm[3]!);
      if (!rx) { skipped++; continue; }
      const body = replaceRules.has(r.name) ? expand(rx.body) : rx.body;
      const re = toJs(body, rx.flags);
      if (!re) { skipped++; continue; }
      rules.push({ name: r.name, kind: 'header', header: hm[1]!, neg: hm[2] === '!~', re, unset: hm[4] });
      continue;
    }
    const rx = parseRegex(r.rest);
    if (!rx) { skipped++; continue; }
    const body = replaceRules.has(r.name) ? expand(rx.body) : rx.body;
    const re = toJs(body, rx.flags);
    if (!re) { skipped++; continue; }
    rules.push({ name: r.name, kind: r.kind as Kind, re });
  }
  return { rules, skipped };
}
function escapeRe(s: string): string { return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'); }

/** UTF-8 bytes as a latin1 string: SA's rules are written against bytes. */
export function bytes(s: string): string { return Buffer.from(s, 'utf8').toString('latin1'); }

export interface SaInput { body: string; rawbody: string; full: string; uris: string[]; header: (spec: string) => string | undefined; has: (name: string) => boolean }

export function saInput(raw: Buffer, f: MessageFacts): SaInput {
  const s = raw.toString('latin1');
  const tree = walkMime(s);
  const textLeaves = tree.leaves.filter((l) => l.contentType.startsWith('text/'));
  const rawbody = textLeaves.map((l) => bytes(leafText(l))).join('\n');
  const paras = (f.subject + '\n' + (f.text || '') + '\n' + (f.htmlText || '')).split(/\n\s*\n/).map((p) => p.replace(/\s*\n\s*/g, ' ').trim()).filter(Boolean);
  const body = bytes(paras.join('\n'));
  const uris = f.urls.map((u) => bytes(u.url));
  const hs = tree.headers;
  const dec = (v: string) => bytes(decodeHeaderValue(v, { count: 0, needless: 0, charsets: new Set() }));
  const header = (spec: string): string | undefined => {
    const [name, mod] = spec.split(':') as [string, string | undefined];
    const lname = name.toLowerCase();
    if (lname === 'all') return hs.map((h) => `${h.name}: ${mod === 'raw' ? h.value : dec(h.value)}`).join('\n') + '\n';
    let names = [lname];
    if (lname === 'tocc') names = ['to', 'cc'];
    if (lname === 'messageid') names = ['message-id', 'resent-message-id', 'x-message-id'];
    const vals = hs.filter((h) => names.includes(h.name)).map((h) => h.value);
    if (!vals.length) return undefined;
    if (mod === 'raw') return vals.join('\n');
    const d = vals.map(dec);
    if (mod === 'addr') return d.map((v) => parseMailbox(v)?.address ?? v).join('\n');
    if (mod === 'name') return d.map((v) => parseMailbox(v)?.name ?? '').join('\n');
    return d.join('\n') + '\n';
  };
  return { body, rawbody, full: s, uris, header, has: (n) => hs.some((h) => h.name === n) };
}

/** Headers a relay or list adds: stripped before scoring, and not evidence of the sender. */
const SKIP_HEADERS = /^(x-spam-|received|return-path|envelopefrom|delivered-to|x-originating|x-mailing|list-|mailing-list|precedence|sender$|errors-to|x-beenthere|x-mailman|x-loop)/i;

export function evaluate(rules: Rule[], inp: SaInput): Set<string> {
  const hit = new Set<string>();
  for (const r of rules) {
    if (r.kind === 'meta') continue;
    const re = r.re;
    switch (r.kind) {
      case 'body': if (re!.test(inp.body)) hit.add(r.name); break;
      case 'rawbody': if (re!.test(inp.rawbody)) hit.add(r.name); break;
      case 'full': if (inp.full.length < 300_000 && re!.test(inp.full)) hit.add(r.name); break;
      case 'uri': if (inp.uris.some((u) => re!.test(u))) hit.add(r.name); break;
      case 'header': {
        if (r.exists) { if (!SKIP_HEADERS.test(r.exists) && inp.has(r.exists)) hit.add(r.name); break; }
        if (SKIP_HEADERS.test(r.header!)) break;
        const v = inp.header(r.header!) ?? r.unset ?? '';
        if (re!.test(v) !== !!r.neg) hit.add(r.name);
      }
    }
  }
  // Metas of metas: evaluate until nothing changes. Rules SA computes in Perl (eval:) count as not hit.
  const metas = rules.filter((r) => r.kind === 'meta');
  const fns = metaFns(metas);
  for (let pass = 0; pass < 4; pass++) {
    let changed = false;
    for (const [name, fn] of fns) { const v = fn(hit); if (v && !hit.has(name)) { hit.add(name); changed = true; } }
    if (!changed) break;
  }
  return hit;
}

const metaCache = new WeakMap<Rule[], [string, (h: Set<string>) => boolean][]>();
function metaFns(metas: Rule[]): [string, (h: Set<string>) => boolean][] {
  let c = metaCache.get(metas);
  if (c) return c;
  c = [];
  for (const m of metas) {
    const expr = m.meta!.replace(/\b[A-Za-z_]\w*\b/g, (n) => `(h.has(${JSON.stringify(n)})?1:0)`);
    if (/[^\s\d()&|!+\-*<>=.?:h"A-Za-z_,]/.test(expr)) continue;
    try { const fn = new Function('h', `return !!(${expr});`) as (h: Set<string>) => boolean; fn(new Set()); c.push([m.name, fn]); } catch { /* skip */ }
  }
  metaCache.set(metas, c);
  return c;
}
