// A lean MIME walk for scoring: finds every leaf part, decodes it, and notes
// structural oddities. Not a general parser (mailparser does that for the
// message log); it is bounded in depth and parts so hostile mail stays cheap.
import { decodeCharset, decodeHeaderValue, decodeTransfer } from './decode.js';
import { headerValue, parseHeaderBlock, parseStructured, splitHeadBody, type HeaderField } from '../../message/headers.js';

export interface LeafPart {
  contentType: string;
  charset?: string;
  disposition: string;
  /** Decoded filename (Content-Disposition filename or Content-Type name). */
  filename?: string;
  /** Transfer-decoded bytes. */
  content: Buffer;
}

export interface MimeTree {
  headers: HeaderField[];
  leaves: LeafPart[];
  /** Names of structural oddities: see ODDITIES in rules for their meaning. */
  oddities: string[];
  partCount: number;
}

const MAX_DEPTH = 12;
const MAX_PARTS = 300;

export function walkMime(raw: string): MimeTree {
  const { headEnd, bodyStart } = splitHeadBody(raw);
  const headers = parseHeaderBlock(raw.slice(0, headEnd));
  const tree: MimeTree = { headers, leaves: [], oddities: [], partCount: 0 };
  walkEntity(tree, headers, raw, bodyStart, raw.length, 0);
  return tree;
}

function odd(tree: MimeTree, name: string): void {
  if (!tree.oddities.includes(name)) tree.oddities.push(name);
}

function walkEntity(tree: MimeTree, headers: HeaderField[], s: string, start: number, end: number, depth: number): void {
  tree.partCount++;
  const ct = parseStructured(headerValue(headers, 'content-type'));
  const type = ct.value || 'text/plain';
  if (type.startsWith('multipart/')) {
    const boundary = ct.params.boundary;
    if (!boundary) { odd(tree, 'multipart-without-boundary'); return addLeaf(tree, headers, ct.params, 'text/plain', s.slice(start, end)); }
    if (depth >= MAX_DEPTH) { odd(tree, 'mime-too-deep'); return; }
    const parts = splitMultipart(s, start, end, boundary);
    if (!parts.closed) odd(tree, 'multipart-not-closed');
    if (parts.ranges.length === 0) odd(tree, 'multipart-empty');
    for (const [ps, pe] of parts.ranges) {
      if (tree.partCount >= MAX_PARTS) { odd(tree, 'too-many-parts'); return; }
      const hb = splitHeadBody(s, ps, pe);
      const headEnd = Math.min(hb.headEnd, pe);
      const partHeaders = parseHeaderBlock(s.slice(ps, headEnd));
      walkEntity(tree, partHeaders, s, Math.min(hb.bodyStart, pe), pe, depth + 1);
    }
    return;
  }
  if (type === 'message/rfc822' && depth < MAX_DEPTH) {
    const hb = splitHeadBody(s, start, end);
    const inner = parseHeaderBlock(s.slice(start, Math.min(hb.headEnd, end)));
    return walkEntity(tree, inner, s, Math.min(hb.bodyStart, end), end, depth + 1);
  }
  addLeaf(tree, headers, ct.params, type, s.slice(start, end));
}

function addLeaf(tree: MimeTree, headers: HeaderField[], ctParams: Record<string, string>, type: string, body: string): void {
  const transferEncoding = (headerValue(headers, 'content-transfer-encoding') ?? '7bit').trim().toLowerCase();
  const disp = parseStructured(headerValue(headers, 'content-disposition'));
  const rawName = disp.params.filename ?? ctParams.name;
  const filename = rawName ? decodeHeaderValue(rawName) : undefined;
  if (transferEncoding === 'base64' && /[^A-Za-z0-9+/=\s]/.test(body)) odd(tree, 'base64-garbage');
  tree.leaves.push({
    contentType: type,
    charset: ctParams.charset,
    disposition: disp.value,
    filename,
    content: decodeTransfer(body, transferEncoding),
  });
}

/** Ranges of the body parts between boundary lines; `closed` when the final "--b--" was seen. */
function splitMultipart(s: string, start: number, end: number, boundary: string): { ranges: [number, number][]; closed: boolean } {
  const delim = '--' + boundary;
  const ranges: [number, number][] = [];
  // Searched within [start, end) only (a slice shares the string's memory): searching `s` would run on
  // past `end` to the end of the message for every part whose boundary never occurs inside it.
  const within = s.slice(start, end);
  let pos = start;
  let partStart = -1;
  let closed = false;
  while (pos < end) {
    const w = within.indexOf(delim, pos - start);
    const i = w < 0 ? -1 : w + start;
    if (i < 0 || i >= end) break;
    const atLineStart = i === start || s.charCodeAt(i - 1) === 0x0a;
    pos = i + delim.length;
    if (!atLineStart) continue;
    const isClose = s.startsWith('--', pos);
    if (partStart >= 0) {
      // the line break before the delimiter belongs to the delimiter
      let pe = i;
      if (s.charCodeAt(pe - 1) === 0x0a) pe--;
      if (s.charCodeAt(pe - 1) === 0x0d) pe--;
      ranges.push([partStart, Math.max(partStart, pe)]);
    }
    if (isClose) { closed = true; break; }
    const nl = s.indexOf('\n', pos);
    partStart = nl < 0 || nl >= end ? end : nl + 1;
  }
  if (!closed && partStart >= 0 && partStart < end) ranges.push([partStart, end]);
  return { ranges, closed };
}

/** Text of a leaf in its charset. */
export function leafText(leaf: LeafPart): string {
  return decodeCharset(leaf.content, leaf.charset);
}
