// Attachment checks, one crafted message per case: types are judged by
// content, not only by name; EICAR is found anywhere, inside zips too.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import { checkAttachments } from '../../core/scoring/attachments/check.js';
import { sniffType } from '../../core/scoring/attachments/sniff.js';
import { readZip } from '../../core/scoring/attachments/zip.js';
import { parseMessage } from '../../core/scoring/facts.js';
import { contentSignals } from '../../core/scoring/index.js';
import { defaultModel } from '../../core/scoring/default-model.js';
import { EICAR, message, zip, type Part } from './helpers/messages.js';
import { CONTEXT } from './helpers/context.js';

const PE = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1'), Buffer.alloc(120), Buffer.from('This program cannot be run in DOS mode.')]);
const ELF = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]), Buffer.alloc(60)]);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n');
const OLE_MACRO = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(200), Buffer.from('_VBA_PROJECT', 'utf16le'), Buffer.from('Attribute VB_Name = "ThisDocument"')]);

function signalsFor(...attachments: Part[]): Map<string, string> {
  const facts = parseMessage(message({ text: 'Please see attached.', attachments }));
  return new Map(checkAttachments(facts.attachments).map((s) => [s.name, s.detail ?? '']));
}

describe('attachment checks', () => {
  it('finds a Windows program by its content even when named and declared as a PDF', () => {
    const s = signalsFor({ type: 'application/pdf', filename: 'invoice.pdf', body: PE });
    assert.ok(s.has('attachment-executable'));
    assert.match(s.get('attachment-executable')!, /pe declared application\/pdf/);
  });

  it('finds a Linux program by its content', () => {
    assert.ok(signalsFor({ type: 'application/octet-stream', filename: 'update', body: ELF }).has('attachment-executable'));
  });

  it('blocks a script by name', () => {
    assert.ok(signalsFor({ type: 'text/plain', filename: 'run.vbs', body: 'MsgBox "hi"' }).has('attachment-script'));
  });

  it('blocks a script by content when the name looks harmless', () => {
    assert.ok(signalsFor({ type: 'text/plain', filename: 'readme.txt', body: 'Set shell = CreateObject("WScript.Shell")\nshell.Run "calc"' }).has('attachment-script'));
  });

  it('notes a Unix shell script lightly instead of blocking it', () => {
    const s = signalsFor({ type: 'text/plain', filename: 'backup', body: '#!/bin/sh\necho hi\n' });
    assert.ok(s.has('attachment-unix-script'));
    assert.ok(!s.has('attachment-script'));
  });

  it('flags a double extension', () => {
    const s = signalsFor({ type: 'application/octet-stream', filename: 'statement.pdf.exe', body: PE });
    assert.ok(s.has('attachment-double-extension'));
    assert.ok(s.has('attachment-executable'));
  });

  it('flags a macro-enabled Office file by extension', () => {
    assert.ok(signalsFor({ type: 'application/vnd.ms-word.document.macroEnabled.12', filename: 'orders.docm', body: zip([{ name: '[Content_Types].xml', data: '<Types/>' }]) }).has('attachment-macro'));
  });

  it('flags an OOXML file that carries vbaProject.bin under an innocent name', () => {
    const docx = zip([{ name: '[Content_Types].xml', data: '<Types/>' }, { name: 'word/vbaProject.bin', data: 'x' }]);
    const s = signalsFor({ type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', filename: 'report.docx', body: docx });
    assert.ok(s.has('attachment-macro'));
    assert.ok(!s.has('attachment-nested-archive'), 'an Office file is not an archive');
  });

  it('flags a legacy Office file with a VBA project', () => {
    assert.ok(signalsFor({ type: 'application/msword', filename: 'report.doc', body: OLE_MACRO }).has('attachment-macro'));
  });

  it('flags a password-protected zip', () => {
    const s = signalsFor({ type: 'application/zip', filename: 'secure.zip', body: zip([{ name: 'scan.pdf', data: PDF }], true) });
    assert.ok(s.has('attachment-encrypted-archive'));
  });

  it('flags an archive inside an archive', () => {
    const inner = zip([{ name: 'a.txt', data: 'hello' }]);
    assert.ok(signalsFor({ type: 'application/zip', filename: 'outer.zip', body: zip([{ name: 'inner.zip', data: inner }]) }).has('attachment-nested-archive'));
  });

  it('finds a program inside a zip by content, and inside a deflated entry', () => {
    assert.ok(signalsFor({ type: 'application/zip', filename: 'photos.zip', body: zip([{ name: 'photo.jpg', data: PE }]) }).has('attachment-executable-in-archive'));
    const deflated = deflatedZip('setup.exe', PE);
    assert.equal(readZip(deflated)?.[0]?.content?.subarray(0, 2).toString(), 'MZ');
    assert.ok(signalsFor({ type: 'application/zip', filename: 'setup.zip', body: deflated }).has('attachment-executable-in-archive'));
  });

  it('finds the EICAR file attached, inside a zip, and in a nested zip', () => {
    assert.ok(signalsFor({ type: 'application/octet-stream', filename: 'eicar.com', body: EICAR }).has('attachment-eicar'));
    assert.ok(signalsFor({ type: 'application/zip', filename: 'e.zip', body: zip([{ name: 'eicar.txt', data: EICAR }]) }).has('attachment-eicar'));
    const nested = zip([{ name: 'inner.zip', data: zip([{ name: 'eicar.txt', data: EICAR }]) }]);
    assert.ok(signalsFor({ type: 'application/zip', filename: 'n.zip', body: nested }).has('attachment-eicar'));
  });

  it('finds the EICAR string in the message text and makes it decisive', () => {
    const facts = parseMessage(message({ text: `test file follows\n${EICAR.toString('latin1')}\n` }));
    const signals = contentSignals(facts, CONTEXT, defaultModel());
    assert.ok(signals.some((s) => s.name === 'attachment-eicar'));
  });

  it('flags an HTML or SVG attachment that carries a form or a script', () => {
    assert.ok(signalsFor({ type: 'text/html', filename: 'Invoice_0423.html', body: '<html><form action="https://collect.example.org"><input type="password"></form></html>' }).has('attachment-html-active'));
    assert.ok(signalsFor({ type: 'image/svg+xml', filename: 'fax.svg', body: '<svg xmlns="http://www.w3.org/2000/svg"><script>window.location="https://x.example.org"</script></svg>' }).has('attachment-html-active'));
    assert.ok(!signalsFor({ type: 'text/html', filename: 'receipt.html', body: '<html><body><p>Thank you for your order.</p></body></html>' }).has('attachment-html-active'));
  });

  it('raises nothing for an ordinary PDF, image or plain zip', () => {
    assert.deepEqual([...signalsFor(
      { type: 'application/pdf', filename: 'minutes.pdf', body: PDF },
      { type: 'image/png', filename: 'chart.png', body: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]) },
      { type: 'application/zip', filename: 'data.zip', body: zip([{ name: 'data.csv', data: 'a,b\n1,2\n' }]) },
    ).keys()], []);
  });

  it('sniffs the common types from magic bytes', () => {
    assert.equal(sniffType(PE), 'pe');
    assert.equal(sniffType(ELF), 'elf');
    assert.equal(sniffType(PDF), 'pdf');
    assert.equal(sniffType(OLE_MACRO), 'ole');
    assert.equal(sniffType(Buffer.from('Rar!\x1a\x07\x00', 'latin1')), 'rar');
    assert.equal(sniffType(Buffer.from('plain words here')), 'text');
  });
});

