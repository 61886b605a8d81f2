// What can be seen of rar and 7z archives without unpacking them: whether
// they are password-protected, and (rar) the names inside. Enough to flag
// encryption and programs by name; the contents stay closed.

export interface ArchiveListing {
  encrypted: boolean;
  names: string[];
}

const MAX_BLOCKS = 2000;

/** RAR 4 ("Rar!\x1a\x07\x00") and RAR 5 ("Rar!\x1a\x07\x01\x00"); undefined when not a rar. */
export function readRar(b: Buffer): ArchiveListing | undefined {
  if (b.length < 8 || b.toString('latin1', 0, 6) !== 'Rar!\x1a\x07') return undefined;
  return b[6] === 0x01 ? readRar5(b) : readRar4(b);
}

function readRar4(b: Buffer): ArchiveListing {
  const out: ArchiveListing = { encrypted: false, names: [] };
  let p = 7;
  for (let i = 0; i < MAX_BLOCKS && p + 7 <= b.length; i++) {
    const type = b[p + 2]!;
    const flags = b.readUInt16LE(p + 3);
    const size = b.readUInt16LE(p + 5);
    if (size < 7) break;
    let next = p + size;
    if (type === 0x73 && flags & 0x0080) { out.encrypted = true; break; } // headers encrypted: nothing more to read
    if (type === 0x74 && p + 32 <= b.length) { // file header
      if (flags & 0x0004) out.encrypted = true;
      const nameSize = b.readUInt16LE(p + 26);
      out.names.push(b.toString('latin1', p + 32, Math.min(b.length, p + 32 + nameSize)).split('\0')[0]!);
      next += b.readUInt32LE(p + 7); // packed data follows the header
    } else if (flags & 0x8000 && p + 11 <= b.length) {
      next += b.readUInt32LE(p + 7);
    }
    if (type === 0x7b) break; // end of archive
    p = next;
  }
  return out;
}

function vint(b: Buffer, p: number): [number, number] {
  let v = 0, shift = 0;
  for (let i = 0; i < 10 && p < b.length; i++, p++) {
    v += (b[p]! & 0x7f) * 2 ** shift;
    shift += 7;
    if (!(b[p]! & 0x80)) return [v, p + 1];
  }
  return [v, p];
}

function readRar5(b: Buffer): ArchiveListing {
  const out: ArchiveListing = { encrypted: false, names: [] };
  let p = 8;
  for (let i = 0; i < MAX_BLOCKS && p + 6 <= b.length; i++) {
    const [headerSize, afterSize] = vint(b, p + 4);
    const headerEnd = afterSize + headerSize;
    let [type, q] = vint(b, afterSize);
    let flags: number;
    [flags, q] = vint(b, q);
    let extraSize = 0, dataSize = 0;
    if (flags & 1) [extraSize, q] = vint(b, q);
    if (flags & 2) [dataSize, q] = vint(b, q);
    if (type === 4) { out.encrypted = true; break; } // archive encryption header: every header is encrypted
    if (type === 2) { // file header
      let fileFlags: number;
      [fileFlags, q] = vint(b, q);
      q = vint(b, q)[1]; // unpacked size
      q = vint(b, q)[1]; // attributes
      if (fileFlags & 2) q += 4; // mtime
      if (fileFlags & 4) q += 4; // crc32
      q = vint(b, q)[1]; // compression
      q = vint(b, q)[1]; // host os
      let nameLen: number;
      [nameLen, q] = vint(b, q);
      out.names.push(b.toString('utf8', q, Math.min(b.length, q + nameLen)));
      // Extra records at the end of the header: type 1 is file encryption. They lie inside this header,
      // after the name: an extra size larger than that must not send the scan back over the archive
      // (up to MAX_BLOCKS headers each rescanning everything before them).
      for (let r = Math.max(q + nameLen, headerEnd - extraSize); r < headerEnd && r < b.length;) {
        const [recSize, rq] = vint(b, r);
        if (vint(b, rq)[0] === 1) out.encrypted = true;
        if (recSize === 0) break;
        r = rq + recSize;
      }
    }
    if (type === 5 || headerSize === 0) break; // end of archive
    p = headerEnd + dataSize;
  }
  return out;
}

const AES_CODER = Buffer.from([0x06, 0xf1, 0x07, 0x01]); // 7zAES coder id

/** 7z: the coder list in the (possibly packed) header names 7zAES when anything is encrypted. */
export function read7z(b: Buffer): ArchiveListing | undefined {
  if (b.length < 32 || b.toString('latin1', 0, 6) !== '7z\xbc\xaf\x27\x1c') return undefined;
  const next = 32 + Number(b.readBigUInt64LE(12));
  const size = Number(b.readBigUInt64LE(20));
  const header = b.subarray(Math.min(b.length, next), Math.min(b.length, next + size));
  return { encrypted: header.includes(AES_CODER), names: [] };
}
