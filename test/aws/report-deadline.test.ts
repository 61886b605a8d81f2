// The score and deliver Lambdas on emulators (DynamoDB Local, fauxqs) in
// direct-MX mode, each locking a sender and sending the ARF report of the
// lock to an abuse mailbox on loopback that takes the report and never
// answers it: the stalled abuse mailbox. Each Lambda is handed a context with
// little time left: the report's send must end inside that time, instead of
// waiting the 10 minutes nodemailer allows for the reply to DATA.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { DEFAULT_TENANT_SETTINGS } from '../../core/settings.js';
import { bucket, TTL } from '../../core/reputation/counters.js';
import { CLOSING_MARGIN_MS, MIN_SESSION_MS, RESULTS_MARGIN_MS } from '../../core/delivery/attempt-deadline.js';
import { openDirectMxLambdaHarness, storeMessage, withinRemainingTime, type DirectMxLambdaHarness } from './direct-mx-lambda-harness.js';
import { lambdaContext, sqsEvent } from './lambda-context.js';

const ABUSE = 'abuse@acme.example';
const RCPT = 'bob@partner.example';

type Handler = (e: SQSEvent, c: Context) => Promise<SQSBatchResponse>;
let h: DirectMxLambdaHarness;
let score: Handler;
let deliver: Handler;

before(async () => {
  // Mail to anyone goes through; a session with the abuse mailbox among its recipients gets no reply to its data.
  h = await openDirectMxLambdaHarness('data-reply', { stallOnlyFor: new RegExp(`<${ABUSE}>`) });
  ({ handler: score } = await import('../../lambdas/score.js'));
  ({ handler: deliver } = await import('../../lambdas/deliver.js'));
}, { timeout: 180_000 });

after(async () => { await h?.close(); }, { timeout: 30_000 });

/** A tenant whose abuse reports go to ABUSE. */
async function tenantReportingTo(id: string): Promise<void> {
  await h.stores.tenants.createTenant({
    id, name: 'Acme', tokenHash: `hash-${id}`, ipUserQuota: 0, createdAt: new Date().toISOString(),
    settings: { ...DEFAULT_TENANT_SETTINGS, abuseContact: ABUSE },
  });
}

/** What the abuse mailbox has seen since `before`: whole messages, and report sessions (RCPT TO the abuse mailbox). */
function reportsSince(before: { messages: number; commands: number }): { messages: number; rcpts: string[] } {
  return { messages: h.mx.completeMessages - before.messages, rcpts: h.mx.commands.slice(before.commands).filter((c) => c.startsWith('RCPT TO:')) };
}

describe('the score Lambda reporting a lock to a stalled abuse mailbox', { timeout: 120_000 }, () => {
  test('ends the ARF report\'s send before the invocation\'s time is up, with the verdict and the lock recorded', async () => {
    const tenantId = 't-score-report-deadline', sender = 'alice@acme.example';
    await tenantReportingTo(tenantId);
    const msg = await storeMessage(h.stores, {
      id: 'msg-score-report-deadline-1', tenantId, sender, rcpt: RCPT, subject: 'Quarterly figures', status: 'accepted',
      // What the ingress records when the message contains the password the session logged in with: it locks at once.
      ingressSignals: [{ name: 'password-in-message', weight: 0, detail: 'the message contains the password this session logged in with' }],
    });
    // The closing margin, a session's minimum for the report, and a few seconds for scoring.
    const remainingMs = CLOSING_MARGIN_MS + MIN_SESSION_MS + 4_000;
    const context: Context = { ...lambdaContext('score'), getRemainingTimeInMillis: () => remainingMs };
    const seen = { messages: h.mx.completeMessages, commands: h.mx.commands.length };

    const out = await withinRemainingTime(score(sqsEvent([{ MessageId: 'rec-score-report-deadline-1', ReceiptHandle: 'rh', Body: JSON.stringify({ messageId: msg.id }) }]), context), remainingMs);

    assert.deepEqual(out.batchItemFailures, [], 'the job is done');
    const rec = await h.stores.messages.get(msg.id);
    assert.ok(rec?.verdict, 'the message was scored');
    assert.notEqual(rec?.status, 'queued', 'a locked sender\'s message is not sent on');
    assert.ok((await h.stores.senders.get(tenantId, sender))?.lock, 'assessing the message locked the sender');
    assert.deepEqual(reportsSince(seen), { messages: 1, rcpts: [`RCPT TO:<${ABUSE}>`] }, 'the abuse mailbox had the whole report, and never answered it');
  });
});

describe('the deliver Lambda reporting a lock to a stalled abuse mailbox', { timeout: 120_000 }, () => {
  test('ends the ARF report\'s send before the invocation\'s time is up, with the delivery and the lock recorded', async () => {
    const tenantId = 't-deliver-report-deadline', sender = 'carol@acme.example';
    await tenantReportingTo(tenantId);
    const msg = await storeMessage(h.stores, { id: 'msg-deliver-report-deadline-1', tenantId, sender, rcpt: RCPT, subject: 'Quarterly figures', status: 'queued' });
    // This hour's earlier mail of the sender was refused as unknown 10 times: this delivery's result locks it.
    await h.stores.senders.increment(tenantId, sender, bucket.hour(new Date()), { invalid: 10, attempted: 10 }, TTL.hour);
    // The margin, a session's minimum for the attempt, and a second to spare.
    const remainingMs = RESULTS_MARGIN_MS + MIN_SESSION_MS + 1_000;
    const context: Context = { ...lambdaContext('deliver'), getRemainingTimeInMillis: () => remainingMs };
    const seen = { messages: h.mx.completeMessages, commands: h.mx.commands.length };

    const out = await withinRemainingTime(deliver(sqsEvent([{ MessageId: 'rec-deliver-report-deadline-1', ReceiptHandle: 'rh', Body: JSON.stringify({ messageId: msg.id, attempt: 1 }) }]), context), remainingMs);

    assert.deepEqual(out.batchItemFailures, [], 'the job is done');
    const rec = await h.stores.messages.get(msg.id);
    assert.equal(rec?.recipients[0]?.state, 'delivered', 'the message itself went through at once');
    assert.ok((await h.stores.senders.get(tenantId, sender))?.lock, 'the delivery result locked the sender');
    assert.deepEqual(reportsSince(seen), { messages: 2, rcpts: [`RCPT TO:<${RCPT}>`, `RCPT TO:<${ABUSE}>`] }, 'the message, then the whole report, which the abuse mailbox never answered');
  });
});
