import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataTap } from '../../ingress/data-tap.js';
import { missingHeaders } from '../../core/message/missing-headers.js';

const now = new Date('2026-03-03T08:15:00Z');
const ADDED = 'Date: Tue, 03 Mar 2026 08:15:00 +0000\r\nMessage-ID: <q1@relay.test>\r\n';

async function through(chunks: string[]): Promise<{ out: string; tap: DataTap }> {
  const tap = new DataTap(Number.POSITIVE_INFINITY, 0, (facts) => missingHeaders(facts, { id: 'q1', hostname: 'relay.test', now }));
  async function* source() { for (const c of chunks) yield Buffer.from(c); }
  let out = '';
  for await (const b of tap.pipe(source())) out += b.toString('latin1');
  return { out, tap };
}

test('missing Date and Message-ID go at the end of the header block, even when its end straddles two chunks', async () => {
  const { out, tap } = await through(['Subject: a\r\n', 'From: x@y.test\r\n\r', '\nbody\r\n', 'more\r\n']);
  assert.equal(out, `Subject: a\r\nFrom: x@y.test\r\n${ADDED}\r\nbody\r\nmore\r\n`);
  assert.equal(tap.headerFacts().messageId, '<q1@relay.test>');
});

test('a headers-only message, an empty one and one with no header fields each get the fields in the right place', async () => {
  assert.equal((await through(['Subject: a\r\n'])).out, `Subject: a\r\n${ADDED}`);
  assert.equal((await through([])).out, ADDED);
  assert.equal((await through(['\r\nbody only\r\n'])).out, `${ADDED}\r\nbody only\r\n`);
});

test('a message with both fields passes through unchanged, and a blank Message-ID counts as none', async () => {
  const own = 'Date: Tue, 3 Mar 2026 09:15:00 +0100\r\nMessage-ID: <m@x.test>\r\n\r\nbody\r\n';
  assert.equal((await through([own])).out, own);
  assert.deepEqual(missingHeaders({ date: 'Tue, 3 Mar 2026 09:15:00 +0100', messageId: ' ' }, { id: 'q1', hostname: 'relay.test', now }),
    { text: 'Message-ID: <q1@relay.test>\r\n', messageId: '<q1@relay.test>' });
});
