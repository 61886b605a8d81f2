// Contract: evidence that arrives after the message left counts once per
// event — an SES bounce or complaint however often SNS delivers it, one
// delivery attempt's replies however often its deliver job runs — while a
// different event or the next attempt counts again. Complaints lock senders:
// a redelivered complaint counted twice could lock an honest one. Run through
// core (recordFeedback, recordDeliveryOutcome, the feedback step) on each
// store; the store's part is SenderStore.incrementOnce, as for scored messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MessageRecord } from '../../core/model.js';
import type { RecipientResult, SenderStore } from '../../core/ports.js';
import { handleDeliveryFeedback, type DeliveryFeedback, type FeedbackDeps } from '../../core/pipeline/feedback.js';
import { bucket } from '../../core/reputation/counters.js';
import { recordDeliveryOutcome, recordFeedback, type ReputationDeps } from '../../core/reputation/index.js';
import type { RiskEntry } from '../../core/reputation/profile.js';
import { messageRecord, TestClock, type ContractStores, type StoresFactory } from './factory.js';

/** Far ahead of the wall clock: DynamoDB Local may delete items whose TTL is in its own past. */
const START = Date.UTC(2040, 0, 1, 12, 0, 0);
const SENDER = 'alice@example.com';

const reputation = (s: ContractStores, clock: TestClock): ReputationDeps => ({ clock, senders: s.senders });

/** An SES complaint from `rcpt` about message m-1, as recordFeedback gets it from the feedback step. */
const complaint = (eventId: string, rcpt: string) => ({ tenantId: 't1', sender: SENDER, messageId: 'm-1', type: 'complaint' as const, recipients: [rcpt], eventId });

async function complaintsToday(store: SenderStore, clock: TestClock): Promise<number> {
  return (await store.increment('t1', SENDER, bucket.day(clock.now()), { complaints: 0 }, 3600)).complaints ?? 0;
}

async function hourOutcomes(store: SenderStore, clock: TestClock): Promise<Record<string, number>> {
  return store.increment('t1', SENDER, bucket.hour(clock.now()), { invalid: 0, attempted: 0 }, 3600);
}

/** The sender's ledger, the evidence ids it took, its lock, and the record's version (unchanged: nothing was saved). */
async function ledger(store: SenderStore): Promise<{ risk: RiskEntry[]; assessed: string[]; locked: boolean; version: number }> {
  const rec = await store.get('t1', SENDER);
  const p = rec?.reputation?.['profile'] as { risk: RiskEntry[]; assessed?: string[] } | undefined;
  return { risk: p?.risk ?? [], assessed: p?.assessed ?? [], locked: !!rec?.lock, version: rec?.version ?? 0 };
}

/** A message delivered to `rcpts`, in the message log at START. */
function delivered(id: string, rcpts: string[]): MessageRecord {
  const at = new Date(START).toISOString();
  return messageRecord(id, {
    sender: SENDER, envelope: { mailFrom: SENDER, rcptTo: rcpts }, receivedAt: at, updatedAt: at, status: 'delivered',
    recipients: rcpts.map((rcpt) => ({ rcpt, state: 'delivered' as const, attempts: 1, reply: '250 ok' })),
  });
}

const feedbackDeps = (s: ContractStores, clock: TestClock, senders: SenderStore = s.senders): FeedbackDeps => ({ clock, messages: s.messages, senders, tenants: s.tenants });

