// SES events to delivery feedback, and the feedback step on real (SQLite)
// stores: recipients updated, evidence counted once however often an event
// arrives. Also the two edge adapters of the API on AWS: the token authorizer
// and the proxy-event mapping.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { openLocalStores, type LocalStores } from '../../adapters/local/index.js';
import { feedbackFromSesEvent } from '../../adapters/aws/ses-events.js';
import { handleDeliveryFeedback } from '../../core/pipeline/feedback.js';
import { bucket } from '../../core/reputation/counters.js';
import { hashToken } from '../../core/tenants/password.js';
import { DEFAULT_TENANT_SETTINGS } from '../../core/settings.js';
import { authorize } from '../../lambdas/authorizer.js';
import { toApiRequest } from '../../lambdas/api.js';
import { TestClock, messageRecord } from '../contract/factory.js';

const tagged = (id: string) => ({ messageId: 'ses-1', timestamp: '2026-06-01T12:00:00.000Z', destination: ['bob@example.net', 'carol@example.net'], tags: { 'relayguard-message': [id] } });

describe('SES events become delivery feedback', () => {
  test('a permanent bounce names each bounced recipient with its diagnostic', () => {
    const fb = feedbackFromSesEvent(JSON.stringify({
      eventType: 'Bounce', mail: tagged('m1'),
      bounce: { feedbackId: 'fb-bounce-1', bounceType: 'Permanent', reportingMTA: 'dsn; mx.example.net', bouncedRecipients: [{ emailAddress: 'bob@example.net', status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 unknown' }] },
    }));
    assert.deepEqual(fb, { messageId: 'm1', eventId: 'fb-bounce-1', kind: 'bounce', permanent: true, at: '2026-06-01T12:00:00.000Z', reportedBy: 'dsn; mx.example.net', recipients: [{ rcpt: 'bob@example.net', reply: 'smtp; 550 5.1.1 unknown' }] });
  });

  test('complaints, deliveries and rejects map to their kinds', () => {
    const complaint = feedbackFromSesEvent(JSON.stringify({ eventType: 'Complaint', mail: tagged('m1'), complaint: { complainedRecipients: [{ emailAddress: 'bob@example.net' }], complaintFeedbackType: 'abuse' } }));
    assert.equal(complaint?.kind, 'complaint');
    assert.deepEqual(complaint?.recipients, [{ rcpt: 'bob@example.net', reply: 'abuse' }]);
    const delivery = feedbackFromSesEvent(JSON.stringify({ eventType: 'Delivery', mail: tagged('m1'), delivery: { recipients: ['bob@example.net'], smtpResponse: '250 ok' } }));
    assert.deepEqual(delivery?.recipients, [{ rcpt: 'bob@example.net', reply: '250 ok' }]);
    const reject = feedbackFromSesEvent(JSON.stringify({ eventType: 'Reject', mail: tagged('m1'), reject: { reason: 'Bad content' } }));
    assert.equal(reject?.kind, 'reject');
    assert.match(reject?.recipients[0]?.reply ?? '', /^554 5\.7\.1 rejected by SES: Bad content/);
  });

  test('an event is named by its SES feedback id, or without one by its body, the same in every SNS redelivery', () => {
    const complaint = { eventType: 'Complaint', mail: tagged('m1'), complaint: { feedbackId: 'fb-complaint-1', complainedRecipients: [{ emailAddress: 'bob@example.net' }] } };
    assert.equal(feedbackFromSesEvent(JSON.stringify(complaint))?.eventId, 'fb-complaint-1');
    const delivery = JSON.stringify({ eventType: 'Delivery', mail: tagged('m1'), delivery: { recipients: ['bob@example.net'], timestamp: '2026-06-01T12:00:01.000Z' } });
    const id = feedbackFromSesEvent(delivery)?.eventId;
    assert.match(id ?? '', /^sha256:[0-9a-f]{32}$/);
    assert.equal(feedbackFromSesEvent(delivery)?.eventId, id);
    const later = JSON.stringify({ eventType: 'Delivery', mail: tagged('m1'), delivery: { recipients: ['bob@example.net'], timestamp: '2026-06-01T12:00:02.000Z' } });
    assert.notEqual(feedbackFromSesEvent(later)?.eventId, id, 'another event, another id');
  });

  test('events without our tag, of other kinds, or not JSON are ignored', () => {
    assert.equal(feedbackFromSesEvent(JSON.stringify({ eventType: 'Bounce', mail: { messageId: 'x', tags: {} } })), undefined);
    assert.equal(feedbackFromSesEvent(JSON.stringify({ eventType: 'Open', mail: tagged('m1') })), undefined);
    assert.equal(feedbackFromSesEvent('{not json'), undefined);
  });
});

describe('the feedback step', () => {
  let dir: string;
  let s: LocalStores;
  const clock = new TestClock();
  const deps = () => ({ clock, messages: s.messages, senders: s.senders, tenants: s.tenants });
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rg-feedback-'));
    s = openLocalStores(dir, clock);
    await s.tenants.createTenant({ id: 't1', name: 'T1', tokenHash: hashToken('tenant-token'), ipUserQuota: 1, settings: { ...DEFAULT_TENANT_SETTINGS }, createdAt: clock.now().toISOString() });
  });
  after(() => { s.close(); rmSync(dir, { recursive: true, force: true }); });

  test('a complaint is noted on the delivered recipient and counted once, however often it arrives', async () => {
    await s.messages.put(messageRecord('msg-c000001', {
      status: 'delivered', recipients: [{ rcpt: 'bob@example.net', state: 'delivered', attempts: 1, reply: '250 ok' }],
    }));
    const fb = { messageId: 'msg-c000001', eventId: 'c-1', kind: 'complaint' as const, recipients: [{ rcpt: 'Bob@example.net', reply: 'abuse' }], at: clock.now().toISOString() };
    assert.equal(await handleDeliveryFeedback(deps(), fb), 'applied');
    assert.equal(await handleDeliveryFeedback(deps(), fb), 'unchanged');
    const m = await s.messages.get('msg-c000001');
    assert.equal(m?.status, 'delivered');
    assert.equal(m?.recipients[0]?.reply, 'complaint: abuse');
    const day = await s.senders.increment('t1', 'alice@example.com', bucket.day(clock.now()), { complaints: 0 }, 3600);
    assert.equal(day.complaints, 1);
  });

  test('a bounce of one of two recipients leaves the message partially delivered', async () => {
    await s.messages.put(messageRecord('msg-b000001', {
      status: 'delivered',
      recipients: [{ rcpt: 'bob@example.net', state: 'delivered', attempts: 1 }, { rcpt: 'carol@example.net', state: 'delivered', attempts: 1 }],
    }));
    const out = await handleDeliveryFeedback(deps(), { messageId: 'msg-b000001', eventId: 'b-1', kind: 'bounce', permanent: true, recipients: [{ rcpt: 'carol@example.net', reply: '550 5.1.1 unknown' }], at: clock.now().toISOString() });
    assert.equal(out, 'applied');
    const m = await s.messages.get('msg-b000001');
    assert.equal(m?.status, 'partially-delivered');
    assert.deepEqual(m?.recipients.map((r) => r.state), ['delivered', 'bounced']);
  });

  test('feedback for a message we do not know changes nothing', async () => {
    assert.equal(await handleDeliveryFeedback(deps(), { messageId: 'nope', eventId: 'd-1', kind: 'delivery', recipients: [], at: clock.now().toISOString() }), 'unknown-message');
  });
});

describe('API Gateway adapters', () => {
  let dir: string;
  let s: LocalStores;
  const methodArn = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/v1/messages';
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rg-authz-'));
    s = openLocalStores(dir);
    await s.tenants.createTenant({ id: 't1', name: 'T1', tokenHash: hashToken('tenant-token'), ipUserQuota: 1, settings: { ...DEFAULT_TENANT_SETTINGS }, createdAt: new Date().toISOString() });
  });
  after(() => { s.close(); rmSync(dir, { recursive: true, force: true }); });

  test('the authorizer allows the whole stage for a tenant token and says which tenant', async () => {
    const out = await authorize(s.tenants, hashToken('op-token'), { type: 'TOKEN', authorizationToken: 'Bearer tenant-token', methodArn });
    assert.equal(out.principalId, 'tenant:t1');
    assert.deepEqual(out.context, { role: 'tenant', tenantId: 't1' });
    assert.deepEqual(out.policyDocument.Statement, [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/*' }]);
    assert.equal((await authorize(s.tenants, hashToken('op-token'), { type: 'TOKEN', authorizationToken: 'bearer op-token', methodArn })).principalId, 'operator');
  });

  test('the authorizer answers Unauthorized for unknown, malformed or operator tokens when no operator hash is deployed', async () => {
    for (const token of ['Bearer wrong', 'tenant-token', 'Basic dXNlcjpwYXNz', '']) {
      await assert.rejects(authorize(s.tenants, hashToken('op-token'), { type: 'TOKEN', authorizationToken: token, methodArn }), /^Error: Unauthorized$/);
    }
    await assert.rejects(authorize(s.tenants, '', { type: 'TOKEN', authorizationToken: 'Bearer op-token', methodArn }), /Unauthorized/);
  });

  test('a proxy event becomes an ApiRequest, and a body that is not JSON becomes a 400 problem', () => {
    const base = { httpMethod: 'POST', path: '/v1/users', headers: { Authorization: 'Bearer x' }, queryStringParameters: { limit: '5' }, isBase64Encoded: false } as unknown as APIGatewayProxyEvent;
    const ok = toApiRequest({ ...base, body: Buffer.from('{"username":"a@b.example"}').toString('base64'), isBase64Encoded: true });
    assert.deepEqual(ok, { method: 'POST', path: '/v1/users', query: { limit: '5' }, headers: { Authorization: 'Bearer x' }, body: { username: 'a@b.example' } });
    const bad = toApiRequest({ ...base, body: '{oops' });
    assert.equal('status' in bad && bad.status, 400);
  });
});
