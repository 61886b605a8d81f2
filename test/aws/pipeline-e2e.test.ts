// End to end on emulators: the real ingress writes to S3 (fauxqs) and
// DynamoDB Local and enqueues on SQS (fauxqs); the real score and deliver
// Lambda handlers are invoked with the SQS events they would receive,
// including a poison message; mail leaves through the SES emulator or a real
// receiving SMTP server (smarthost), and SES feedback updates the log. A
// sender locked by the score handler — or by the deliver handler on the
// receiving servers' replies — is reported to its tenant: a signed webhook
// POST to a receiver on loopback, and an ARF report (through SES untagged, or
// to the receiving server). The bundled Fargate ingress lifts an expired lock
// and posts sender.unlocked, signed with the secret it reads by ARN.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import nodemailer from 'nodemailer';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { generate } from 'selfsigned';
import { ChangeMessageVisibilityCommand, GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, APIGatewayProxyEvent, APIGatewayProxyResult, SNSEvent } from 'aws-lambda';
import { openAwsStores, type AwsStores } from '../../adapters/aws/index.js';
import { createIngress, type Ingress } from '../../ingress/server.js';
import { hashToken } from '../../core/tenants/password.js';
import { systemClock } from '../../core/ports.js';
import { createApi } from '../../api/handler.js';
import { webhookSecretFor } from '../../core/notify/webhook-key.js';
import { startWebhookReceiver, verifies, type WebhookReceiver } from '../helpers/webhook-receiver.js';
import { startReceiver, type Receiver } from '../delivery/helpers.js';
import { bucket, TTL } from '../../core/reputation/counters.js';
import { MESSAGE_TAG } from '../../adapters/aws/ses-transport.js';
import { startSecretsStandIn } from './secrets-stand-in.js';
import { createAwsClients, createResources, freePort, startEmulators, type EmulatorSet, type SesEmulator } from './emulators.js';
import { acknowledge, lambdaContext, receiveBatch, snsEvent, sqsEvent } from './lambda-context.js';

type SqsHandler = (e: SQSEvent, c: Context) => Promise<SQSBatchResponse>;
const OPERATOR_TOKEN = 'rgop_e2e-operator-token-0123456789abcdef';
/** The server secret, given to the functions as WEBHOOK_SECRET (the emulator-run source of lambdas/shared/webhook.ts). */
const WEBHOOK_SERVER_SECRET = 'e2e-webhook-server-secret-0123456789abcdef';

let emu: EmulatorSet & { ses?: SesEmulator };
let res: Awaited<ReturnType<typeof createResources>>;
let stores: AwsStores;
let ingress: Ingress;
let smtpPort: number;
let receiver: Receiver;
let score: SqsHandler;
let deliver: SqsHandler;
let feedback: (e: SNSEvent, c: Context) => Promise<{ applied: number; ignored: number }>;
let api: (e: APIGatewayProxyEvent, c: Context) => Promise<APIGatewayProxyResult>;
let tenant: { token: string; mailbox: string; password: string };
let hook: WebhookReceiver;
/** The key the receiver verifies with: the one the tenant's settings show. */
let hookKey = '';
/** Between the functions and the SES emulator: records each SendEmail request (the emulator keeps no tags). */
let sesProxy: Server;
const sesRequests: { Destination?: { ToAddresses?: string[] }; EmailTags?: { Name: string; Value: string }[]; FromEmailAddress?: string }[] = [];
/** Our receiving server knows nobody called nobody*: 550 5.1.1, as a real one answers a harvested list. */
const refusesNobody = (a: string) => (a.startsWith('nobody') ? { code: 550, message: `5.1.1 <${a}>: Recipient address rejected: User unknown` } : undefined);

/** Forwards every request to `target`, recording the JSON of SESv2 SendEmail calls. */
async function startSesProxy(target: string): Promise<Server> {
  const server = createServer((req, rs) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (req.method === 'POST' && req.url?.startsWith('/v2/email/outbound-emails')) sesRequests.push(JSON.parse(body.toString() || '{}'));
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !['host', 'connection', 'content-length'].includes(k)) headers[k] = String(v);
      fetch(target + req.url, { method: req.method!, headers, ...(body.length ? { body } : {}) }).then(async (r) => {
        rs.statusCode = r.status;
        r.headers.forEach((v, k) => { if (!['content-length', 'transfer-encoding', 'connection', 'content-encoding'].includes(k)) rs.setHeader(k, v); });
        rs.end(Buffer.from(await r.arrayBuffer()));
      }, (err) => { rs.statusCode = 502; rs.end(String(err)); });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return server;
}

async function callApi(method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: any; headers?: Record<string, unknown> }> {
  const event = {
    httpMethod: method, path, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, queryStringParameters: null,
    body: body === undefined ? null : JSON.stringify(body), isBase64Encoded: false,
  } as unknown as APIGatewayProxyEvent;
  const out = await api(event, lambdaContext('api'));
  return { status: out.statusCode, body: out.body ? JSON.parse(out.body) : undefined, ...(out.headers ? { headers: out.headers } : {}) };
}