export function outcomeOnceContract(factory: StoresFactory): void {
  test('the same SES complaint recorded twice moves the complaint counters and the ledger once', async () => {
    const clock = new TestClock(START);
    const s = await factory(clock);
    try {
      for (const [id, rcpt] of [['c-1', 'bob@example.net'], ['c-2', 'carol@example.net'], ['c-3', 'dave@example.net']] as const) {
        await recordFeedback(reputation(s, clock), complaint(id, rcpt));
      }
      const before = await ledger(s.senders);
      assert.deepEqual(before.risk.map((e) => e.signal), ['complaints'], 'three complaints on nothing delivered: the complaint rate is high');
      clock.advance(60); // SNS redelivers a minute later
      await recordFeedback(reputation(s, clock), complaint('c-3', 'dave@example.net'));
      assert.equal(await complaintsToday(s.senders, clock), 3);
      assert.deepEqual(await ledger(s.senders), before, 'the redelivery saved nothing: same ledger entry, same time, same version');
      assert.deepEqual(before.assessed, ['fb:c-3']);
    } finally { await s.close(); }
  });

  test('two different SES complaints move the complaint counters twice', async () => {
    const clock = new TestClock(START);
    const s = await factory(clock);
    try {
      await recordFeedback(reputation(s, clock), complaint('c-1', 'bob@example.net'));
      await recordFeedback(reputation(s, clock), complaint('c-2', 'bob@example.net'));
      assert.equal(await complaintsToday(s.senders, clock), 2);
    } finally { await s.close(); }
  });

  test('a redelivered fourth complaint does not lock the sender as a fifth complaint does', async () => {
    const clock = new TestClock(START);
    const s = await factory(clock);
    try {
      for (let i = 1; i <= 4; i++) await recordFeedback(reputation(s, clock), complaint(`c-${i}`, `r${i}@example.net`));
      await recordFeedback(reputation(s, clock), complaint('c-4', 'r4@example.net'));
      assert.equal(await complaintsToday(s.senders, clock), 4);
      assert.equal((await ledger(s.senders)).locked, false, 'four complaints do not lock; the same fourth again must not make five');
      await recordFeedback(reputation(s, clock), complaint('c-5', 'r5@example.net'));
      assert.equal((await ledger(s.senders)).locked, true, 'a real fifth complaint locks');
    } finally { await s.close(); }
  });

  test('the same SES hard bounce recorded twice counts its refused recipients once', async () => {
    const clock = new TestClock(START);
    const s = await factory(clock);
    try {
      const bounce = { tenantId: 't1', sender: SENDER, messageId: 'm-1', type: 'bounce' as const, recipients: ['a@x.example', 'b@x.example', 'c@x.example', 'd@x.example', 'e@x.example'], eventId: 'b-1' };
      await recordFeedback(reputation(s, clock), bounce);
      const before = await ledger(s.senders);
      assert.deepEqual(before.risk.map((e) => e.signal), ['invalid-recipients']);
      await recordFeedback(reputation(s, clock), bounce);
      assert.deepEqual(await hourOutcomes(s.senders, clock), { invalid: 5, attempted: 0 });
      assert.deepEqual(await ledger(s.senders), before);
      await recordFeedback(reputation(s, clock), { ...bounce, eventId: 'b-2' });
      assert.deepEqual(await hourOutcomes(s.senders, clock), { invalid: 10, attempted: 0 }, 'another bounce event counts');
    } finally { await s.close(); }
  });

  test('one delivery attempt\'s replies recorded twice count once, and the next attempt\'s count again', async () => {
    const clock = new TestClock(START);
    const s = await factory(clock);
    try {
      const rcpts = Array.from({ length: 10 }, (_, i) => `r${i}@example.net`);
      const m = delivered('m-dl', rcpts);
      const replies: RecipientResult[] = rcpts.map((rcpt, i) => (i < 6 ? { rcpt, code: 550, reply: '550 5.1.1 user unknown' } : { rcpt, code: 250, reply: '250 ok' }));
      await recordDeliveryOutcome(reputation(s, clock), m, replies, 1);
      const before = await ledger(s.senders);
      assert.deepEqual(before.risk.map((e) => e.signal), ['invalid-recipients']);
      clock.advance(30); // the job runs again
      await recordDeliveryOutcome(reputation(s, clock), m, replies, 1);
      assert.deepEqual(await hourOutcomes(s.senders, clock), { invalid: 6, attempted: 10 });
      assert.equal((await s.senders.increment('t1', SENDER, bucket.day(clock.now()), { delivered: 0 }, 3600)).delivered, 4);
      assert.deepEqual(await ledger(s.senders), before, 'the repeated attempt saved nothing');
      await recordDeliveryOutcome(reputation(s, clock), m, replies.slice(0, 6), 2);
      assert.deepEqual(await hourOutcomes(s.senders, clock), { invalid: 12, attempted: 16 }, 'attempt 2 brings new replies');
      assert.deepEqual((await ledger(s.senders)).assessed, ['dl:m-dl:1', 'dl:m-dl:2']);
    } finally { await s.close(); }
  });

  test('an SES complaint redelivered after a delivery event rewrote the recipient counts once in the feedback step', async () => {
    const clock = new TestClock(START);
    const s = await factory(clock);
    try {
      await s.messages.put(delivered('m-fb', ['bob@example.net']));
      const at = new Date(START).toISOString();
      const c: DeliveryFeedback = { messageId: 'm-fb', eventId: 'c-1', kind: 'complaint', recipients: [{ rcpt: 'bob@example.net', reply: 'abuse' }], at };
      const d: DeliveryFeedback = { messageId: 'm-fb', eventId: 'd-1', kind: 'delivery', recipients: [{ rcpt: 'bob@example.net', reply: '250 2.0.0 ok' }], at };
      assert.equal(await handleDeliveryFeedback(feedbackDeps(s, clock), c), 'applied');
      assert.equal(await handleDeliveryFeedback(feedbackDeps(s, clock), d), 'applied', 'SNS order is not guaranteed: the delivery event comes after');
      assert.equal(await handleDeliveryFeedback(feedbackDeps(s, clock), c), 'applied', 'the redelivered complaint notes the recipient again');
      assert.equal(await complaintsToday(s.senders, clock), 1);
    } finally { await s.close(); }
  });

  test('one SES complaint handled on two handles at once counts once', async () => {
    const clock = new TestClock(START);
    const s = await factory(clock);
    const other = await s.reopen();
    try {
      await s.messages.put(delivered('m-par', ['bob@example.net']));
      const c: DeliveryFeedback = { messageId: 'm-par', eventId: 'c-par', kind: 'complaint', recipients: [{ rcpt: 'bob@example.net', reply: 'abuse' }], at: new Date(START).toISOString() };
      await Promise.all(Array.from({ length: 4 }, (_, i) => handleDeliveryFeedback(feedbackDeps(i % 2 ? s : other, clock), c)));
      assert.equal(await complaintsToday(s.senders, clock), 1);
    } finally { await other.close(); await s.close(); }
  });

  test('a complaint whose ledger save failed is handled again in full: counted once, its ledger entry added once', async () => {
    const clock = new TestClock(START);
    const s = await factory(clock);
    try {
      // Two earlier complaints: the third makes the complaint rate high and goes to the ledger.
      await recordFeedback(reputation(s, clock), complaint('c-1', 'x@example.net'));
      await recordFeedback(reputation(s, clock), complaint('c-2', 'y@example.net'));
      await s.messages.put(delivered('m-crash', ['bob@example.net']));
      let failures = 1;
      const failing: SenderStore = Object.assign(Object.create(s.senders) as SenderStore, {
        async save(...args: Parameters<SenderStore['save']>) {
          if (failures-- > 0) throw new Error('simulated crash while saving the sender');
          return s.senders.save(...args);
        },
      });
      const c: DeliveryFeedback = { messageId: 'm-crash', eventId: 'c-3', kind: 'complaint', recipients: [{ rcpt: 'bob@example.net', reply: 'abuse' }], at: new Date(START).toISOString() };
      await assert.rejects(handleDeliveryFeedback(feedbackDeps(s, clock, failing), c), /simulated crash/);
      assert.equal(await handleDeliveryFeedback(feedbackDeps(s, clock, failing), c), 'applied', 'the log was not written: SNS retries the whole event');
      assert.equal(await handleDeliveryFeedback(feedbackDeps(s, clock, failing), c), 'unchanged');
      assert.equal(await complaintsToday(s.senders, clock), 3);
      const l = await ledger(s.senders);
      assert.deepEqual(l.risk.map((e) => e.signal), ['complaints']);
      assert.deepEqual(l.assessed, ['fb:c-3']);
      assert.equal((await s.messages.get('m-crash'))?.recipients[0]?.reply, 'complaint: abuse');
    } finally { await s.close(); }
  });
}
