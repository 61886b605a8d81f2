// Hostile and broken input: the score step must neither throw nor hang on it.
// A throw retries the job and finally quarantines the message; a hang blocks
// the worker. Cost tests measure no time: each uses an input on which the
// code before its fix ran for minutes, while the fixed code finishes at once.
// Each runs that input in a worker thread that is terminated after 30 s
// (callInWorker, test/helpers/bounded-worker.ts): node:test cannot stop
// synchronous work on its own thread, so there a lost fix would stall the run
// for minutes; in the worker it fails the test with "<function> did not finish
// within 30 s: <which fix is gone>", and the run goes on. The bound is no
// timing assertion: a call costs the fixed code well under 2 s, worker start
// included. The assertions check what the worker answers; the ordinary inputs
// beside them, cheap with or without the fixes, run on the test's thread.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseMessage } from '../../core/scoring/facts.js';
import { contentSignals, scoreContent } from '../../core/scoring/index.js';
import { defaultModel } from '../../core/scoring/default-model.js';
import { checkAttachments } from '../../core/scoring/attachments/check.js';
import { readRar } from '../../core/scoring/attachments/rar-7z.js';
import { sniffType } from '../../core/scoring/attachments/sniff.js';
import { cachedCharsetLabels } from '../../core/scoring/mime/decode.js';
import { parseStructured, splitHeadBody } from '../../core/message/headers.js';
import { extractFeatures } from '../../core/scoring/classifier/features.js';
import { callInWorker } from '../helpers/bounded-worker.js';
import { CONTEXT } from './helpers/context.js';
import { zip } from './helpers/messages.js';

/** A zip whose entries are deflated (zip bombs compress well). */
const deflatedZip = (entries: { name: string; data: Buffer }[]): Buffer => zip(entries, false, 'deflate');

const model = defaultModel();

function score(raw: string | Buffer) {
  const facts = parseMessage(Buffer.isBuffer(raw) ? raw : Buffer.from(raw, 'latin1'));
  return { facts, signals: contentSignals(facts, CONTEXT, model) };
}

/** Modules whose functions the cost tests call in a worker (.ts: the worker imports the source). */
const core = (path: string) => new URL(`../../core/${path}`, import.meta.url);
const INDEX = core('scoring/index.ts');

/** The score step (scoreContent, the shipped model) on `raw` in a worker, failing with `stall` after 30 s. */
const scoreInWorker = (raw: string, stall: string) => callInWorker(INDEX, scoreContent, [Buffer.from(raw, 'latin1'), CONTEXT, {}], { stall });

const QUADRATIC = 'a regex backtracks quadratically on a long run again';

describe('robustness: structured header parameters', () => {
  it('a parameter named __proto__ or constructor changes no shared prototype', () => {
    const p = parseStructured('text/plain; __proto__*0=polluted; constructor*0=x; __proto__=y; charset=utf-8');
    assert.equal(({} as Record<number, unknown>)[0], undefined);
    assert.equal((Object as unknown as Record<number, unknown>)[0], undefined);
    assert.equal(p.params.charset, 'utf-8');
    score('From: a@example.com\r\nContent-Type: text/plain; __proto__*0=polluted\r\n\r\nhi\r\n');
    assert.equal(({} as Record<number, unknown>)[0], undefined);
  });

  it('an RFC 2231 section number near 2^32 does not build (and join) an array that long', async () => {
    // Before: "name*4294967294" made a sparse array of length 2^32-1, and joining it took about two minutes.
    const stall = 'an RFC 2231 section number sizes an array again';
    const [p] = await Promise.all([
      callInWorker(core('message/headers.ts'), parseStructured, ['application/pdf; name*0=a; name*4294967294=b; name*1=c'], { stall }),
      scoreInWorker('From: a@example.com\r\nContent-Type: text/plain; name*4294967294=x\r\n\r\nhi\r\n', stall),
    ]);
    assert.equal(p.params.name, 'ac');
  });
});

