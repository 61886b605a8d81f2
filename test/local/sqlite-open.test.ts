// Several processes open the gateway's database at once when it starts with
// INGRESS_PROCESSES > 1 (each SMTP process and its committer thread, and the
// primary). Converting a fresh file to WAL needs the file to itself and
// SQLite does not run the busy handler for that, so a plain open failed now
// and then with "database is locked" and the gateway did not start. Here six
// processes open one fresh file at the same moment, over and over.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const OPENER = new URL('../helpers/sqlite-opener.ts', import.meta.url).pathname;

test('six processes opening one fresh database file at the same moment all get it, in WAL mode', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rg-open-'));
  try {
    const rounds = 30;
    const startAt = Date.now() + 4000; // after every opener has loaded
    const outs = await Promise.all(Array.from({ length: 6 }, (_, i) =>
      run(process.execPath, ['--import', 'tsx', OPENER, JSON.stringify({ dir, rounds, startAt, gapMs: 100, i })], { timeout: 60_000 })));
    const results = outs.flatMap((o) => o.stdout.trim().split('\n').map((l) => JSON.parse(l) as { round: number; mode?: string; error?: string }));
    assert.equal(results.length, 6 * rounds);
    assert.deepEqual(results.filter((r) => r.error), [], 'every open succeeds');
    assert.ok(results.every((r) => r.mode === 'wal'), 'every connection sees WAL');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
