// The deliver Lambda on emulators (DynamoDB Local, fauxqs) against a
// receiving server that takes the whole message and never replies. The
// Lambda is handed a context with little time left: its attempt must end
// inside that time and be recorded (deferred, outcome unknown, retry
// queued), instead of running into the timeout unrecorded.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { MIN_SESSION_MS, OUT_OF_TIME_REPLY, RESULTS_MARGIN_MS } from '../../core/delivery/attempt-deadline.js';
import { openDirectMxLambdaHarness, storeMessage, withinRemainingTime, type DirectMxLambdaHarness } from './direct-mx-lambda-harness.js';
import { lambdaContext, sqsEvent } from './lambda-context.js';

/** The attempt's own time: enough to start a session, short enough for a test. */
const ATTEMPT_MS = MIN_SESSION_MS + 1_500;
/** What the fake runtime says is left: the attempt plus the margin for the writes. */
const REMAINING_MS = RESULTS_MARGIN_MS + ATTEMPT_MS;

let h: DirectMxLambdaHarness;
let deliver: (e: SQSEvent, c: Context) => Promise<SQSBatchResponse>;

before(async () => {
  h = await openDirectMxLambdaHarness('data-reply');
  ({ handler: deliver } = await import('../../lambdas/deliver.js'));
}, { timeout: 180_000 });

after(async () => { await h?.close(); }, { timeout: 30_000 });

describe('the deliver Lambda with little time left', { timeout: 120_000 }, () => {
  test('ends an attempt the receiver stalls before the invocation\'s time is up and records it as deferred with an unknown outcome', async () => {
    const msg = await storeMessage(h.stores, { id: 'msg-deadline-1', tenantId: 't-deadline', sender: 'alice@acme.example', rcpt: 'bob@partner.example', subject: 'Stalled', status: 'queued' });
    const context: Context = { ...lambdaContext('deliver'), getRemainingTimeInMillis: () => REMAINING_MS };
    const event = sqsEvent([{ MessageId: 'rec-deadline-1', ReceiptHandle: 'rh', Body: JSON.stringify({ messageId: msg.id, attempt: 1 }) }]);

    const started = Date.now();
    const out = await withinRemainingTime(deliver(event, context), REMAINING_MS);
    const elapsed = Date.now() - started;

    assert.deepEqual(out.batchItemFailures, [], 'the job is done: its attempt is recorded, not retried by SQS');
    assert.ok(elapsed < REMAINING_MS, `the handler returned inside its time (${elapsed} ms of ${REMAINING_MS})`);
    assert.equal(h.mx.messageComplete, true, 'the receiver had the whole message');

    const rec = await h.stores.messages.get(msg.id);
    assert.equal(rec?.status, 'delivering');
    assert.equal(rec?.recipients[0]?.state, 'deferred');
    assert.equal(rec?.recipients[0]?.attempts, 1);
    assert.equal(rec?.recipients[0]?.reply, OUT_OF_TIME_REPLY['outcome-unknown']);

    const attrs = await h.stores.clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: h.resources.deliverQueueUrl, AttributeNames: ['ApproximateNumberOfMessagesDelayed'] }));
    assert.equal(attrs.Attributes?.ApproximateNumberOfMessagesDelayed, '1', 'attempt 2 waits on the queue for its backoff');
  });
});