describe('robustness: regular expressions on long adversarial runs', () => {
  // 300 KB each: the quadratic patterns needed 0.5-1.7 s at 20 KB, so minutes here.
  const N = 300_000;
  // Runs in the body are shorter: the message text is cut at 200 KB (MAX_TEXT in core/scoring/facts.ts),
  // and a cut inside the run drops what follows it, which is what the old patterns backtracked for.
  // 190 KB still cost each old pattern about a minute.
  const BODY_N = 190_000;
  const head = (extra: string, body = 'hi') => `From: a@example.com\r\nTo: b@example.net\r\nSubject: s\r\n${extra}\r\n\r\n${body}\r\n`;

  it('a URL host ending in a long run of dots, or a URL followed by a run of punctuation', async () => {
    await Promise.all([
      scoreInWorker(head('', `see http://a${'.'.repeat(BODY_N)}b`), QUADRATIC),
      scoreInWorker(head('', `see http://c.example/${'.,'.repeat(BODY_N / 2)}d`), QUADRATIC),
    ]);
    assert.equal(score(head('', 'see http://example.com/page... now')).facts.urls[0]?.url, 'http://example.com/page');
  });

  it('an obfuscated-host scan over a long "a-a-a-…" run', async () => {
    await scoreInWorker(head('', `x[.]y ${'a-'.repeat(BODY_N / 2)}`), QUADRATIC);
    assert.equal(score(head('', 'visit evil-site[.]example now')).facts.urls.find((u) => u.source === 'obfuscated')?.host, 'evil-site.example');
  });

  it('From with a long name, a long run of dots in the domain, or "a@a.a.a…"', async () => {
    const [, , dots] = await Promise.all([
      scoreInWorker(`From: "${'a'.repeat(N)}" <a@example.com>\r\nSubject: s\r\n\r\nhi\r\n`, QUADRATIC),
      scoreInWorker(`From: "a@${'a.'.repeat(N / 2)}" <a@example.com>\r\nSubject: s\r\n\r\nhi\r\n`, QUADRATIC),
      scoreInWorker(`From: x <a@example${'.'.repeat(N)}x>\r\nSubject: s\r\n\r\nhi\r\n`, QUADRATIC),
    ]);
    assert.ok(dots.facts.headerFrom);
    assert.equal(score('From: "support@bank.example" <x@other.example>\r\nSubject: s\r\n\r\nhi\r\n').signals.some((s) => s.name === 'display-name-impersonation'), true);
  });

  it('a Date or Subject with a long run of spaces, or many "+0000(" with no ")"', async () => {
    await Promise.all([
      scoreInWorker(`From: a@example.com\r\nDate: Mon +0000${' '.repeat(N)}x\r\nSubject: s\r\n\r\nhi\r\n`, QUADRATIC),
      scoreInWorker(`From: a@example.com\r\nDate: ${'+0000('.repeat(N / 6)}\r\nSubject: s\r\n\r\nhi\r\n`, QUADRATIC),
      scoreInWorker(`From: a@example.com\r\nSubject: a${' '.repeat(N)}x y\r\n\r\nhi\r\n`, QUADRATIC),
    ]);
    // Same features as before on ordinary values.
    const feats = (date: string, subject: string) => extractFeatures(parseMessage(Buffer.from(`From: a@example.com\r\nDate: ${date}\r\nSubject: ${subject}\r\n\r\nhi\r\n`, 'latin1')));
    assert.ok(feats('Mon, 2 Mar 2026 10:00:00 +0100 (CET)', 'Offer      12345').has('date:num'));
    assert.ok(feats('Mon, 2 Mar 2026 10:00:00 +0100 (CET)', 'Offer      12345').has('strailer'));
    assert.ok(feats('Mon, 2 Mar 2026 10:00:00 GMT', 'Offer 12345').has('date:named'));
    assert.ok(!feats('Mon, 2 Mar 2026 10:00:00 GMT', 'Offer 12345').has('strailer'));
  });

  it('an attachment filename with a long run of spaces', async () => {
    await scoreInWorker(head(`MIME-Version: 1.0\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename="a${' '.repeat(N)}b"`, 'AAAA'), QUADRATIC);
    const s = score(head('MIME-Version: 1.0\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename="invoice      .pdf"', 'AAAA')).signals;
    assert.ok(s.some((x) => x.name === 'attachment-double-extension'));
  });
});