async function submit(to: string, subject: string, port = smtpPort, as = { user: tenant.mailbox, pass: tenant.password }, text = 'Hello Bob,\n\nthe minutes from Tuesday are below.\n\nAlice\n'): Promise<string> {
  const client = nodemailer.createTransport({
    host: '127.0.0.1', port, secure: false, requireTLS: true, tls: { rejectUnauthorized: false },
    connectionTimeout: 20_000, greetingTimeout: 20_000, socketTimeout: 30_000,
    auth: as,
  } as never);
  const info = await client.sendMail({ from: as.user, to, subject, text });
  client.close();
  const m = /queued as (\S+)/.exec(info.response);
  assert.ok(m, `250 names the queue id: ${info.response}`);
  return m[1]!;
}

/**
 * The tenant points its webhook at the test's receiver and its abuse contact at abuse@acme.example,
 * and the receiver verifies with the key the settings reply shows. Each test that expects a
 * notification calls it, so none passes only after another.
 */
async function subscribe(): Promise<{ status: number; body: any }> {
  const set = await callApi('PATCH', '/v1/settings', tenant.token, { webhookUrl: hook.url, abuseContact: 'abuse@acme.example' });
  assert.equal(set.status, 200, JSON.stringify(set.body));
  hookKey = set.body.webhookSigningSecret;
  return set;
}

/** The test tenant's id in the stores. */
const tenantIdOf = async (): Promise<string> => (await stores.tenants.getTenantByTokenHash(hashToken(tenant.token)))!.id;

/** A new mailbox user of the test tenant, created through the API Lambda, with the password it was given. */
async function newMailbox(username: string): Promise<{ user: string; pass: string }> {
  const u = await callApi('POST', '/v1/users', tenant.token, { username });
  assert.equal(u.status, 201, JSON.stringify(u.body));
  return { user: username, pass: u.body.password as string };
}

/** One pass of the event source mapping: receive, invoke, delete what succeeded. */
async function runQueue(handler: SqsHandler, queueUrl: string, want: number): Promise<{ messages: number; failed: string[] }> {
  const batch = await receiveBatch(stores.clients.sqs, queueUrl, want);
  const out = await handler(sqsEvent(batch), lambdaContext());
  const failed = out.batchItemFailures.map((f) => f.itemIdentifier);
  await acknowledge(stores.clients.sqs, queueUrl, batch, failed);
  return { messages: batch.length, failed };
}

before(async () => {
  emu = await startEmulators({ ses: true });
  const admin = createAwsClients(emu.clientOptions);
  res = await createResources(admin, 3);
  admin.destroy();
  const ep = emu.clientOptions.endpoints!;
  sesProxy = await startSesProxy(ep.ses!);
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL_DYNAMODB: ep.dynamodb, AWS_ENDPOINT_URL_S3: ep.s3, AWS_ENDPOINT_URL_SQS: ep.sqs,
    AWS_ENDPOINT_URL_SESV2: `http://127.0.0.1:${(sesProxy.address() as { port: number }).port}`,
    TABLE_NAME: res.tableName, SPOOL_BUCKET: res.bucketName, SCORE_QUEUE_URL: res.scoreQueueUrl, DELIVER_QUEUE_URL: res.deliverQueueUrl,
    IDEMPOTENCY_TABLE: res.idempotencyTableName, RELAY_HOSTNAME: 'relay.test', MAX_RECEIVES: '3', DELIVERY_MODE: 'ses',
    WEBHOOK_SECRET: WEBHOOK_SERVER_SECRET,
    // The tenants' webhook receivers here are on loopback, which a deployment refuses.
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    OPERATOR_TOKEN_SHA256: hashToken(OPERATOR_TOKEN), SMTP_HOST: 'relay.test',
    POWERTOOLS_LOG_LEVEL: 'CRITICAL', POWERTOOLS_METRICS_NAMESPACE: 'RelayguardTest', POWERTOOLS_METRICS_DISABLED: 'true',
  });
  ({ handler: score } = await import('../../lambdas/score.js'));
  ({ handler: deliver } = await import('../../lambdas/deliver.js'));
  ({ handler: feedback } = await import('../../lambdas/feedback.js'));
  ({ handler: api } = await import('../../lambdas/api.js'));

  stores = openAwsStores(res, emu.clientOptions, systemClock);
  const pems = await generate([{ name: 'commonName', value: 'relay.test' }], { keySize: 2048, days: 1, algorithm: 'sha256' } as never);
  ingress = createIngress(
    { clock: systemClock, tenants: stores.tenants, senders: stores.senders, spool: stores.spool, intake: stores.intake },
    { hostname: 'relay.test', key: pems.private, cert: pems.cert, greetingDelayMs: 0 },
  );
  smtpPort = await ingress.listen(0, '127.0.0.1');
  receiver = await startReceiver({ rcpt: refusesNobody });
  // The tenant's webhook receiver: a real HTTP server; each test checks the signatures of what it got with the key /v1/settings shows.
  hook = await startWebhookReceiver();

  // The operator creates a tenant, its domain and a mailbox user through the API Lambda.
  const t = await callApi('POST', '/v1/tenants', OPERATOR_TOKEN, { name: 'Acme', ipUserQuota: 2 });
  assert.equal(t.status, 201, JSON.stringify(t.body));
  const d = await callApi('POST', '/v1/domains', t.body.token, { domain: 'acme.example' });
  assert.equal(d.status, 201, JSON.stringify(d.body));
  const u = await callApi('POST', '/v1/users', t.body.token, { username: 'alice@acme.example' });
  assert.equal(u.status, 201, JSON.stringify(u.body));
  tenant = { token: t.body.token, mailbox: 'alice@acme.example', password: u.body.password };
}, { timeout: 180_000 });

