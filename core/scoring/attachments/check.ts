// Attachment checks: executables and scripts (by content, not only by name),
// double extensions, macro-enabled Office files, encrypted and nested
// archives, and the EICAR test file anywhere, including inside a zip.
import type { Signal } from '../../model.js';
import { ARCHIVE_EXTENSIONS, ARCHIVE_TYPES, DANGEROUS_EXTENSIONS, EXECUTABLE_TYPES, MACRO_EXTENSIONS, UNIX_SCRIPT_EXTENSIONS, extensionOf, sniffType, type SniffedType } from './sniff.js';
import { readZip, TOTAL_BUDGET, type InflateBudget } from './zip.js';
import { read7z, readRar } from './rar-7z.js';

export interface AttachmentFact {
  filename?: string;
  declaredType: string;
  sniffedType: SniffedType;
  size: number;
  sha256: string;
  content: Buffer;
}

/** Weights of the attachment signals; the table is the documentation (docs/scoring.md). */
export const ATTACHMENT_WEIGHTS = {
  /** A Windows/Linux/macOS program or a shortcut, by content or by name. */
  'attachment-executable': 10,
  /** A script that runs when opened on Windows (js, vbs, ps1, bat, hta, ...). */
  'attachment-script': 10,
  /** A Unix script (#!, .sh, .pl): legitimate between developers, worth noting. */
  'attachment-unix-script': 1,
  /** "invoice.pdf.exe": a harmless-looking extension in front of a dangerous one. */
  'attachment-double-extension': 6,
  /** Office file that carries VBA macros. */
  'attachment-macro': 6,
  /** An archive whose entries are encrypted: scanners cannot look inside. */
  'attachment-encrypted-archive': 4,
  /** An archive inside an archive. */
  'attachment-nested-archive': 3,
  /** A program or script inside an archive. */
  'attachment-executable-in-archive': 10,
  /** An HTML or SVG attachment with a form, script or redirect: a local phishing page (it runs from disk, unseen by link scanners). */
  'attachment-html-active': 4,
  /** The EICAR anti-virus test file (decisive in core/verdict.ts). */
  'attachment-eicar': 10,
} as const;

export type AttachmentSignalName = keyof typeof ATTACHMENT_WEIGHTS;
type Hit = (name: AttachmentSignalName, detail: string) => void;

/** Uncompressed archive bytes read per message in all; past it, archive entries are judged by name only. */
const MESSAGE_INFLATE_BUDGET = 64 << 20;

const HTML_EXTENSIONS = new Set(['html', 'htm', 'shtml', 'xhtml', 'svg', 'mht', 'mhtml']);
const ACTIVE_HTML = /<form\b|<script\b|<meta[^>]{0,200}http-equiv\s*=\s*["']?refresh|(?:window|document)\.location|\batob\s*\(|<iframe\b/i;
const EICAR_MARK = 'EICAR-STANDARD-ANTIVIRUS-TEST-FILE';
const SAFE_INNER_EXT = /\.(?:pdf|docx?|xlsx?|pptx?|txt|rtf|jpe?g|png|gif|zip|html?|csv|odt|ods)\s*\.[a-z0-9]{1,8}\s*$/i;

export function containsEicar(b: Uint8Array): boolean {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).includes(EICAR_MARK, 0, 'latin1');
}

function hasMacros(b: Buffer, type: SniffedType, entries?: { name: string }[]): boolean {
  if (type === 'ole') return b.includes('_VBA_PROJECT', 0, 'utf16le') || b.includes('VBA', 0, 'utf16le') && b.includes('Attribute VB_', 0, 'latin1');
  return !!entries?.some((e) => /(?:^|\/)vbaProject\.bin$/i.test(e.name));
}

export function checkAttachments(attachments: AttachmentFact[]): Signal[] {
  const found = new Map<AttachmentSignalName, string[]>();
  const hit: Hit = (name, detail) => {
    const list = found.get(name) ?? [];
    if (list.length < 5 && !list.includes(detail)) list.push(detail);
    found.set(name, list);
  };
  // One budget per attachment, shared with the archives nested in it: a budget per archive let each
  // level of a nested zip bomb read 16 MB per entry of the level above (16 × 16 × 16 × 16 MB from a few KB).
  // And one for the message, so a few hundred small bombs cannot each read their 16 MB.
  const messageBudget: InflateBudget = { bytes: MESSAGE_INFLATE_BUDGET };
  for (const a of attachments) {
    const budget: InflateBudget = { bytes: Math.min(TOTAL_BUDGET, messageBudget.bytes) };
    const before = budget.bytes;
    inspect(a.filename ?? '(unnamed)', a.content, a.sniffedType, a.declaredType, 0, hit, budget);
    messageBudget.bytes -= before - budget.bytes;
  }
  return [...found].map(([name, details]) => ({ name, weight: ATTACHMENT_WEIGHTS[name], detail: details.join('; ') }));
}