describe('robustness: archives', () => {
  it('a nested zip bomb (16 zips of 16 zips of 16 zips of 16 × 1 MB) reads one budget, not one per archive', async () => {
    // A few KB. Before, each archive had its own 16 MB budget, so every level multiplied the
    // work by 16: 16^4 MB = 64 GB to inflate. Now the attachment's 16 MB covers everything inside it.
    let level = deflatedZip(Array.from({ length: 16 }, (_, i) => ({ name: `z${i}.bin`, data: Buffer.alloc(1 << 20) })));
    for (let d = 0; d < 3; d++) level = deflatedZip(Array.from({ length: 16 }, (_, i) => ({ name: `n${d}-${i}.zip`, data: level })));
    assert.ok(level.length < 20_000);
    const signals = await callInWorker(core('scoring/attachments/check.ts'), checkAttachments,
      [[{ filename: 'bomb.zip', declaredType: 'application/zip', sniffedType: sniffType(level), size: level.length, sha256: '', content: level }]],
      { stall: 'each archive of a nested zip bomb inflates its own budget again' });
    assert.ok(signals.some((s) => s.name === 'attachment-nested-archive'));
  });

  it('RAR 5 file headers whose extra-area size points back over the archive', async () => {
    // 2000 file headers each claiming an extra area that starts 2 MB back, over bytes that read as
    // 1-byte records: before, each header walked those 2 MB (2000 × 1 M records, minutes).
    const vint = (n: number) => { const out: number[] = []; do { let b = n % 128; n = Math.floor(n / 128); if (n) b |= 0x80; out.push(b); } while (n); return out; };
    const PAD = 4 << 20;
    const chunks: Buffer[] = [Buffer.from([0x52, 0x61, 0x72, 0x21, 0x1a, 0x07, 0x01, 0x00])];
    let len = 8;
    const push = (b: Buffer) => { chunks.push(b); len += b.length; };
    const svc = [...vint(3), ...vint(2), ...vint(PAD)]; // a service header whose data area is the padding
    push(Buffer.from([0, 0, 0, 0, ...vint(svc.length), ...svc]));
    push(Buffer.alloc(PAD, 0x01));
    const fileFields = [0, 0, 0, 0, 0, ...vint(1), 0x61]; // flags, size, attributes, compression, host os, name "a"
    for (let i = 0; i < 2000; i++) {
      const target = len - PAD / 2;
      let extra = 0;
      let body: number[] = [];
      for (let k = 0; k < 4; k++) {
        body = [...vint(2), ...vint(1), ...vint(extra), ...fileFields];
        extra = len + 4 + vint(body.length).length + body.length - target;
      }
      body = [...vint(2), ...vint(1), ...vint(extra), ...fileFields];
      push(Buffer.from([0, 0, 0, 0, ...vint(body.length), ...body]));
    }
    const listing = await callInWorker(core('scoring/attachments/rar-7z.ts'), readRar, [Buffer.concat(chunks)],
      { stall: 'the extra-record scan of a RAR 5 header walks back over the archive again' });
    assert.equal(listing?.names.length, 1999); // MAX_BLOCKS counts the service header too
  });

  it('truncated, corrupt, encrypted and ZIP64-sized zips and a "docx" that is no zip do not throw', async () => {
    const good = deflatedZip([{ name: 'a.exe', data: Buffer.from('MZ' + 'x'.repeat(500)) }]);
    const zip64 = Buffer.from(good);
    zip64.writeUInt32LE(0xffffffff, good.length - 22 - 46 - 5 + 20); // central sizes claim 4 GB
    const corrupt = Buffer.from(good);
    corrupt.fill(0xff, 40, 60);
    const encrypted = Buffer.from(good);
    encrypted.writeUInt16LE(1, encrypted.length - 22 - 46 - 5 + 8);
    for (const content of [good.subarray(0, good.length - 10), good.subarray(10), corrupt, zip64, encrypted, Buffer.from('PK\x03\x04not really'), Buffer.from('PK\x05\x06')]) {
      checkAttachments([{ filename: 'x.docx', declaredType: 'application/zip', sniffedType: sniffType(content), size: content.length, sha256: '', content }]);
    }
  });
});

