// Two workers scoring mail of one sender at the same time must not lose an
// update: the counters go through atomic increment, the learned profile
// through save-with-version (re-read and re-apply on a lost race). Run on the
// in-memory store and on the SQLite store with two connections to one file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemorySenderStore } from '../../adapters/memory/sender-store.js';
import { openDb } from '../../adapters/local/sqlite.js';
import { SqliteSenderStore } from '../../adapters/local/sender-store.js';
import type { SenderStore } from '../../core/ports.js';
import { assessSender, recordDeliveryOutcome, type ReputationDeps } from '../../core/reputation/index.js';
import { content, domainUser, makeMessage, makeWorld, TestClock } from './helpers.js';

const PER_WORKER = 60;

async function twoWorkers(clock: TestClock, a: SenderStore, b: SenderStore, read: SenderStore): Promise<void> {
  const w = makeWorld();
  const tenant = w.tenants.get('t1')!;
  const id = domainUser('t1', 'busy.example');
  const worker = async (store: SenderStore, tag: string) => {
    const deps: ReputationDeps = { clock, senders: store };
    for (let i = 0; i < PER_WORKER; i++) {
      const m = makeMessage(w, id, 'busy.example', [`${tag}${i}@x.example`]);
      await assessSender(deps, tenant, m, content(0, { bodyFingerprint: 'template' }));
      await recordDeliveryOutcome(deps, m, [{ rcpt: m.envelope.rcptTo[0]!, code: 250, reply: '250 ok' }]);
    }
  };
  await Promise.all([worker(a, 'a'), worker(b, 'b')]);
  const rec = await read.get('t1', 'busy.example');
  const profile = rec!.reputation!['profile'] as { messages: number; recipients: number };
  assert.equal(profile.messages, 2 * PER_WORKER, 'every message counted in the learned profile');
  assert.equal(profile.recipients, 2 * PER_WORKER);
  const hour = `h:${clock.now().toISOString().slice(0, 13)}`;
  const counts = await read.increment('t1', 'busy.example', hour, { messages: 0, attempted: 0 }, 3600);
  assert.equal(counts.messages, 2 * PER_WORKER, 'every message counted in the hour');
  assert.equal(counts.attempted, 2 * PER_WORKER, 'every delivery outcome counted');
  const fanout = await read.increment('t1', 'busy.example', `fp:${clock.now().toISOString().slice(0, 10)}:template`, { recipients: 0 }, 3600);
  assert.equal(fanout.recipients, 2 * PER_WORKER);
}

test('two workers updating one sender lose no update on the in-memory store', async () => {
  const clock = new TestClock();
  const store = new MemorySenderStore(clock);
  await twoWorkers(clock, store, store, store);
});

test('two workers on two SQLite connections to one file lose no update', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rg-rep-'));
  const clock = new TestClock();
  const dbA = openDb(join(dir, 'r.db'));
  const dbB = openDb(join(dir, 'r.db'));
  try {
    await twoWorkers(clock, new SqliteSenderStore(dbA, clock), new SqliteSenderStore(dbB, clock), new SqliteSenderStore(dbA, clock));
  } finally {
    dbA.close(); dbB.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a lost race is retried: interleaved saves both land', async () => {
  const clock = new TestClock();
  const store = new MemorySenderStore(clock);
  let saves = 0, refused = 0;
  const counting: SenderStore = {
    get: (t, s) => store.get(t, s), list: (t) => store.list(t), increment: (...a) => store.increment(...a), incrementOnce: (...a) => store.incrementOnce(...a),
    getKnownRecipients: (t, s, k) => store.getKnownRecipients(t, s, k), putKnownRecipient: (t, s, k, e, x) => store.putKnownRecipient(t, s, k, e, x),
    async save(r, v) { saves++; const ok = await store.save(r, v); if (!ok) refused++; return ok; },
  };
  await twoWorkers(clock, counting, counting, store);
  assert.ok(refused > 0, `the workers should have raced (saves ${saves})`);
});