function deflatedZip(name: string, data: Buffer): Buffer {
  // Build a stored zip, then swap in deflated data: sizes and method patched by offset.
  const stored = zip([{ name, data }]);
  const comp = deflateRawSync(data);
  const nameLen = Buffer.byteLength(name);
  const local = Buffer.from(stored.subarray(0, 30));
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(comp.length, 18);
  const central = Buffer.from(stored.subarray(30 + nameLen + data.length, 30 + nameLen + data.length + 46 + nameLen));
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(comp.length, 20);
  const end = Buffer.from(stored.subarray(stored.length - 22));
  end.writeUInt32LE(30 + nameLen + comp.length, 16);
  return Buffer.concat([local, Buffer.from(name), comp, central, end]);
}

describe('zip reading bounds', () => {
  it('stops inflating past its budget and leaves later entries to be judged by name', () => {
    const big = Buffer.alloc(4096, 0x41);
    const archive = zip([{ name: 'a.txt', data: big }, { name: 'b.txt', data: big }, { name: 'c.exe', data: PE }]);
    const entries = readZip(archive, 4096, 6000)!;
    assert.equal(entries[0]!.content?.length, 4096);
    assert.equal(entries[1]!.content?.length, 6000 - 4096);
    assert.equal(entries[2]!.content, undefined);
    assert.equal(entries[2]!.name, 'c.exe');
  });

  it('inflates at most the per-entry bound of a highly compressed entry', () => {
    const bomb = deflatedZip('bomb.txt', Buffer.alloc(5 << 20, 0));
    const content = readZip(bomb, 1 << 16)?.[0]?.content;
    assert.ok(content && content.length > 0 && content.length <= 1 << 16, `got ${content?.length} bytes`);
  });

  it('stops inflating at 64 MB per message, so later attachments are judged by name, though each is under its own 16 MB', () => {
    // Five zips, each 15 deflate bombs (2 MB of zeros in ~2 KB; 1 MB of each is read) and then a
    // program: 15 MB read per zip, under the 16 MB per attachment, and 75 MB together. The first four
    // read 60 MB; the fifth reads the last 4 MB and runs out before its program.
    const bomb = Buffer.alloc(2 << 20, 0);
    const attachments: Part[] = [1, 2, 3, 4, 5].map((n) => ({
      type: 'application/zip', filename: `batch-${n}.zip`,
      body: zip([
        ...Array.from({ length: 15 }, (_, i) => ({ name: `fill-${String(i).padStart(2, '0')}.txt`, data: bomb })),
        { name: `tool-${n}.exe`, data: PE },
      ], false, 'deflate'),
    }));
    const s = signalsFor(...attachments);
    // Read by content ("…: pe") while the message budget lasts; by name only once it is spent.
    assert.equal(s.get('attachment-executable-in-archive'), [
      'batch-1.zip › tool-1.exe: pe', 'batch-2.zip › tool-2.exe: pe', 'batch-3.zip › tool-3.exe: pe', 'batch-4.zip › tool-4.exe: pe',
      'batch-5.zip › tool-5.exe',
    ].join('; '));
    // The fifth zip alone is read to its end: only the message's budget stopped it.
    assert.equal(signalsFor(attachments[4]!).get('attachment-executable-in-archive'), 'batch-5.zip › tool-5.exe: pe');
  });
});

