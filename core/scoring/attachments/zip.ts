// Reads the entries of a zip archive from memory: names, flags and (bounded)
// contents. Enough to see executables, macros, encryption and nested
// archives inside; not an extractor.
import { inflateRawSync } from 'node:zlib';

export interface ZipEntry {
  name: string;
  encrypted: boolean;
  method: number;
  compressedSize: number;
  size: number;
  /** Up to `maxBytes` of the uncompressed content; undefined when encrypted or unreadable. */
  content?: Buffer;
}

const MAX_ENTRIES = 500;
/** Uncompressed bytes read per archive in all: past it, entries are judged by name only (zip bombs, many-entry archives). */
export const TOTAL_BUDGET = 16 << 20;

/** Uncompressed bytes still to be read; shared by an archive and the archives inside it. */
export interface InflateBudget {
  bytes: number;
}

/** `totalBudget`: a byte count for this archive alone, or a budget it shares (and draws down). */
export function readZip(b: Buffer, maxBytes = 1 << 20, totalBudget: number | InflateBudget = TOTAL_BUDGET): ZipEntry[] | undefined {
  const budget = typeof totalBudget === 'number' ? { bytes: totalBudget } : totalBudget;
  const eocd = findEocd(b);
  if (eocd < 0) return undefined;
  const count = Math.min(b.readUInt16LE(eocd + 10), MAX_ENTRIES);
  let p = b.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (p + 46 > b.length || b.readUInt32LE(p) !== 0x02014b50) break;
    const flags = b.readUInt16LE(p + 8);
    const method = b.readUInt16LE(p + 10);
    const compressedSize = b.readUInt32LE(p + 20);
    const size = b.readUInt32LE(p + 24);
    const nameLen = b.readUInt16LE(p + 28);
    const extraLen = b.readUInt16LE(p + 30);
    const commentLen = b.readUInt16LE(p + 32);
    const localOffset = b.readUInt32LE(p + 42);
    const name = b.toString(flags & 0x800 ? 'utf8' : 'latin1', p + 46, p + 46 + nameLen);
    const encrypted = (flags & 1) === 1;
    const entry: ZipEntry = { name, encrypted, method, compressedSize, size };
    if (!encrypted && budget.bytes > 0) {
      entry.content = readContent(b, localOffset, method, compressedSize, Math.min(maxBytes, budget.bytes));
      budget.bytes -= entry.content?.length ?? 0;
    }
    entries.push(entry);
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

function findEocd(b: Buffer): number {
  const stop = Math.max(0, b.length - 22 - 65535);
  for (let i = b.length - 22; i >= stop; i--) {
    if (b[i] === 0x50 && b[i + 1] === 0x4b && b[i + 2] === 0x05 && b[i + 3] === 0x06) return i;
  }
  return -1;
}

function readContent(b: Buffer, local: number, method: number, compressedSize: number, maxBytes: number): Buffer | undefined {
  if (local + 30 > b.length || b.readUInt32LE(local) !== 0x04034b50) return undefined;
  const start = local + 30 + b.readUInt16LE(local + 26) + b.readUInt16LE(local + 28);
  const data = b.subarray(start, Math.min(b.length, start + compressedSize));
  try {
    if (method === 0) return data.subarray(0, maxBytes);
    // maxOutputLength bounds zip bombs: we only need the first bytes to judge.
    if (method === 8) return inflateRawSync(data, { maxOutputLength: maxBytes, finishFlush: 2 /* Z_SYNC_FLUSH */ });
  } catch (err) {
    // Output larger than the bound: inflate again and keep what fits.
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') return partialInflate(data, maxBytes);
  }
  return undefined;
}

function partialInflate(data: Buffer, maxBytes: number): Buffer | undefined {
  // Deflate expands at most ~1032:1, so this much input cannot inflate past maxBytes.
  const input = data.subarray(0, Math.max(64, Math.floor(maxBytes / 1032)));
  try {
    return inflateRawSync(input, { finishFlush: 2 }).subarray(0, maxBytes);
  } catch {
    return undefined;
  }
}
