// The deliver Lambda on emulators (DynamoDB Local, fauxqs) against a
// receiving server that takes the whole message and never replies. The
// Lambda is handed a context with little time left: its attempt must end
// inside that time and be recorded (deferred, outcome unknown, retry
// queued), instead of running into the timeout unrecorded.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { openAwsStores, type AwsStores } from '../../adapters/aws/index.js';
import { systemClock } from '../../core/ports.js';
import type { MessageRecord } from '../../core/model.js';
import { MIN_SESSION_MS, OUT_OF_TIME_REPLY, RESULTS_MARGIN_MS } from '../../core/delivery/attempt-deadline.js';
import { sampleMessage } from '../delivery/helpers.js';
import { scriptedMx, type ScriptedMx } from '../helpers/stalling-smtp.js';
import { createAwsClients, createResources, startEmulators, type EmulatorSet } from './emulators.js';
import { lambdaContext, sqsEvent } from './lambda-context.js';

/** The attempt's own time: enough to start a session, short enough for a test. */
const ATTEMPT_MS = MIN_SESSION_MS + 1_500;
/** What the fake runtime says is left: the attempt plus the margin for the writes. */
const REMAINING_MS = RESULTS_MARGIN_MS + ATTEMPT_MS;

let emu: EmulatorSet;
let res: Awaited<ReturnType<typeof createResources>>;
let stores: AwsStores;
let mx: ScriptedMx;
let deliver: (e: SQSEvent, c: Context) => Promise<SQSBatchResponse>;

before(async () => {
  emu = await startEmulators();
  const admin = createAwsClients(emu.clientOptions);
  res = await createResources(admin, 3);
  admin.destroy();
  mx = await scriptedMx('data-reply');
  const ep = emu.clientOptions.endpoints!;
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL_DYNAMODB: ep.dynamodb, AWS_ENDPOINT_URL_S3: ep.s3, AWS_ENDPOINT_URL_SQS: ep.sqs,
    TABLE_NAME: res.tableName, SPOOL_BUCKET: res.bucketName, SCORE_QUEUE_URL: res.scoreQueueUrl, DELIVER_QUEUE_URL: res.deliverQueueUrl,
    IDEMPOTENCY_TABLE: res.idempotencyTableName, RELAY_HOSTNAME: 'relay.test', MAX_RECEIVES: '3',
    DELIVERY_MODE: 'direct-mx', SMARTHOST: `127.0.0.1:${mx.port}`,
    POWERTOOLS_LOG_LEVEL: 'CRITICAL', POWERTOOLS_METRICS_NAMESPACE: 'RelayguardTest', POWERTOOLS_METRICS_DISABLED: 'true',
  });
  ({ handler: deliver } = await import('../../lambdas/deliver.js'));
  stores = openAwsStores(res, emu.clientOptions, systemClock);
}, { timeout: 180_000 });

after(async () => {
  await mx?.close();
  stores?.close();
  await emu?.stop();
}, { timeout: 30_000 });

/** A message scored clean and waiting for its first attempt, its body in the spool. */
async function queuedMessage(id: string): Promise<MessageRecord> {
  const raw = Buffer.from(sampleMessage('alice@acme.example', 'bob@partner.example', 'Stalled'));
  const { size } = await stores.spool.put(id, (async function* () { yield raw; })());
  const now = new Date().toISOString();
  const record: MessageRecord = {
    id, tenantId: 't-deadline', spoolKey: id, envelope: { mailFrom: 'alice@acme.example', rcptTo: ['bob@partner.example'] },
    clientIp: '192.0.2.10', identity: { kind: 'smtp-user', tenantId: 't-deadline', username: 'alice@acme.example', userKind: 'mailbox' },
    sender: 'alice@acme.example', size, receivedAt: now, status: 'queued',
    recipients: [{ rcpt: 'bob@partner.example', state: 'pending', attempts: 0 }], updatedAt: now,
  };
  await stores.messages.put(record);
  return record;
}

describe('the deliver Lambda with little time left', { timeout: 120_000 }, () => {
  test('ends an attempt the receiver stalls before the invocation\'s time is up and records it as deferred with an unknown outcome', async () => {
    const msg = await queuedMessage('msg-deadline-1');
    const context: Context = { ...lambdaContext('deliver'), getRemainingTimeInMillis: () => REMAINING_MS };
    const event = sqsEvent([{ MessageId: 'rec-deadline-1', ReceiptHandle: 'rh', Body: JSON.stringify({ messageId: msg.id, attempt: 1 }) }]);

    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const out = await Promise.race([
      deliver(event, context),
      new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error('the handler outlived the time the runtime gave it')), REMAINING_MS); }),
    ]).finally(() => clearTimeout(timer));
    const elapsed = Date.now() - started;

    assert.deepEqual(out.batchItemFailures, [], 'the job is done: its attempt is recorded, not retried by SQS');
    assert.ok(elapsed < REMAINING_MS, `the handler returned inside its time (${elapsed} ms of ${REMAINING_MS})`);
    assert.equal(mx.messageComplete, true, 'the receiver had the whole message');

    const rec = await stores.messages.get(msg.id);
    assert.equal(rec?.status, 'delivering');
    assert.equal(rec?.recipients[0]?.state, 'deferred');
    assert.equal(rec?.recipients[0]?.attempts, 1);
    assert.equal(rec?.recipients[0]?.reply, OUT_OF_TIME_REPLY['outcome-unknown']);

    const attrs = await stores.clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: res.deliverQueueUrl, AttributeNames: ['ApproximateNumberOfMessagesDelayed'] }));
    assert.equal(attrs.Attributes?.ApproximateNumberOfMessagesDelayed, '1', 'attempt 2 waits on the queue for its backoff');
  });
});
