// A message past the size limit is read to its end (the client is owed a
// reply) but never made durable: the DATA tap ends in MESSAGE_TOO_BIG, so
// the spool abandons the file it had started instead of syncing up to the
// limit's worth of bytes and deleting them after. Real spool folder and
// SQLite file in a temporary directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDomainError } from '../../core/errors.js';
import { openDb } from '../../adapters/local/sqlite.js';
import { FsSpool } from '../../adapters/local/spool-fs.js';
import { DataTap } from '../../ingress/data-tap.js';

const filesUnder = (dir: string): string[] => readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name);

/** A spool (inline limit 1 KiB, so these messages go to files) on a fresh SQLite file and folder, removed after. */
async function withSpool(run: (spool: FsSpool, spoolDir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'rg-oversized-'));
  const db = openDb(join(dir, 'work.db'));
  try {
    await run(new FsSpool(join(dir, 'spool'), db, 1024), join(dir, 'spool'));
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a message over the limit and over the inline size leaves no spool file and ends in MESSAGE_TOO_BIG', () => withSpool(async (spool, spoolDir) => {
  const tap = new DataTap(64 * 1024);
  let sent = 0;
  async function* client() { for (let i = 0; i < 100; i++) { sent++; yield Buffer.alloc(4096, 0x61); } }
  await assert.rejects(spool.put('msg-oversized-0001', tap.pipe(client())), (e) => isDomainError(e, 'MESSAGE_TOO_BIG'));
  assert.equal(sent, 100, 'the whole message was read, so the session can answer and go on');
  assert.ok(tap.oversized);
  assert.deepEqual(filesUnder(spoolDir), [], 'nothing of it is left in the spool');
}));

test('a message within the limit is stored as it came', () => withSpool(async (spool) => {
  const tap = new DataTap(64 * 1024);
  async function* client() { for (let i = 0; i < 10; i++) yield Buffer.alloc(4096, 0x61); }
  assert.deepEqual(await spool.put('msg-fits-000001', tap.pipe(client())), { size: 40960 });
  assert.equal((await spool.get('msg-fits-000001')).length, 40960);
}));