describe('robustness: MIME structure', () => {
  it('a part head search stops at the part end', () => {
    // Before, it ran on to the end of the message: with up to 300 parts, 300 passes over a 25 MB message.
    const s = 'X-Head: v\r\nrest of the part' + 'z'.repeat(1000) + '\r\n\r\nnext part';
    assert.deepEqual(splitHeadBody(s, 0, 30), { headEnd: 30, bodyStart: 30 });
    assert.deepEqual(splitHeadBody('A: b\r\n\r\nbody'), { headEnd: 4, bodyStart: 8 });
    assert.deepEqual(splitHeadBody('A: b\n\nbody'), { headEnd: 4, bodyStart: 6 });
    assert.deepEqual(splitHeadBody('A: b\r\nC: d\n\nbody'), { headEnd: 10, bodyStart: 12 });
    assert.deepEqual(splitHeadBody('\r\nbody'), { headEnd: 0, bodyStart: 2 });
  });

  it('299 small parts, or 299 multiparts whose boundary never occurs, before a 20 MB part', async () => {
    // Before, 8.7 s instead of 0.2 s: under the bound, so here a lost fix is slow, not failed.
    const message = (nested: boolean) => {
      let s = 'From: a@example.com\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n';
      for (let i = 0; i < 298; i++) s += nested ? `--b\r\nContent-Type: multipart/mixed; boundary=q${i}\r\n\r\nx\r\n` : '--b\r\nContent-Type: text/plain\r\n\r\nx\r\n';
      s += '--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n' + 'QUFB\r\n'.repeat((20 << 20) / 6) + '--b--\r\n';
      return Buffer.from(s, 'latin1');
    };
    const parsed = await Promise.all([false, true].map((nested) => callInWorker(core('scoring/facts.ts'), parseMessage, [message(nested)],
      { stall: 'the MIME walk searches past the end of each part again' })));
    for (const f of parsed) {
      assert.equal(f.attachments.length, 1);
      assert.equal(f.attachments[0]!.size, Math.floor((20 << 20) / 6) * 3);
    }
  });

  it('broken and degenerate messages score without throwing', async () => {
    const cases: (string | Buffer)[] = [
      '', '\r\n', '\n\n\n', 'Subject: only headers', 'no colon at all', '\0\0\0', 'From: a\0@b\r\nSubject: \0\r\n\r\n\0',
      'From: a@b.com\rSubject: lone CR\r\r\rbody\r',
      `X-Big: ${'a'.repeat(1 << 20)}\r\n\r\nbody`,
      'Content-Type: multipart/mixed\r\n\r\n--x\r\n\r\nno boundary parameter',
      'Content-Type: multipart/mixed; boundary=""\r\n\r\nempty boundary',
      'Content-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\n--a\r\n--a--\r\n--a--\r\n',
      'Content-Type: multipart/mixed; boundary="--a"\r\nX: --a\r\n\r\n----a\r\n\r\n----a\r\nno close',
      'Content-Type: multipart/mixed; boundary=a\r\n\r\n' + '--a\r\n\r\nx\r\n'.repeat(100_000),
      Array.from({ length: 1000 }, (_, i) => `Content-Type: multipart/mixed; boundary=b${i}\r\n\r\n--b${i}\r\n`).join(''),
      'Content-Type: message/rfc822\r\n\r\n'.repeat(1000) + 'x',
      'Content-Type: text/plain; charset=x-absurd-charset-' + 'q'.repeat(5000) + '\r\n\r\n\xe9',
      'Content-Type: text/plain; charset=replacement\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!not base64===\r\n',
      'Content-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n=ZZ=\r\n=4=\r\n=' + ' '.repeat(1000),
      'Subject: =?utf-8?B?broken base64?= =?x?q?=ZZ?= =?utf-8?Q?' + '=?'.repeat(10_000) + '\r\n\r\nx',
      'Subject: =?utf-16?b?2D3YPQ==?= =?utf-8*en?q?ok?=\r\n\r\nx',
      'Content-Type: text/html\r\n\r\n' + '<div>'.repeat(100_000) + '<!-- unterminated <![CDATA[ x <script>never closed',
      'Content-Type: text/html\r\n\r\n<a href="http://xn--.example">a</a><a href="http://%zz%E0%A4%A.example/">b</a>' +
        '<a href="http://[::1">c</a><a href="http://xn--a-ecp.xn--zz-">d</a>&#xD800;&#0;&#99999999;',
      'Content-Type: text/plain\r\n\r\n' + 'http://a.example/ '.repeat(100_000),
    ];
    for (const c of cases) {
      const raw = Buffer.isBuffer(c) ? c : Buffer.from(c, 'latin1');
      await scoreContent(raw, CONTEXT, { model });
    }
  });

  it('charset labels the sender makes up do not accumulate in the decoder cache', () => {
    // Before, every unknown label (of any length) stayed cached for the life of the process.
    const labels = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `=?made-up-${tag}-${i}-${'x'.repeat(200)}?q?a?=`).join(' ');
    for (let m = 0; m < 5; m++) score(`From: a@example.com\r\nSubject: ${labels(400, String(m))}\r\n\r\nhi\r\n`);
    assert.ok(cachedCharsetLabels() < 600, `${cachedCharsetLabels()} labels cached`);
  });
});
