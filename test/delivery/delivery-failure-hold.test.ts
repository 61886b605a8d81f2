// A deliver job that keeps throwing (here: its record names a spool key the
// spool refuses, so reading the body fails on every try, as a broken disk
// would) must not leave its message stuck in the queue: once the tries run out, holdAfterDeliveryFailure puts it in
// quarantine with the reason, where the tenant sees it and can release it.
import { strict as assert } from 'node:assert';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { handleDeliverJob, holdAfterDeliveryFailure } from '../../core/pipeline/deliver.js';
import { openSmarthostHarness, queueMessage, sampleMessage, type Harness, type Receiver } from './helpers.js';

describe('a deliver job that keeps failing', () => {
  let receiver: Receiver;
  let h: Harness;

  beforeEach(async () => {
    ({ h, receiver } = await openSmarthostHarness(() => undefined));
  });
  afterEach(async () => {
    h.close();
    await receiver.close();
  });

  it('holds its message in quarantine with the reason once the tries run out, and sends nothing', async () => {
    const queued = await queueMessage(h, { mailFrom: 'alice@example.com', rcptTo: ['bob@dest.test'], raw: sampleMessage() });
    const msg = { ...queued, spoolKey: 'no/such/key' };
    await h.stores.messages.put(msg);
    const err = await handleDeliverJob(h.deps, { messageId: msg.id, attempt: 1 }).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof Error, 'reading the body throws (not "gone"): the job would be retried');
    await holdAfterDeliveryFailure(h.deps, msg.id, err);
    const held = await h.stores.messages.get(msg.id);
    assert.equal(held?.status, 'quarantined');
    const signal = held?.verdict?.signals.find((s) => s.name === 'delivery-failed');
    assert.match(signal?.detail ?? '', /^delivery failed repeatedly: /);
    assert.equal(held?.verdict?.verdict, 'quarantine');
    assert.equal(receiver.rcptSeen.length, 0, 'nothing reached the receiving server');
  });

  it('leaves a message that has left the queue meanwhile as it is', async () => {
    const msg = await queueMessage(h, { mailFrom: 'alice@example.com', rcptTo: ['bob@dest.test'], raw: sampleMessage() });
    await h.stores.messages.put({ ...msg, status: 'delivered' });
    await holdAfterDeliveryFailure(h.deps, msg.id, new Error('late'));
    assert.equal((await h.stores.messages.get(msg.id))?.status, 'delivered');
  });
});
