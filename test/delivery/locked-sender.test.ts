import { test } from 'node:test';
import assert from 'node:assert/strict';
import { handleDeliverJob } from '../../core/pipeline/deliver.js';
import { lockSender } from '../../core/reputation/index.js';
import type { OutboundMessage, Transport } from '../../core/ports.js';
import { createTenant, openHarness, queueMessage } from './helpers.js';

const RAW = 'From: a@example.com\r\nTo: b@example.net\r\nSubject: hi\r\n\r\nhello\r\n';

function recordingTransport(sent: OutboundMessage[]): Transport {
  return { async send(m) { sent.push(m); return m.rcptTo.map((rcpt) => ({ rcpt, code: 250, reply: '250 ok' })); } };
}

test('mail of a sender locked after scoring is held at delivery, and released mail still goes out', async () => {
  const sent: OutboundMessage[] = [];
  const h = openHarness(recordingTransport(sent));
  try {
    await createTenant(h);
    const waiting = await queueMessage(h, { mailFrom: 'a@example.com', rcptTo: ['b@example.net'], raw: RAW });
    await lockSender(h.deps, 't1', 'a@example.com', { reason: 'credential stuffing', lockedAt: h.clock.now().toISOString(), by: 'manual' });
    await handleDeliverJob(h.deps, { messageId: waiting.id, attempt: 1 });
    const held = await h.stores.messages.get(waiting.id);
    assert.equal(held?.status, 'quarantined');
    assert.equal(sent.length, 0, 'nothing reached the transport');

    await h.stores.messages.put({ ...held!, status: 'released' });
    await handleDeliverJob(h.deps, { messageId: waiting.id, attempt: 1 });
    assert.equal((await h.stores.messages.get(waiting.id))?.status, 'delivered', 'a release by the tenant is honoured');
    assert.equal(sent.length, 1);
  } finally { h.close(); }
});