describe('rar and 7z archives', () => {
  function rar4(name: string, password: boolean): Buffer {
    const main = Buffer.from([0, 0, 0x73, 0, 0, 13, 0, 0, 0, 0, 0, 0, 0]);
    const nameBytes = Buffer.from(name, 'latin1');
    const file = Buffer.alloc(32);
    file.writeUInt8(0x74, 2);
    file.writeUInt16LE(0x8000 | (password ? 0x0004 : 0), 3);
    file.writeUInt16LE(32 + nameBytes.length, 5);
    file.writeUInt32LE(4, 7); // packed size
    file.writeUInt16LE(nameBytes.length, 26);
    const end = Buffer.from([0, 0, 0x7b, 0, 0x40, 7, 0]);
    return Buffer.concat([Buffer.from('Rar!\x1a\x07\x00', 'latin1'), main, file, nameBytes, Buffer.from('data'), end]);
  }

  function rar5File(name: string, encrypted: boolean): Buffer {
    const nameBytes = Buffer.from(name, 'utf8');
    const extra = encrypted ? [3, 1, 0, 0] : [];
    const body = [2, 0x01 | 0x02, extra.length, 5, 0, 5, 0, 0, 0, nameBytes.length, ...nameBytes, ...extra];
    if (!encrypted) body[1] = 0x02, body.splice(2, 1);
    const main = Buffer.from([0, 0, 0, 0, 3, 1, 0, 0]);
    const file = Buffer.from([0, 0, 0, 0, body.length, ...body]);
    return Buffer.concat([Buffer.from('Rar!\x1a\x07\x01\x00', 'latin1'), main, file, Buffer.from('hello'), Buffer.from([0, 0, 0, 0, 3, 5, 0, 0])]);
  }

  it('flags a password-protected rar 4 and reads the names inside', () => {
    const s = signalsFor({ type: 'application/x-rar', filename: 'scan.rar', body: rar4('scan.exe', true) });
    assert.ok(s.has('attachment-encrypted-archive'));
    assert.match(s.get('attachment-executable-in-archive') ?? '', /scan\.rar › scan\.exe/);
    assert.ok(!signalsFor({ type: 'application/x-rar', filename: 'docs.rar', body: rar4('notes.txt', false) }).size);
  });

  it('flags a rar 5 with an encrypted file or encrypted headers', () => {
    assert.ok(signalsFor({ type: 'application/x-rar', filename: 'a.rar', body: rar5File('report.pdf', true) }).has('attachment-encrypted-archive'));
    assert.ok(!signalsFor({ type: 'application/x-rar', filename: 'b.rar', body: rar5File('report.pdf', false) }).has('attachment-encrypted-archive'));
    assert.match(signalsFor({ type: 'application/x-rar', filename: 'c.rar', body: rar5File('run.js', false) }).get('attachment-executable-in-archive') ?? '', /run\.js/);
    const headersEncrypted = Buffer.concat([Buffer.from('Rar!\x1a\x07\x01\x00', 'latin1'), Buffer.from([0, 0, 0, 0, 2, 4, 0])]);
    assert.ok(signalsFor({ type: 'application/x-rar', filename: 'd.rar', body: headersEncrypted }).has('attachment-encrypted-archive'));
  });

  it('flags a 7z whose header names the AES coder', () => {
    const sevenZip = (header: number[]) => {
      const start = Buffer.alloc(32);
      Buffer.from('7z\xbc\xaf\x27\x1c\x00\x04', 'latin1').copy(start);
      start.writeBigUInt64LE(0n, 12);
      start.writeBigUInt64LE(BigInt(header.length), 20);
      return Buffer.concat([start, Buffer.from(header)]);
    };
    assert.ok(signalsFor({ type: 'application/x-7z-compressed', filename: 'x.7z', body: sevenZip([0x17, 0x06, 0x01, 0x24, 0x06, 0xf1, 0x07, 0x01, 0x00]) }).has('attachment-encrypted-archive'));
    assert.ok(!signalsFor({ type: 'application/x-7z-compressed', filename: 'y.7z', body: sevenZip([0x01, 0x04, 0x06, 0x00, 0x01, 0x09, 0x21, 0x01]) }).has('attachment-encrypted-archive'));
  });
});