function inspect(
  name: string, content: Buffer, type: SniffedType, declared: string, depth: number,
  hit: Hit, budget: InflateBudget,
): void {
  const ext = extensionOf(name);
  if (containsEicar(content)) hit('attachment-eicar', `${name} is the EICAR test file`);
  const inArchive = depth > 0;
  if (EXECUTABLE_TYPES.has(type) && type !== 'script' || ['exe', 'com', 'scr', 'pif', 'dll', 'cpl', 'msi', 'lnk', 'elf', 'app'].includes(ext)) {
    hit(inArchive ? 'attachment-executable-in-archive' : 'attachment-executable', `${name}: ${type}${declared ? ` declared ${declared}` : ''}`);
  } else if (type === 'script' || DANGEROUS_EXTENSIONS.has(ext)) {
    hit(inArchive ? 'attachment-executable-in-archive' : 'attachment-script', `${name}: ${type === 'script' ? 'script content' : `.${ext}`}`);
  } else if (type === 'shell' || UNIX_SCRIPT_EXTENSIONS.has(ext)) {
    hit('attachment-unix-script', name);
  }
  if (SAFE_INNER_EXT.test(name) && (DANGEROUS_EXTENSIONS.has(ext) || EXECUTABLE_TYPES.has(type)) || /\s{4}\.[a-z0-9]{2,5}$/i.test(name)) { // \s{4}, not \s{4,}: same matches, without rescanning long space runs
    hit('attachment-double-extension', name);
  }
  if ((HTML_EXTENSIONS.has(ext) || declared === 'text/html' || declared === 'image/svg+xml') && ACTIVE_HTML.test(content.subarray(0, 200_000).toString('latin1'))) {
    hit('attachment-html-active', name);
  }
  let entries: ReturnType<typeof readZip>;
  if (type === 'zip' || type === 'jar' || type === 'ooxml') entries = readZip(content, undefined, budget);
  if (MACRO_EXTENSIONS.has(ext) || hasMacros(content, type, entries)) hit('attachment-macro', name);
  if (!entries) {
    if (inArchive && ARCHIVE_TYPES.has(type)) hit('attachment-nested-archive', name);
    const listing = type === 'rar' ? readRar(content) : type === '7z' ? read7z(content) : undefined;
    if (listing?.encrypted) hit('attachment-encrypted-archive', `${name}: password-protected ${type}`);
    for (const inner of listing?.names ?? []) judgeEntryByName(name, inner, hit);
    return;
  }
  const isOffice = entries.some((e) => e.name === '[Content_Types].xml');
  if (isOffice) return; // OOXML is a zip, but not an archive a person opens
  if (inArchive) hit('attachment-nested-archive', name);
  if (entries.some((e) => e.encrypted)) hit('attachment-encrypted-archive', `${name}: ${entries.filter((e) => e.encrypted).length} encrypted entries`);
  if (depth >= 3) return;
  for (const e of entries) {
    if (e.name.endsWith('/')) continue;
    // Encrypted or unreadable: judge by name only.
    if (!e.content) judgeEntryByName(name, e.name, hit);
    else inspect(`${name} › ${e.name}`, e.content, sniffType(e.content), '', depth + 1, hit, budget);
  }
}

/** An archive entry whose content cannot be read (a rar/7z listing, an encrypted zip entry), judged by its name. */
function judgeEntryByName(archive: string, entry: string, hit: Hit): void {
  const ext = extensionOf(entry);
  if (DANGEROUS_EXTENSIONS.has(ext)) hit('attachment-executable-in-archive', `${archive} › ${entry}`);
  if (ARCHIVE_EXTENSIONS.has(ext)) hit('attachment-nested-archive', `${archive} › ${entry}`);
}
