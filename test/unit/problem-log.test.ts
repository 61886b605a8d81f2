// Problems core handles and carries on past are reported through the
// ProblemLog port with their stable code, never swallowed and never thrown
// back at the step that was notifying.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { notifySenderEvent } from '../../core/notify/events.js';
import type { ProblemLog } from '../../core/log.js';
import type { Tenant } from '../../core/model.js';
import type { SpoolStore, Transport } from '../../core/ports.js';
import { DEFAULT_TENANT_SETTINGS } from '../../core/settings.js';
import { MemoryMessageStore } from '../../adapters/memory/message-store.js';

const tenant: Tenant = { id: 't1', name: 'Shop', tokenHash: 'x', ipUserQuota: 1, settings: DEFAULT_TENANT_SETTINGS, createdAt: '2026-06-01T00:00:00.000Z' };

function recording(): ProblemLog & { seen: { code: string; fields: Record<string, unknown> }[] } {
  const seen: { code: string; fields: Record<string, unknown> }[] = [];
  return { seen, problem: (code, fields) => { seen.push({ code, fields }); } };
}

/** The spool and message log of a tenant with one held message `id` of alice@shop.example, for its abuse report. */
async function heldMessage(id: string): Promise<{ spool: SpoolStore; messages: MemoryMessageStore }> {
  const spool: SpoolStore = { async put() { throw new Error('not used'); }, async get() { return Buffer.from('Subject: x\r\n\r\nbody\r\n'); }, async delete() {} };
  const messages = new MemoryMessageStore();
  const at = '2026-06-01T00:00:00.000Z';
  await messages.put({
    id, tenantId: 't1', spoolKey: id, envelope: { mailFrom: 'alice@shop.example', rcptTo: ['bob@example.net'] }, clientIp: '192.0.2.1',
    identity: { kind: 'smtp-user', tenantId: 't1', username: 'alice@shop.example', userKind: 'mailbox' }, sender: 'alice@shop.example', size: 20,
    receivedAt: at, status: 'quarantined', recipients: [{ rcpt: 'bob@example.net', state: 'pending', attempts: 0 }], updatedAt: at,
  });
  return { spool, messages };
}

test('a webhook that fails is reported as NOTIFY_WEBHOOK_FAILED through the wired log, and the caller goes on', async () => {
  const log = recording();
  const notifier = { async notify() { throw new Error('receiver answered 500'); } };
  await notifySenderEvent({ clock: { now: () => new Date() }, notifier, log }, tenant, { type: 'sender.unlocked', sender: 'alice@shop.example', detail: {} }, []);
  assert.equal(log.seen.length, 1);
  assert.equal(log.seen[0]!.code, 'NOTIFY_WEBHOOK_FAILED');
  assert.equal(log.seen[0]!.fields.tenantId, 't1');
  assert.match(String(log.seen[0]!.fields.error), /receiver answered 500/);
});

test('an abuse report that cannot be sent is reported as NOTIFY_ABUSE_REPORT_FAILED', async () => {
  const log = recording();
  const transport: Transport = { async send() { throw new Error('no route'); } };
  const settings = { ...DEFAULT_TENANT_SETTINGS, abuseContact: 'abuse@shop.example' };
  const { spool, messages } = await heldMessage('m0000001');
  await notifySenderEvent(
    { clock: { now: () => new Date() }, transport, spool, messages, config: { hostname: 'relay.test' }, log },
    { ...tenant, settings }, { type: 'sender.locked', sender: 'alice@shop.example', detail: { lock: { reason: 'spam', lockedAt: '2026-06-01T00:00:00.000Z', by: 'auto' } } }, ['m0000001'],
  );
  assert.deepEqual(log.seen.map((s) => s.code), ['NOTIFY_ABUSE_REPORT_FAILED']);
  assert.match(String(log.seen[0]!.fields.error), /no route/, 'the transport\'s failure, not an earlier one');
});

test('an abuse report the abuse mailbox refuses is reported as NOTIFY_ABUSE_REPORT_FAILED with its reply, not counted as sent', async () => {
  const { startReceiver } = await import('../helpers/receiving-smtp.js');
  const { createSmarthostTransport } = await import('../../adapters/transport/smarthost.js');
  // A real receiving server on loopback that refuses the abuse address, as a full or closed mailbox answers.
  const receiver = await startReceiver({ starttls: false, rcpt: (a) => (a.startsWith('abuse@') ? { code: 550, message: '5.2.1 <abuse@shop.example>: mailbox disabled' } : undefined) });
  try {
    const log = recording();
    const transport = createSmarthostTransport({ host: '127.0.0.1', port: receiver.port, name: 'relay.test', connectTimeoutMs: 5000 });
    const { spool, messages } = await heldMessage('m0000002');
    const at = '2026-06-01T00:00:00.000Z';
    await notifySenderEvent(
      { clock: { now: () => new Date() }, transport, spool, messages, config: { hostname: 'relay.test' }, log },
      { ...tenant, settings: { ...DEFAULT_TENANT_SETTINGS, abuseContact: 'abuse@shop.example' } },
      { type: 'sender.locked', sender: 'alice@shop.example', detail: { lock: { reason: 'spam', lockedAt: at, by: 'auto' } } }, ['m0000002'],
    );
    assert.deepEqual(log.seen.map((s) => s.code), ['NOTIFY_ABUSE_REPORT_FAILED']);
    assert.equal(log.seen[0]!.fields.messageId, 'm0000002');
    assert.match(String(log.seen[0]!.fields.reply), /^550 5\.2\.1 .*mailbox disabled/);
    assert.equal(receiver.received.length, 0, 'nothing was accepted');
  } finally {
    await receiver.close();
  }
});
