// Parse once into message facts: everything the rules, the classifier and
// the attachment checks look at, so none of them touches raw MIME again.
import { createHash } from 'node:crypto';
import { sniffType } from './attachments/sniff.js';
import type { AttachmentFact } from './attachments/check.js';
import { renderHtml, type HtmlFacts } from './html.js';
import { decodeHeaderValue, type EncodedWordStats } from './mime/decode.js';
import { countAddresses, headerCount, headerValue, parseMailbox, type HeaderField, type Mailbox } from '../message/headers.js';
import { leafText, walkMime } from './mime/walk.js';
import { extractUrls, type UrlFact } from './urls.js';

/** The HTML facts (links, hidden text, images, forms, scripts) ride along; their rendered text is htmlText. */
export interface MessageFacts extends Omit<HtmlFacts, 'text'> {
  headers: HeaderField[];
  messageId?: string;
  /** Decoded subject ('' when absent). */
  subject: string;
  hasSubject: boolean;
  from?: Mailbox;
  replyTo?: Mailbox;
  /** Addresses in To and Cc headers. */
  headerRecipients: number;
  xAuthUser?: string;
  mailer?: string;
  /** Plain-text parts, joined. */
  text: string;
  /** HTML parts rendered to text, joined. */
  htmlText: string;
  hasTextPart: boolean;
  hasHtmlPart: boolean;
  urls: UrlFact[];
  attachments: AttachmentFact[];
  /** Every decoded leaf, including text parts (EICAR can hide in a text part too). */
  leafCount: number;
  oddities: string[];
  encodedWords: EncodedWordStats;
  /** Raw (latin1) header bytes that are not ASCII, outside encoded words. */
  rawEightBitHeaders: boolean;
  rawSize: number;
  /** Charsets declared by the text parts. */
  charsets: string[];
}

const MAX_TEXT = 200_000; // more text than this adds cost, not evidence

export function parseMessage(raw: Buffer): MessageFacts {
  const s = raw.toString('latin1');
  const tree = walkMime(s);
  const h = tree.headers;
  const encodedWords: EncodedWordStats = { count: 0, needless: 0, charsets: new Set() };
  // Unencoded 8-bit header bytes that are not UTF-8 are read in the charset of the
  // message's text, as mail clients do (older clients wrote both in one charset).
  const textCharset = tree.leaves.find((l) => l.charset && l.contentType.startsWith('text/'))?.charset;
  const dec = (name: string) => {
    const v = headerValue(h, name);
    return v === undefined ? undefined : decodeHeaderValue(v, encodedWords, textCharset);
  };
  const subjectRaw = dec('subject');
  const textParts: string[] = [];
  const htmlParts: string[] = [];
  const attachments: AttachmentFact[] = [];
  const charsets = new Set<string>();
  for (const leaf of tree.leaves) {
    const isText = leaf.contentType === 'text/plain' || leaf.contentType === 'text/html';
    // Clients show a text or HTML part that is not marked as an attachment in the
    // message, filename or not: it is body text. A named one is listed as an
    // attachment as well, so the attachment checks still see it.
    if (isText && leaf.disposition !== 'attachment') {
      const body = leafText(leaf);
      if (leaf.charset) charsets.add(leaf.charset.toLowerCase().replace(/["']/g, ''));
      // HTML sent as text/plain still renders as HTML in many clients; read it as HTML.
      const looksHtml = leaf.contentType === 'text/html' || /^\s*<(?:!doctype|html|head|body|table|p|div)\b/i.test(body.slice(0, 300));
      (looksHtml ? htmlParts : textParts).push(body);
      if (!leaf.filename) continue;
    }
    if (leaf.contentType.startsWith('text/') && !leaf.filename && leaf.disposition !== 'attachment') {
      textParts.push(leafText(leaf));
      continue;
    }
    attachments.push({
      ...(leaf.filename !== undefined ? { filename: leaf.filename } : {}),
      declaredType: leaf.contentType,
      sniffedType: sniffType(leaf.content),
      size: leaf.content.length,
      sha256: createHash('sha256').update(leaf.content).digest('hex'),
      content: leaf.content,
    });
  }
  const text = textParts.join('\n').slice(0, MAX_TEXT);
  const { text: htmlText, ...html } = renderHtml(htmlParts.join('\n').slice(0, MAX_TEXT * 2));
  const from = parseMailbox(dec('from'));
  const replyTo = parseMailbox(dec('reply-to'));
  const oddities = [...tree.oddities];
  if (headerCount(h, 'from') > 1) oddities.push('duplicate-from');
  if (headerCount(h, 'subject') > 1) oddities.push('duplicate-subject');
  if (tree.partCount > 1 && !headerValue(h, 'mime-version')) oddities.push('mime-without-version');
  const headEnd = s.search(/\r?\n\r?\n/);
  const rawHead = headEnd < 0 ? s : s.slice(0, headEnd);
  const messageId = headerValue(h, 'message-id')?.replace(/^<|>$/g, '').trim();
  const xAuthUser = headerValue(h, 'x-authuser')?.trim().toLowerCase();
  const mailer = headerValue(h, 'x-mailer') ?? headerValue(h, 'user-agent');
  return {
    headers: h,
    ...(messageId ? { messageId } : {}),
    subject: (subjectRaw ?? '').trim(),
    hasSubject: subjectRaw !== undefined,
    ...(from ? { from } : {}),
    ...(replyTo ? { replyTo } : {}),
    headerRecipients: countAddresses(headerValue(h, 'to')) + countAddresses(headerValue(h, 'cc')),
    ...(xAuthUser ? { xAuthUser } : {}),
    ...(mailer ? { mailer } : {}),
    text,
    htmlText,
    hasTextPart: textParts.length > 0,
    hasHtmlPart: htmlParts.length > 0,
    ...html,
    urls: extractUrls(text + '\n' + htmlText, html.links),
    attachments,
    leafCount: tree.leaves.length,
    oddities,
    encodedWords,
    rawEightBitHeaders: /[\x80-\xff]/.test(rawHead.replace(/=\?[^?]*\?[bq]\?[^?]*\?=/gi, '')),
    rawSize: raw.length,
    charsets: [...charsets],
  };
}

/** Hash of the normalised body: digits, URLs' query strings and whitespace removed, so one campaign gives one value. */
export function bodyFingerprint(facts: MessageFacts): string {
  const body = (facts.text || facts.htmlText)
    .toLowerCase()
    .replace(/(https?:\/\/[^\s/?#]+)[^\s]*/g, '$1')
    .replace(/\d+/g, '')
    .replace(/[^\p{L}]+/gu, ' ')
    .trim();
  const attachmentHashes = facts.attachments.map((a) => a.sha256).sort().join(',');
  return createHash('sha256').update(body).update('\0').update(attachmentHashes).digest('hex').slice(0, 32);
}