after(async () => {
  await ingress?.close();
  await receiver?.close();
  await hook?.close();
  if (sesProxy) await new Promise((r) => sesProxy.close(r));
  stores?.close();
  await emu?.stop();
}, { timeout: 30_000 });

// Every step is bounded: a stuck emulator fails the test with its name instead of hanging the run.
describe('the serverless pipeline on emulators', { timeout: 240_000 }, () => {
  test('the API function serves, without a token, the same OpenAPI document as the local server', async () => {
    const viaLambda = await callApi('GET', '/v1/openapi.json', '');
    assert.equal(viaLambda.status, 200);
    assert.match(String(viaLambda.headers?.['content-type']), /json/);
    const local = await createApi({
      clock: systemClock, tenants: stores.tenants, messages: stores.messages, senders: stores.senders, spool: stores.spool,
      deliverQueue: stores.deliverQueue, operatorTokenHash: '', smtpHost: 'relay.test', smtpPort: 587,
    })({ method: 'GET', path: '/v1/openapi.json', query: {}, headers: {}, body: undefined });
    assert.deepEqual(viaLambda.body, JSON.parse(JSON.stringify(local.body)));
    assert.ok(Object.keys(viaLambda.body.paths).length > 10);
  });

  test('accepted mail is scored in a batch with a poison message, which alone is reported as failed', async () => {
    const id1 = await submit('bob@partner.example', 'Minutes');
    const id2 = await submit('carol@partner.example', 'Minutes');
    assert.equal((await stores.messages.get(id1))?.status, 'accepted', 'the 250 came after the log record');
    assert.ok((await stores.spool.get((await stores.messages.get(id1))!.spoolKey)).toString().includes('Subject: Minutes'), 'the body is in S3');
    await stores.clients.sqs.send(new SendMessageCommand({ QueueUrl: res.scoreQueueUrl, MessageBody: 'not json at all' }));

    const batch = await receiveBatch(stores.clients.sqs, res.scoreQueueUrl, 3);
    assert.equal(batch.length, 3);
    const poison = batch.find((m) => m.Body === 'not json at all')!;
    const out = await score(sqsEvent(batch), lambdaContext('score'));
    assert.deepEqual(out.batchItemFailures, [{ itemIdentifier: poison.MessageId }]);
    await acknowledge(stores.clients.sqs, res.scoreQueueUrl, batch, [poison.MessageId!]);
    // The failed record comes back after its visibility timeout; let it come back now.
    await stores.clients.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: res.scoreQueueUrl, ReceiptHandle: poison.ReceiptHandle!, VisibilityTimeout: 0 }));
    for (const id of [id1, id2]) {
      const m = await stores.messages.get(id);
      assert.equal(m?.status, 'queued', `${id} scored clean: ${JSON.stringify(m?.verdict)}`);
      assert.equal(m?.verdict?.verdict, 'deliver');
    }
  });

  /** A message of the test tenant written straight to the store, in `status`, whose job will fail on every try. */
  async function failingMessage(id: string, spoolKey: string, status: 'accepted' | 'queued'): Promise<void> {
    const tenantId = await tenantIdOf();
    const now = new Date().toISOString();
    await stores.messages.put({
      id, tenantId, spoolKey, envelope: { mailFrom: tenant.mailbox, rcptTo: ['x@partner.example'] },
      clientIp: '127.0.0.1', identity: { kind: 'smtp-user', tenantId, username: tenant.mailbox, userKind: 'mailbox' }, sender: tenant.mailbox,
      size: 1, receivedAt: now, status, recipients: [{ rcpt: 'x@partner.example', state: 'pending', attempts: 0 }], updatedAt: now,
    });
  }

  /** One SQS record of `job`, received for the `count`th time. */
  function receivedAs(count: string, recordId: string, job: object): SQSEvent {
    const e = sqsEvent([{ MessageId: recordId, ReceiptHandle: 'rh', Body: JSON.stringify(job) }]);
    e.Records[0]!.attributes.ApproximateReceiveCount = count;
    return e;
  }

  test('a score job still failing on its last receive holds its message in quarantine instead of failing again', async () => {
    // Its spooled body is gone, so scoring throws every time.
    await failingMessage('msg-lost-body-1', 'msg-lost-body-1', 'accepted');
    const job = { messageId: 'msg-lost-body-1' };
    assert.deepEqual((await score(receivedAs('1', 'lost-1', job), lambdaContext('score'))).batchItemFailures, [{ itemIdentifier: 'lost-1' }], 'retried while receives remain');
    assert.equal((await stores.messages.get('msg-lost-body-1'))?.status, 'accepted');
    assert.deepEqual((await score(receivedAs('3', 'lost-3', job), lambdaContext('score'))).batchItemFailures, [], 'the last receive is acknowledged');
    const held = await stores.messages.get('msg-lost-body-1');
    assert.equal(held?.status, 'quarantined');
    assert.ok(held?.verdict?.signals.some((x) => x.name === 'scoring-failed'));
  });

  test('a deliver job still failing on its last receive holds its message in quarantine instead of leaving it queued', async () => {
    // Its record names a spool key the spool refuses: reading the body throws on every try (not "gone", which would bounce).
    await failingMessage('msg-bad-key-1', 'no/such/key', 'queued');
    const job = { messageId: 'msg-bad-key-1', attempt: 1 };
    assert.deepEqual((await deliver(receivedAs('1', 'bad-key-1', job), lambdaContext('deliver'))).batchItemFailures, [{ itemIdentifier: 'bad-key-1' }], 'retried while receives remain');
    assert.equal((await stores.messages.get('msg-bad-key-1'))?.status, 'queued');
    assert.deepEqual((await deliver(receivedAs('3', 'bad-key-3', job), lambdaContext('deliver'))).batchItemFailures, [], 'the last receive is acknowledged');
    const held = await stores.messages.get('msg-bad-key-1');
    assert.equal(held?.status, 'quarantined');
    assert.match(held?.verdict?.signals.find((x) => x.name === 'delivery-failed')?.detail ?? '', /^delivery failed repeatedly/);
  });

  test('a poison score job ends in the dead-letter queue after its receives run out', async () => {
    for (let i = 0; i < 5; i++) {
      const batch = await receiveBatch(stores.clients.sqs, res.scoreQueueUrl, 1);
      if (batch.length === 0) break;
      const out = await score(sqsEvent(batch), lambdaContext('score'));
      assert.equal(out.batchItemFailures.length, 1);
      // Make it visible again at once instead of waiting out the visibility timeout.
      await stores.clients.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: res.scoreQueueUrl, ReceiptHandle: batch[0]!.ReceiptHandle!, VisibilityTimeout: 0 }));
    }
    const dlq = await stores.clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: res.scoreDlqUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
    assert.equal(dlq.Attributes?.ApproximateNumberOfMessages, '1');
  });

  test('clean mail is delivered through SES once, even when its deliver job is redelivered', async () => {
    const batch = await receiveBatch(stores.clients.sqs, res.deliverQueueUrl, 2);
    assert.equal(batch.length, 2);
    const out = await deliver(sqsEvent(batch), lambdaContext('deliver'));
    assert.deepEqual(out.batchItemFailures, []);
    const sent = await emu.ses!.sent();
    assert.equal(sent.length, 2);
    assert.deepEqual(sent.map((m) => m.destination.to).flat().sort(), ['bob@partner.example', 'carol@partner.example']);
    assert.ok(sent.every((m) => m.subject === 'Minutes'));

    // SQS delivers at least once: the same records again must not send again.
    const again = await deliver(sqsEvent(batch), lambdaContext('deliver'));
    assert.deepEqual(again.batchItemFailures, []);
    assert.equal((await emu.ses!.sent()).length, 2, 'no second send');
    await acknowledge(stores.clients.sqs, res.deliverQueueUrl, batch, []);

    const logged = await callApi('GET', '/v1/messages', tenant.token);
    assert.equal(logged.status, 200);
    const delivered = logged.body.items.filter((m: any) => m.status === 'delivered');
    assert.equal(delivered.length, 2, JSON.stringify(logged.body.items.map((m: any) => m.status)));
    assert.match(delivered[0].recipients[0].reply, /^250 .*SES/);
  });

  test('a retry due later than SQS can delay waits on the queue instead of running early', async () => {
    const before = (await emu.ses!.sent()).length;
    const early = { MessageId: 'early-1', ReceiptHandle: 'rh-early-1', Body: JSON.stringify({ messageId: 'any-message', attempt: 3, notBefore: Date.now() + 3600_000 }) };
    const out = await deliver(sqsEvent([early]), lambdaContext('deliver'));
    assert.deepEqual(out.batchItemFailures, []);
    assert.equal((await emu.ses!.sent()).length, before, 'nothing was sent');
    const attrs = await stores.clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: res.deliverQueueUrl, AttributeNames: ['ApproximateNumberOfMessagesDelayed'] }));
    assert.equal(attrs.Attributes?.ApproximateNumberOfMessagesDelayed, '1', 'the job is back on the queue, delayed');
  });

  test('mail held at delivery because its sender was locked goes out through SES once the tenant releases it', async () => {
    const rita = await newMailbox('rita@acme.example');
    const id = await submit('dan@partner.example', 'Held then released', smtpPort, rita);
    assert.deepEqual(await runQueue(score, res.scoreQueueUrl, 1), { messages: 1, failed: [] });
    const lock = await callApi('POST', `/v1/senders/${encodeURIComponent(rita.user)}/lock`, tenant.token, { reason: 'checking a complaint' });
    assert.equal(lock.status, 200, JSON.stringify(lock.body));
    // The deliver job finds the sender locked and holds the message: that job is done (and remembered as done).
    assert.deepEqual(await runQueue(deliver, res.deliverQueueUrl, 1), { messages: 1, failed: [] });
    assert.equal((await stores.messages.get(id))?.status, 'quarantined');
    const sesBefore = (await emu.ses!.sent()).length;
    const released = await callApi('POST', `/v1/messages/${id}/release`, tenant.token);
    assert.equal(released.status, 200, JSON.stringify(released.body));
    assert.deepEqual(await runQueue(deliver, res.deliverQueueUrl, 1), { messages: 1, failed: [] });
    const sent = (await emu.ses!.sent()).slice(sesBefore);
    assert.deepEqual(sent.map((m) => m.subject), ['Held then released'], 'the released job is not taken for the one that held it');
    assert.equal((await stores.messages.get(id))?.status, 'delivered');
  });

  test('an SES permanent bounce marks the recipient bounced, and the same event again changes nothing', async () => {
    const { items } = await stores.messages.list(await tenantIdOf(), { recipient: 'bob@partner.example' });
    const msg = items[0]!;
    const bounce = {
      eventType: 'Bounce',
      mail: { messageId: 'ses-1', timestamp: new Date().toISOString(), destination: ['bob@partner.example'], tags: { 'relayguard-message': [msg.id] } },
      bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: 'bob@partner.example', status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 user unknown' }], reportingMTA: 'dsn; a1.example' },
    };
    const notOurs = { eventType: 'Delivery', mail: { messageId: 'x', tags: {} }, delivery: { recipients: ['x@y.example'] } };
    assert.deepEqual(await feedback(snsEvent([bounce, notOurs]), lambdaContext('feedback')), { applied: 1, ignored: 1 });
    const after1 = await stores.messages.get(msg.id);
    assert.equal(after1?.status, 'bounced');
    assert.equal(after1?.recipients[0]?.state, 'bounced');
    assert.match(after1?.recipients[0]?.reply ?? '', /5\.1\.1 user unknown/);
    assert.deepEqual(await feedback(snsEvent([bounce]), lambdaContext('feedback')), { applied: 0, ignored: 1 });
  });

  test('in direct mode the deliver handler hands mail to a real receiving SMTP server', async () => {
    process.env.DELIVERY_MODE = 'direct-mx';
    process.env.SMARTHOST = `127.0.0.1:${receiver.port}`;
    try {
      const id = await submit('dave@partner.example', 'Agenda');
      assert.equal((await runQueue(score, res.scoreQueueUrl, 1)).failed.length, 0);
      assert.deepEqual(await runQueue(deliver, res.deliverQueueUrl, 1), { messages: 1, failed: [] });
      const got = receiver.received.find((r) => r.raw.toString().includes('Subject: Agenda'));
      assert.ok(got, 'the receiving server got the message');
      assert.deepEqual(got.rcptTo, ['dave@partner.example']);
      assert.match(got.raw.toString(), /DKIM-Signature: .*d=acme\.example/s);
      assert.equal((await stores.messages.get(id))?.status, 'delivered');
    } finally {
      process.env.DELIVERY_MODE = 'ses';
      delete process.env.SMARTHOST;
    }
  });

  test('a sender the score handler locks is reported to its tenant: a signed webhook to its receiver and an ARF report through SES', async () => {
    const tenantId = await tenantIdOf();
    const set = await subscribe();
    const shown = await callApi('GET', '/v1/settings', tenant.token);
    assert.equal(shown.body.webhookSigningSecret, webhookSecretFor(WEBHOOK_SERVER_SECRET, tenantId), 'the API function shows the key the local runner would derive');
    assert.equal(set.body.webhookSigningSecret, shown.body.webhookSigningSecret);

    // A stolen account: its own password in the message locks it at once.
    const frank = await newMailbox('frank@acme.example');
    const sesBefore = (await emu.ses!.sent()).length;
    const id = await submit('buyer@elsewhere.example', 'credentials', smtpPort, frank, `login ${frank.user} pass ${frank.pass} ok\n`);
    assert.deepEqual(await runQueue(score, res.scoreQueueUrl, 1), { messages: 1, failed: [] });

    const m = await stores.messages.get(id);
    assert.notEqual(m?.status, 'queued', 'the message is not delivered');
    assert.ok(m?.verdict?.signals.some((x) => x.name === 'password-in-message'), JSON.stringify(m?.verdict?.signals));
    assert.ok((await stores.senders.get(tenantId, frank.user))?.lock, 'the sender is locked');

    const locked = hook.posts.filter((p) => p.event.type === 'sender.locked');
    assert.equal(locked.length, 1, JSON.stringify(hook.posts.map((p) => p.event.type)));
    assert.ok(verifies(hookKey, locked[0]!), 'the signature verifies with the key from /v1/settings');
    assert.equal(locked[0]!.event.sender, frank.user);
    assert.equal(locked[0]!.event.tenantId, tenantId);

    const reports = (await emu.ses!.sent()).slice(sesBefore);
    assert.equal(reports.length, 1, 'one ARF report went out through the delivery transport (SES)');
    assert.deepEqual(reports[0]!.destination.to, ['abuse@acme.example']);
    assert.match(reports[0]!.subject ?? '', /^Abuse report: message from <frank@acme\.example> held/);
    assert.match(reports[0]!.from, /abuse-reports@relay\.test/);
    assert.ok(!(await emu.ses!.sent()).some((x) => x.destination.to.includes('buyer@elsewhere.example')), 'the locked sender\'s mail did not leave');
  });

  test('a sender the deliver handler locks on the replies (a real receiving server refuses 10 of 11 recipients with 550 5.1.1) is reported: signed webhook and an ARF report through the delivery transport', async () => {
    const tenantId = await tenantIdOf();
    const gina = await newMailbox('gina@acme.example');
    await subscribe();
    process.env.DELIVERY_MODE = 'direct-mx';
    process.env.SMARTHOST = `127.0.0.1:${receiver.port}`;
    try {
      // Two ordinary messages to a harvested list, each within a new sender's allowances and in its own words: both scored clean.
      const ids = [
        await submit('nobody0@list.example, nobody1@list.example, nobody2@list.example, nobody3@list.example, ann@list.example', 'Minutes', smtpPort, gina, 'Hello all,\n\nnotes from the Monday call are below.\n\nGina\n'),
        await submit('nobody4@list.example, nobody5@list.example, nobody6@list.example, nobody7@list.example, nobody8@list.example, nobody9@list.example', 'Agenda', smtpPort, gina, 'Hello all,\n\nthe agenda for Thursday follows.\n\nGina\n'),
      ];
      assert.deepEqual(await runQueue(score, res.scoreQueueUrl, 2), { messages: 2, failed: [] });
      for (const id of ids) assert.equal((await stores.messages.get(id))?.status, 'queued', JSON.stringify((await stores.messages.get(id))?.verdict));
      assert.deepEqual(await runQueue(deliver, res.deliverQueueUrl, 2), { messages: 2, failed: [] });
      await runQueue(deliver, res.deliverQueueUrl, 2); // the DSNs of the refused recipients, back to gina

      const lock = (await stores.senders.get(tenantId, gina.user))?.lock;
      assert.match(lock?.reason ?? '', /refused a large share of recipients as unknown/, 'the replies locked the sender');
      const locked = hook.posts.filter((p) => p.event.type === 'sender.locked' && p.event.sender === gina.user);
      assert.equal(locked.length, 1, JSON.stringify(hook.posts.map((p) => [p.event.type, p.event.sender])));
      assert.ok(verifies(hookKey, locked[0]!), 'signed with the key /v1/settings shows');
      assert.equal(locked[0]!.event.detail.lockedBy, 'policy');

      const report = receiver.received.find((m) => m.rcptTo.includes('abuse@acme.example') && m.raw.toString().includes('gina@acme.example'));
      assert.ok(report, 'the ARF report reached the receiving server');
      assert.equal(report.mailFrom, '');
      assert.match(report.raw.toString(), /Feedback-Type: abuse/);
      assert.match(report.raw.toString(), /Original-Rcpt-To: <nobody\d@list\.example>/);
    } finally {
      process.env.DELIVERY_MODE = 'ses';
      delete process.env.SMARTHOST;
    }
  });

  test('in SES mode the deliver handler sends the ARF report of a lock untagged, while the message it delivered carries its id', async () => {
    const tenantId = await tenantIdOf();
    const ivan = await newMailbox('ivan@acme.example');
    await subscribe();
    // Its own words: the same text from a third sender would be a campaign.
    const id = await submit('zoe@partner.example', 'Invoice 2211', smtpPort, ivan, 'Hi Zoe,\n\nthe invoice for March is paid; thanks for the reminder.\n\nIvan\n');
    assert.deepEqual(await runQueue(score, res.scoreQueueUrl, 1), { messages: 1, failed: [] });
    assert.equal((await stores.messages.get(id))?.status, 'queued');
    // Meanwhile this hour's earlier mail of ivan was refused as unknown 10 times (as bounces of a bought list count).
    await stores.senders.increment(tenantId, ivan.user, bucket.hour(new Date()), { invalid: 10, attempted: 10 }, TTL.hour);
    const before = sesRequests.length;
    assert.deepEqual(await runQueue(deliver, res.deliverQueueUrl, 1), { messages: 1, failed: [] });

    assert.ok((await stores.senders.get(tenantId, ivan.user))?.lock, 'the delivery result locked the sender');
    const sends = sesRequests.slice(before);
    const mail = sends.find((r) => r.Destination?.ToAddresses?.includes('zoe@partner.example'));
    const report = sends.find((r) => r.Destination?.ToAddresses?.includes('abuse@acme.example'));
    assert.deepEqual(mail?.EmailTags, [{ Name: MESSAGE_TAG, Value: id }], 'the delivered message is tagged with its id');
    assert.ok(report, `an ARF report went out through SES: ${JSON.stringify(sends.map((r) => r.Destination))}`);
    assert.equal(report.EmailTags, undefined, 'the report carries no message tag: SES events about it never touch the message');
    assert.ok((await emu.ses!.sent()).some((m) => m.subject === 'Abuse report: message from <ivan@acme.example> held'));
    assert.ok(hook.posts.some((p) => p.event.type === 'sender.locked' && p.event.sender === ivan.user && verifies(hookKey, p)));
  });

  test('complaints that lock a sender through the feedback handler are counted (SenderLocked, as the lockouts alarm reads) and reported: signed webhook and ARF report', async () => {
    const tenantId = await tenantIdOf();
    const hank = await newMailbox('hank@acme.example');
    await subscribe();
    const rcpts = ['r1@partner.example', 'r2@partner.example', 'r3@partner.example', 'r4@partner.example', 'r5@partner.example'];
    const id = await submit(rcpts.join(', '), 'Spring offers', smtpPort, hank, 'Hello,\n\nour spring catalogue is out.\n\nHank\n');
    assert.deepEqual(await runQueue(score, res.scoreQueueUrl, 1), { messages: 1, failed: [] });
    assert.deepEqual(await runQueue(deliver, res.deliverQueueUrl, 1), { messages: 1, failed: [] });
    assert.equal((await stores.messages.get(id))?.status, 'delivered');

    // The feedback function's own metrics instance: what it adds is what it publishes.
    const { metrics } = await import('../../lambdas/shared/powertools.js');
    const added: string[] = [];
    const addMetric = metrics.addMetric.bind(metrics);
    metrics.addMetric = (name, unit, value, resolution) => { added.push(name); return addMetric(name, unit, value, resolution); };
    const sesBefore = (await emu.ses!.sent()).length;
    try {
      // Each recipient complains (as a mailbox provider's feedback loop reports through SES).
      const complaints = rcpts.map((r, i) => ({
        eventType: 'Complaint',
        mail: { messageId: `ses-c${i}`, timestamp: new Date().toISOString(), destination: rcpts, tags: { 'relayguard-message': [id] } },
        complaint: { complainedRecipients: [{ emailAddress: r }], complaintFeedbackType: 'abuse' },
      }));
      assert.deepEqual(await feedback(snsEvent(complaints), lambdaContext('feedback')), { applied: 5, ignored: 0 });
    } finally {
      metrics.addMetric = addMetric;
    }
    assert.match((await stores.senders.get(tenantId, hank.user))?.lock?.reason ?? '', /complained/, 'the complaints locked the sender');
    assert.equal(added.filter((n) => n === 'SenderLocked').length, 1, `one lock counted: ${JSON.stringify(added)}`);
    const locked = hook.posts.filter((p) => p.event.type === 'sender.locked' && p.event.sender === hank.user);
    assert.equal(locked.length, 1);
    assert.ok(verifies(hookKey, locked[0]!));
    assert.ok((await emu.ses!.sent()).slice(sesBefore).some((m) => (m.subject ?? '').includes('hank@acme.example')), 'an ARF report went out through SES');
  });

  test('the bundled Fargate entry point takes mail into S3, DynamoDB and SQS, lifts an expired lock with a sender.unlocked signed by the secret it reads by WEBHOOK_SECRET_ARN, logs a lock it sets at AUTH as SENDER_LOCKED for the lockouts metric, and stops cleanly on SIGTERM', async () => {
    const dir = join(tmpdir(), `rg-ingress-bundle-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    // @ts-expect-error plain ESM script without types
    const { buildIngress } = await import('../../scripts/build-ingress.mjs');
    const bundle: string = await buildIngress(join(dir, 'ingress.mjs'));
    // No Secrets Manager emulator offline: a loopback stand-in answers GetSecretValue for the one ARN (test/aws/secrets-stand-in.ts).
    const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:relayguard-webhook-AbCdEf';
    const secrets = await startSecretsStandIn({ [SECRET_ARN]: WEBHOOK_SERVER_SECRET });
    const asked = () => secrets.asked.map((a) => `${a.target} ${a.body.SecretId}`);
    const port = await freePort();
    const { WEBHOOK_SECRET: _given, ...env } = process.env;
    const child = spawn(process.execPath, [bundle], {
      env: {
        ...env, SMTP_PORT: String(port), SMTP_BIND: '127.0.0.1', TLS_KEY: 'REPLACE-ME', TLS_CERT: 'REPLACE-ME',
        WEBHOOK_SECRET_ARN: SECRET_ARN, AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (d) => { out += String(d); });
    child.stderr!.on('data', (d) => { out += String(d); });
    try {
      for (let i = 0; i < 200 && !out.includes('INGRESS_LISTENING'); i++) await new Promise((r) => setTimeout(r, 100));
      assert.match(out, /INGRESS_TLS_PLACEHOLDER/, 'a placeholder secret is reported, not fatal');
      assert.match(out, /INGRESS_LISTENING/, out);
      const id = await submit('erin@partner.example', 'From the container', port);
      const m = await stores.messages.get(id);
      assert.equal(m?.status, 'accepted');
      assert.ok((await stores.spool.get(m!.spoolKey)).toString().includes('Subject: From the container'));
      assert.equal((await runQueue(score, res.scoreQueueUrl, 1)).failed.length, 0, 'its score job is on the queue');
      assert.deepEqual(asked(), [], 'no webhook yet: the secret is not read');

      // A domain user whose automatic lock ran out a minute ago: its next MAIL FROM lifts the lock, and the tenant hears of it.
      const tenantId = await tenantIdOf();
      const d = await callApi('POST', '/v1/domains', tenant.token, { domain: 'beta.example' });
      assert.equal(d.status, 201, JSON.stringify(d.body));
      await subscribe();
      const now = Date.now();
      assert.ok(await stores.senders.save({
        tenantId, sender: 'beta.example', autoUnlocks: 0, firstSeenAt: new Date(now - 5 * 3600_000).toISOString(), lastSeenAt: new Date(now - 4 * 3600_000).toISOString(),
        lock: { reason: 'risk 11.0 >= 10 from content, outcome evidence', lockedAt: new Date(now - 4 * 3600_000 - 60_000).toISOString(), until: new Date(now - 60_000).toISOString(), by: 'auto' },
      }, 0));
      await submit('bob@partner.example', 'After the lock', port, { user: 'beta.example', pass: d.body.domainUser.password }, 'Hello Bob,\n\nback to normal.\n');
      for (let i = 0; i < 100 && !hook.posts.some((p) => p.event.type === 'sender.unlocked' && p.event.sender === 'beta.example'); i++) await new Promise((r) => setTimeout(r, 50));
      const unlocked = hook.posts.find((p) => p.event.type === 'sender.unlocked' && p.event.sender === 'beta.example');
      assert.ok(unlocked, `a sender.unlocked POST arrived:\n${out}`);
      assert.ok(verifies(hookKey, unlocked), 'signed with the key the API shows, derived from the secret the task read');
      assert.deepEqual(unlocked.event.detail, { by: 'timeout', autoUnlocks: 1, remainingAutoUnlocks: 1 });
      assert.deepEqual(asked(), [`secretsmanager.GetSecretValue ${SECRET_ARN}`], 'one GetSecretValue of that one secret');
      assert.equal((await stores.senders.get(tenantId, 'beta.example'))?.lock, undefined);
      assert.equal((await runQueue(score, res.scoreQueueUrl, 1)).failed.length, 0);

      // A lock the task sets itself, on login evidence at AUTH: an established account with spam on its ledger logs in
      // from a network it never used. The lock is a SENDER_LOCKED line with the fields the stack's metric filter selects on.
      const ivy = await newMailbox('ivy@acme.example');
      assert.ok(await stores.senders.save({
        tenantId, sender: ivy.user, autoUnlocks: 0, firstSeenAt: new Date(now - 30 * 86400_000).toISOString(), lastSeenAt: new Date(now - 60_000).toISOString(),
        reputation: { profile: { logins: 20, known: { displayNames: [], replyToDomains: [], networks: ['198.51.0.0/16'], tlsClients: [] }, risk: [{ at: new Date(now - 60_000).toISOString(), family: 'content', signal: 'content-spam', weight: 9 }] } },
      }, 0));
      await assert.rejects(submit('bob@partner.example', 'From a new network', port, ivy), /550|locked/i, 'the lock refuses the mail that follows the login');
      assert.match((await stores.senders.get(tenantId, ivy.user))?.lock?.reason ?? '', /login-new-network/);
      for (let i = 0; i < 100 && !out.includes('"SENDER_LOCKED"'); i++) await new Promise((r) => setTimeout(r, 50));
      const lines = out.split('\n').filter((l) => l.includes('"SENDER_LOCKED"')).map((l) => JSON.parse(l));
      assert.equal(lines.length, 1, out);
      assert.deepEqual([lines[0].event, lines[0].service, lines[0].sender, lines[0].tenantId], ['SENDER_LOCKED', 'relayguard-ingress', ivy.user, tenantId]);
      for (let i = 0; i < 100 && !hook.posts.some((p) => p.event.type === 'sender.locked' && p.event.sender === ivy.user); i++) await new Promise((r) => setTimeout(r, 50));
      assert.ok(hook.posts.some((p) => p.event.type === 'sender.locked' && p.event.sender === ivy.user), 'and the tenant hears of it');
      child.kill('SIGTERM');
      const [code] = (await Promise.race([once(child, 'exit'), new Promise((r) => setTimeout(() => r(['timeout']), 15_000))])) as [number | string];
      assert.equal(code, 0, out);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await secrets.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
