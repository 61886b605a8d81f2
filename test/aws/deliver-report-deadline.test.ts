// The deliver Lambda on emulators (DynamoDB Local, fauxqs) in direct-MX mode
// through a receiving server on loopback that takes the message at once, and
// then takes the ARF report of the lock its result decides and never answers
// it: the stalled abuse mailbox. The Lambda is handed a context with little
// time left: the report's send must end inside that time, instead of waiting
// the 10 minutes nodemailer allows for the reply to DATA.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { openAwsStores, type AwsStores } from '../../adapters/aws/index.js';
import { systemClock } from '../../core/ports.js';
import type { MessageRecord } from '../../core/model.js';
import { DEFAULT_TENANT_SETTINGS } from '../../core/settings.js';
import { bucket, TTL } from '../../core/reputation/counters.js';
import { MIN_SESSION_MS, RESULTS_MARGIN_MS } from '../../core/delivery/attempt-deadline.js';
import { sampleMessage } from '../delivery/helpers.js';
import { scriptedMx, type ScriptedMx } from '../helpers/stalling-smtp.js';
import { createAwsClients, createResources, startEmulators, type EmulatorSet } from './emulators.js';
import { lambdaContext, sqsEvent } from './lambda-context.js';

/** What the fake runtime says is left: the margin, a session's minimum for the attempt, and a second to spare. */
const REMAINING_MS = RESULTS_MARGIN_MS + MIN_SESSION_MS + 1_000;
const TENANT = 't-report-deadline';
const SENDER = 'alice@acme.example';
const ABUSE = 'abuse@acme.example';

let emu: EmulatorSet;
let stores: AwsStores;
let mx: ScriptedMx;
let deliver: (e: SQSEvent, c: Context) => Promise<SQSBatchResponse>;

before(async () => {
  emu = await startEmulators();
  const admin = createAwsClients(emu.clientOptions);
  const res = await createResources(admin, 3);
  admin.destroy();
  // Mail to anyone goes through; a session with the abuse mailbox among its recipients gets no reply to its data.
  mx = await scriptedMx('data-reply', { stallOnlyFor: new RegExp(`<${ABUSE}>`) });
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

/** A tenant whose abuse reports go to ABUSE, and a clean message of SENDER waiting for its first attempt. */
async function queuedMessage(id: string): Promise<MessageRecord> {
  const now = new Date().toISOString();
  await stores.tenants.createTenant({
    id: TENANT, name: 'Acme', tokenHash: 'hash-report-deadline', ipUserQuota: 0, createdAt: now,
    settings: { ...DEFAULT_TENANT_SETTINGS, abuseContact: ABUSE },
  });
  const raw = Buffer.from(sampleMessage(SENDER, 'bob@partner.example', 'Quarterly figures'));
  const { size } = await stores.spool.put(id, (async function* () { yield raw; })());
  const record: MessageRecord = {
    id, tenantId: TENANT, spoolKey: id, envelope: { mailFrom: SENDER, rcptTo: ['bob@partner.example'] },
    clientIp: '192.0.2.10', identity: { kind: 'smtp-user', tenantId: TENANT, username: SENDER, userKind: 'mailbox' },
    sender: SENDER, size, receivedAt: now, status: 'queued',
    recipients: [{ rcpt: 'bob@partner.example', state: 'pending', attempts: 0 }], updatedAt: now,
  };
  await stores.messages.put(record);
  return record;
}

describe('the deliver Lambda reporting a lock to a stalled abuse mailbox', { timeout: 120_000 }, () => {
  test('ends the ARF report\'s send before the invocation\'s time is up, with the delivery and the lock recorded', async () => {
    const msg = await queuedMessage('msg-report-deadline-1');
    // This hour's earlier mail of the sender was refused as unknown 10 times: this delivery's result locks it.
    await stores.senders.increment(TENANT, SENDER, bucket.hour(new Date()), { invalid: 10, attempted: 10 }, TTL.hour);
    const context: Context = { ...lambdaContext('deliver'), getRemainingTimeInMillis: () => REMAINING_MS };
    const event = sqsEvent([{ MessageId: 'rec-report-deadline-1', ReceiptHandle: 'rh', Body: JSON.stringify({ messageId: msg.id, attempt: 1 }) }]);

    let timer: NodeJS.Timeout | undefined;
    const out = await Promise.race([
      deliver(event, context),
      new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error('the handler outlived the time the runtime gave it')), REMAINING_MS); }),
    ]).finally(() => clearTimeout(timer));

    assert.deepEqual(out.batchItemFailures, [], 'the job is done');
    const rec = await stores.messages.get(msg.id);
    assert.equal(rec?.recipients[0]?.state, 'delivered', 'the message itself went through at once');
    assert.ok((await stores.senders.get(TENANT, SENDER))?.lock, 'the delivery result locked the sender');
    const reportRcpt = mx.commands.indexOf(`RCPT TO:<${ABUSE}>`);
    assert.ok(reportRcpt > mx.commands.indexOf('RCPT TO:<bob@partner.example>'), `the report was sent after the message: ${JSON.stringify(mx.commands)}`);
    assert.equal(mx.completeMessages, 2, 'the abuse mailbox had the whole report, and never answered it');
  });
});
