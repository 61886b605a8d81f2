import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLocalStores } from '../../adapters/local/index.js';
import type { MessageRecord } from '../../core/model.js';

function record(id: string, sender = 'alice@example.com'): MessageRecord {
  const now = new Date().toISOString();
  return {
    id, tenantId: 't1', spoolKey: id, envelope: { mailFrom: sender, rcptTo: ['bob@example.net'] }, clientIp: '127.0.0.1',
    identity: { kind: 'smtp-user', tenantId: 't1', username: sender, userKind: 'mailbox' }, sender, size: 10,
    receivedAt: now, status: 'accepted', recipients: [{ rcpt: 'bob@example.net', state: 'pending', attempts: 0 }], updatedAt: now,
  };
}

async function* chunks(...parts: string[]) { for (const p of parts) yield Buffer.from(p); }

test('accepted messages from one turn share one commit and each gets a score job', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rg-stores-'));
  const s = openLocalStores(dir);
  try {
    await Promise.all(['m0000001', 'm0000002', 'm0000003'].map(async (id) => {
      await s.spool.put(id, chunks('Subject: x\r\n\r\n', 'body\r\n'));
      await s.intake.accept(record(id));
    }));
    assert.equal(s.intake.stats.messages, 3);
    assert.ok(s.intake.stats.batches < 3, `expected batching, got ${s.intake.stats.batches} batches`);
    const jobs = await s.scoreQueue.receive(10, 30);
    assert.deepEqual(jobs.map((j) => j.job.messageId).sort(), ['m0000001', 'm0000002', 'm0000003']);
    assert.equal((await s.spool.get('m0000002')).toString(), 'Subject: x\r\n\r\nbody\r\n');
    assert.equal((await s.scoreQueue.receive(10, 30)).length, 0, 'received jobs are invisible');
  } finally { s.close(); rmSync(dir, { recursive: true, force: true }); }
});

test('a sender save with a stale version is refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rg-stores-'));
  const s = openLocalStores(dir);
  try {
    const now = new Date().toISOString();
    const base = { tenantId: 't1', sender: 'a@x.test', autoUnlocks: 0, firstSeenAt: now, lastSeenAt: now };
    assert.equal(await s.senders.save(base, 0), true);
    assert.equal(await s.senders.save(base, 0), false);
    const cur = await s.senders.get('t1', 'a@x.test');
    assert.equal(cur?.version, 1);
    assert.equal(await s.senders.save({ ...base, autoUnlocks: 1 }, 1), true);
    assert.equal(await s.senders.save({ ...base, autoUnlocks: 2 }, 1), false);
    assert.equal((await s.senders.get('t1', 'a@x.test'))?.autoUnlocks, 1);
  } finally { s.close(); rmSync(dir, { recursive: true, force: true }); }
});

test('two store instances on one database increment one counter without losing an update', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rg-stores-'));
  const a = openLocalStores(dir);
  const b = openLocalStores(dir);
  try {
    await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 ? a : b).senders.increment('t1', 's', 'h1', { messages: 1, rcpts: 2 }, 3600)));
    const last = await a.senders.increment('t1', 's', 'h1', { messages: 0 }, 3600);
    assert.equal(last.messages, 200);
  } finally { a.close(); b.close(); rmSync(dir, { recursive: true, force: true }); }
});

test('message log lists newest first, filters by recipient and pages with a cursor', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rg-stores-'));
  const s = openLocalStores(dir);
  try {
    for (let i = 0; i < 5; i++) {
      const r = record(`m000000${i}`);
      r.receivedAt = new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString();
      r.subject = i === 3 ? 'Invoice 100%' : 'hello';
      await s.messages.put(r);
    }
    const p1 = await s.messages.list('t1', { limit: 2 });
    assert.deepEqual(p1.items.map((m) => m.id), ['m0000004', 'm0000003']);
    const p2 = await s.messages.list('t1', { limit: 2, cursor: p1.cursor });
    assert.deepEqual(p2.items.map((m) => m.id), ['m0000002', 'm0000001']);
    assert.equal((await s.messages.list('t1', { subject: '100%' })).items.length, 1);
    assert.equal((await s.messages.list('t1', { recipient: 'BOB@example.net' })).items.length, 5);
    assert.equal((await s.messages.list('t2', {})).items.length, 0);
  } finally { s.close(); rmSync(dir, { recursive: true, force: true }); }
});

test('small and large bodies both survive a reopen once accepted, and a large one streams to a file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rg-stores-'));
  const big = 'x'.repeat(1000) + '\r\n';
  try {
    let s = openLocalStores(dir);
    await s.spool.put('small0001', chunks('Subject: s\r\n\r\n', 'tiny\r\n'));
    await s.intake.accept(record('small0001'));
    await s.spool.put('large0001', chunks(...Array.from({ length: 400 }, () => big)));
    await s.intake.accept(record('large0001'));
    s.close();
    s = openLocalStores(dir);
    assert.equal((await s.spool.get('small0001')).toString(), 'Subject: s\r\n\r\ntiny\r\n');
    assert.equal((await s.spool.get('large0001')).length, 400 * big.length);
    const { readdirSync } = await import('node:fs');
    const files = readdirSync(join(dir, 'spool'), { recursive: true }).map(String).filter((f) => f.endsWith('.eml'));
    assert.deepEqual(files.map((f) => f.split('/').pop()), ['large0001.eml'], 'only the large body is a file');
    await s.spool.delete('small0001');
    await s.spool.delete('large0001');
    await assert.rejects(s.spool.get('small0001'), /not found/);
    await assert.rejects(s.spool.get('large0001'), /not found/);
    s.close();
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('a committer thread that cannot open the database fails the batch (SMTP answers 451), and the next batch gets a new one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rg-stores-'));
  const s = openLocalStores(dir);
  const { GroupCommitIntake } = await import('../../adapters/local/intake-sqlite.js');
  const { FsSpool } = await import('../../adapters/local/spool-fs.js');
  const broken = new GroupCommitIntake(join(dir, 'missing-folder', 'relayguard.db'), s.spool as InstanceType<typeof FsSpool>, { now: () => new Date() });
  try {
    await assert.rejects(broken.accept(record('m0000009')), /intake commit|unable to open|directory does not exist|exited/i);
    await assert.rejects(broken.accept(record('m0000010')), /intake commit|unable to open|directory does not exist|exited/i);
    assert.equal(broken.stats.messages, 0);
    // the healthy intake of the same stores still commits
    await s.spool.put('m0000011', chunks('Subject: y\r\n\r\n', 'ok\r\n'));
    await s.intake.accept(record('m0000011'));
    assert.equal((await s.messages.get('m0000011'))?.id, 'm0000011');
  } finally { await broken.close(); s.close(); rmSync(dir, { recursive: true, force: true }); }
});

test('warm() brings the committer thread up before any message, without counting a batch', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rg-stores-'));
  const s = openLocalStores(dir);
  try {
    await s.intake.warm();
    assert.deepEqual(s.intake.stats, { batches: 0, messages: 0 });
    await s.spool.put('m0000021', chunks('Subject: w\r\n\r\nwarm\r\n'));
    await s.intake.accept(record('m0000021'));
    assert.deepEqual(s.intake.stats, { batches: 1, messages: 1 });
    assert.equal((await s.spool.get('m0000021')).toString(), 'Subject: w\r\n\r\nwarm\r\n');
  } finally { s.close(); rmSync(dir, { recursive: true, force: true }); }
});
