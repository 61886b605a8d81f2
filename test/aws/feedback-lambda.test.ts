// The feedback Lambda on DynamoDB Local: SNS delivers at least once, so one
// SES complaint can reach the function twice — two invocations at once, or a
// redelivery after an SES delivery event (SNS keeps no order) rewrote the
// recipient's entry. Each complaint must count once: four complaints do not
// lock a sender, and the same fourth again must not count as a fifth.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Context, SNSEvent } from 'aws-lambda';
import { openAwsStores, type AwsStores } from '../../adapters/aws/index.js';
import { MESSAGE_TAG } from '../../adapters/aws/ses-transport.js';
import { systemClock } from '../../core/ports.js';
import { bucket } from '../../core/reputation/counters.js';
import { DEFAULT_TENANT_SETTINGS } from '../../core/settings.js';
import { hashToken } from '../../core/tenants/password.js';
import { messageRecord } from '../contract/factory.js';
import { createAwsClients, createResources, startEmulators, type EmulatorSet } from './emulators.js';
import { lambdaContext, snsEvent } from './lambda-context.js';

const TENANT = 't-feedback';
const SENDER = 'pat@acme.example';
const RCPTS = ['r1@partner.example', 'r2@partner.example', 'r3@partner.example', 'r4@partner.example', 'r5@partner.example'];

let emu: EmulatorSet;
let stores: AwsStores;
let feedback: (e: SNSEvent, c: Context) => Promise<{ applied: number; ignored: number }>;

/** The SES complaint event (configuration-set publishing) for one recipient of message `id`, with its feedback id. */
const complaint = (id: string, rcpt: string, feedbackId: string) => ({
  eventType: 'Complaint',
  mail: { messageId: `ses-${id}`, timestamp: new Date().toISOString(), destination: RCPTS, tags: { [MESSAGE_TAG]: [id] } },
  complaint: { feedbackId, complainedRecipients: [{ emailAddress: rcpt }], complaintFeedbackType: 'abuse', timestamp: new Date().toISOString() },
});

const delivery = (id: string) => ({
  eventType: 'Delivery',
  mail: { messageId: `ses-${id}`, timestamp: new Date().toISOString(), destination: RCPTS, tags: { [MESSAGE_TAG]: [id] } },
  delivery: { recipients: RCPTS, smtpResponse: '250 2.0.0 ok', timestamp: new Date().toISOString() },
});

/** Complaints counted since yesterday, as recordFeedback reads them. */
async function complaints(): Promise<number> {
  const now = Date.now();
  const read = (at: number) => stores.senders.increment(TENANT, SENDER, bucket.day(new Date(at)), { complaints: 0 }, 3600);
  return ((await read(now)).complaints ?? 0) + ((await read(now - 86_400_000)).complaints ?? 0);
}

before(async () => {
  emu = await startEmulators();
  const admin = createAwsClients(emu.clientOptions);
  const res = await createResources(admin);
  admin.destroy();
  const ep = emu.clientOptions.endpoints!;
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL_DYNAMODB: ep.dynamodb, AWS_ENDPOINT_URL_S3: ep.s3, AWS_ENDPOINT_URL_SQS: ep.sqs,
    TABLE_NAME: res.tableName, SPOOL_BUCKET: res.bucketName, SCORE_QUEUE_URL: res.scoreQueueUrl, DELIVER_QUEUE_URL: res.deliverQueueUrl,
    RELAY_HOSTNAME: 'relay.test', WEBHOOK_SECRET: 'feedback-test-webhook-secret-0123456789',
    POWERTOOLS_LOG_LEVEL: 'CRITICAL', POWERTOOLS_METRICS_NAMESPACE: 'RelayguardTest', POWERTOOLS_METRICS_DISABLED: 'true',
  });
  ({ handler: feedback } = await import('../../lambdas/feedback.js'));
  stores = openAwsStores(res, emu.clientOptions, systemClock);
  const now = new Date().toISOString();
  await stores.tenants.createTenant({ id: TENANT, name: 'Acme', tokenHash: hashToken('feedback-tenant-token'), ipUserQuota: 1, settings: { ...DEFAULT_TENANT_SETTINGS }, createdAt: now });
}, { timeout: 120_000 });

after(async () => {
  stores?.close();
  await emu?.stop();
}, { timeout: 30_000 });

describe('the feedback Lambda and SNS redeliveries', () => {
  test('the same SNS complaint record delivered twice counts one complaint, and a fourth complaint delivered again does not lock the sender as a fifth does', async () => {
    const id = 'msg-fbl0001';
    const now = new Date().toISOString();
    await stores.messages.put(messageRecord(id, {
      tenantId: TENANT, sender: SENDER, envelope: { mailFrom: SENDER, rcptTo: RCPTS }, receivedAt: now, updatedAt: now, status: 'delivered',
      identity: { kind: 'smtp-user', tenantId: TENANT, username: SENDER, userKind: 'mailbox' },
      recipients: RCPTS.map((rcpt) => ({ rcpt, state: 'delivered' as const, attempts: 1, reply: '250 ok' })),
    }));
    const events = RCPTS.map((r, i) => complaint(id, r, `0100019a-complaint-${i + 1}`));
    assert.deepEqual(await feedback(snsEvent(events.slice(0, 3)), lambdaContext('feedback')), { applied: 3, ignored: 0 });

    // The fourth complaint reaches two invocations at once (SNS retried while the first still ran).
    const both = await Promise.all([feedback(snsEvent([events[3]]), lambdaContext('feedback')), feedback(snsEvent([events[3]]), lambdaContext('feedback'))]);
    assert.ok(both.some((o) => o.applied === 1), JSON.stringify(both));
    assert.equal(await complaints(), 4, 'the fourth complaint counted once');

    // SES's delivery event arrives after the complaints and rewrites each recipient's entry; then SNS redelivers the fourth again.
    assert.deepEqual(await feedback(snsEvent([delivery(id)]), lambdaContext('feedback')), { applied: 1, ignored: 0 });
    await feedback(snsEvent([events[3]]), lambdaContext('feedback'));
    assert.equal(await complaints(), 4, 'a redelivery after the delivery event counts nothing');
    assert.equal((await stores.senders.get(TENANT, SENDER))?.lock, undefined, 'four complaints do not lock');

    assert.deepEqual(await feedback(snsEvent([events[4]]), lambdaContext('feedback')), { applied: 1, ignored: 0 });
    assert.equal(await complaints(), 5);
    assert.match((await stores.senders.get(TENANT, SENDER))?.lock?.reason ?? '', /complain/, 'a real fifth complaint locks');
  });
});
