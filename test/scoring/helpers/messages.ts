// Small crafted messages for the scoring tests, built in code so each test
// shows exactly the trait it is about.
import { deflateRawSync } from 'node:zlib';

/** The EICAR anti-virus test file (68 bytes). */
export const EICAR = Buffer.from('X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*', 'latin1');

export interface Part {
  type: string;
  body: Buffer | string;
  filename?: string;
  encoding?: 'base64' | '7bit' | 'quoted-printable';
}

export function message(opts: {
  from?: string; to?: string; subject?: string | null; headers?: string[];
  text?: string; html?: string; attachments?: Part[];
}): Buffer {
  const head = [
    ...(opts.from === '' ? [] : [`From: ${opts.from ?? 'Alice Example <alice@example.com>'}`]),
    `To: ${opts.to ?? 'bob@example.net'}`,
    ...(opts.subject === undefined ? ['Subject: Meeting notes'] : opts.subject === null ? [] : [`Subject: ${opts.subject}`]),
    'Message-ID: <test-1@example.com>',
    'Date: Mon, 2 Mar 2026 10:00:00 +0000',
    'MIME-Version: 1.0',
    ...(opts.headers ?? []),
  ];
  const parts: Part[] = [];
  if (opts.text !== undefined) parts.push({ type: 'text/plain; charset=utf-8', body: opts.text });
  if (opts.html !== undefined) parts.push({ type: 'text/html; charset=utf-8', body: opts.html });
  parts.push(...(opts.attachments ?? []));
  if (parts.length === 0) parts.push({ type: 'text/plain; charset=utf-8', body: 'Hello Bob,\nthe notes are below.\nAlice' });
  if (parts.length === 1 && !parts[0]!.filename) {
    return Buffer.from([...head, `Content-Type: ${parts[0]!.type}`, '', bodyText(parts[0]!)].join('\r\n') + '\r\n', 'latin1');
  }
  const b = 'b1_relayguard_test';
  const lines = [...head, `Content-Type: multipart/mixed; boundary="${b}"`, '', 'This is a multi-part message.'];
  for (const p of parts) {
    lines.push(`--${b}`, `Content-Type: ${p.type}${p.filename ? `; name="${p.filename}"` : ''}`);
    if (p.filename) lines.push(`Content-Disposition: attachment; filename="${p.filename}"`);
    const enc = p.encoding ?? (p.filename ? 'base64' : '7bit');
    lines.push(`Content-Transfer-Encoding: ${enc}`, '', enc === 'base64' ? base64Lines(Buffer.from(p.body as Buffer)) : bodyText(p));
  }
  lines.push(`--${b}--`, '');
  return Buffer.from(lines.join('\r\n'), 'latin1');
}

function bodyText(p: Part): string {
  return Buffer.isBuffer(p.body) ? p.body.toString('latin1') : Buffer.from(p.body, 'utf8').toString('latin1');
}

function base64Lines(b: Buffer): string {
  return (b.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(b: Buffer): number {
  let c = 0xffffffff;
  for (const x of b) c = CRC_TABLE[(c ^ x) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A zip, stored (uncompressed) or with every entry deflated; `encrypted` sets the encryption flag on every entry. */
export function zip(entries: { name: string; data: Buffer | string }[], encrypted = false, method: 'store' | 'deflate' = 'store'): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const raw = Buffer.from(e.data as Buffer);
    const data = method === 'deflate' ? deflateRawSync(raw, { level: 9 }) : raw;
    const code = method === 'deflate' ? 8 : 0;
    const name = Buffer.from(e.name, 'utf8');
    const crc = crc32(raw);
    const flags = (encrypted ? 1 : 0) | 0x800;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt16LE(flags, 6); local.writeUInt16LE(code, 8);
    local.writeUInt32LE(crc, 14); local.writeUInt32LE(data.length, 18); local.writeUInt32LE(raw.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0); central.writeUInt16LE(20, 4); central.writeUInt16LE(20, 6); central.writeUInt16LE(flags, 8); central.writeUInt16LE(code, 10);
    central.writeUInt32LE(crc, 16); central.writeUInt32LE(data.length, 20); central.writeUInt32LE(raw.length, 24);
    central.writeUInt16LE(name.length, 28); central.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    centrals.push(central, name);
    offset += 30 + name.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(entries.length, 8); end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12); end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}
