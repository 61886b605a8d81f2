import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLocalStores } from '../../adapters/local/index.js';
import { purgeExpired } from '../../core/pipeline/retention.js';
import type { MessageRecord, MessageStatus } from '../../core/model.js';

async function* body(text: string) { yield Buffer.from(text); }

test('retention purges finished messages past the period, body and log record, and keeps mail still in the pipeline', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rg-retention-'));
  let now = new Date('2026-01-31T00:00:00Z');
  const clock = { now: () => new Date(now) };
  const s = openLocalStores(dir, clock);
  try {
    const add = async (id: string, status: MessageStatus, receivedAt: string) => {
      await s.spool.put(id, body(`Subject: ${id}\r\n\r\nx\r\n`));
      const r: MessageRecord = {
        id, tenantId: 't1', spoolKey: id, envelope: { mailFrom: 'a@x.test', rcptTo: ['b@y.test'] }, clientIp: '127.0.0.1',
        identity: { kind: 'smtp-user', tenantId: 't1', username: 'a@x.test', userKind: 'mailbox' }, sender: 'a@x.test', size: 10,
        receivedAt, status, recipients: [], updatedAt: receivedAt,
      };
      await s.intake.accept(r);
      await s.messages.put(r);
    };
    await add('old-delivered1', 'delivered', '2026-01-01T00:00:00Z');
    await add('old-quarantine', 'quarantined', '2026-01-01T00:00:01Z');
    await add('old-queued0001', 'queued', '2026-01-01T00:00:02Z');
    await add('new-delivered1', 'delivered', '2026-01-30T00:00:00Z');
    const purged = await purgeExpired({ clock, messages: s.messages, spool: s.spool }, 10 * 86400);
    assert.equal(purged, 2);
    assert.equal(await s.messages.get('old-delivered1'), undefined);
    assert.equal(await s.messages.get('old-quarantine'), undefined);
    await assert.rejects(s.spool.get('old-quarantine'), /not found/);
    assert.equal((await s.messages.get('old-queued0001'))?.status, 'queued', 'mail in the pipeline is never purged');
    assert.ok(await s.messages.get('new-delivered1'));
    assert.ok((await s.spool.get('new-delivered1')).length > 0);
  } finally { s.close(); rmSync(dir, { recursive: true, force: true }); }
});
