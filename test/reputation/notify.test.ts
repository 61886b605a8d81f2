import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { WebhookNotifier } from '../../adapters/webhook/notifier.js';
import { buildArfReport } from '../../core/notify/arf.js';
import { SIGNATURE_HEADER, signWebhook, verifyWebhookSignature } from '../../core/notify/signature.js';
import { freePort } from '../helpers/free-port.js';
import { domainUser, makeTenant, makeWorld, spamUntilLocked } from './helpers.js';

const ORIGINAL = Buffer.from('From: spammer@t1.example\r\nTo: v@x.example\r\nSubject: Cheap pills\r\nMessage-ID: <abc@t1.example>\r\n\r\nBuy now http://pills.example/\r\n');

test('an ARF report is a multipart/report with a feedback-report part (Feedback-Type: abuse) and the original message', async () => {
  const raw = buildArfReport({
    reporter: 'abuse-reports@gw.test', to: 'abuse@t1.example', explanation: 'Sender locked: content-spam ×3',
    original: { raw: ORIGINAL, mailFrom: 'spammer@t1.example', rcptTo: ['v@x.example', 'w@x.example'], arrivalDate: new Date('2026-03-02T09:00:00Z'), sourceIp: '192.0.2.7' },
    reportedDomain: 't1.example', now: new Date('2026-03-02T09:05:00Z'), hostname: 'gw.test',
  });
  const text = raw.toString('utf8');
  assert.match(text, /Content-Type: multipart\/report; report-type=feedback-report;/);
  assert.match(text, /Auto-Submitted: auto-generated/);
  assert.ok(!/[^\r]\n/.test(text), 'every line ends in CRLF');
  const parsed = await simpleParser(raw);
  assert.equal(parsed.subject, 'Abuse report: message from <spammer@t1.example> held');
  const parts = text.split(/--arf-[0-9a-f]+/);
  const feedback = parts.find((p) => p.includes('Content-Type: message/feedback-report'))!;
  for (const field of ['Feedback-Type: abuse', 'Version: 1', 'Original-Mail-From: <spammer@t1.example>', 'Original-Rcpt-To: <v@x.example>', 'Original-Rcpt-To: <w@x.example>', 'Source-IP: 192.0.2.7', 'Reported-Domain: t1.example', 'Arrival-Date: Mon, 02 Mar 2026 09:00:00 +0000']) {
    assert.ok(feedback.includes(field), `missing ${field}`);
  }
  const original = parts.find((p) => p.includes('Content-Type: message/rfc822'))!;
  assert.ok(original.includes('Subject: Cheap pills'));
});

test('an ARF report of a large message carries only its headers', () => {
  const big = Buffer.concat([ORIGINAL, Buffer.alloc(600_000, 'a')]);
  const text = buildArfReport({
    reporter: 'r@gw.test', to: 'abuse@t1.example', explanation: 'x', now: new Date(), hostname: 'gw.test',
    original: { raw: big, mailFrom: 's@t1.example', rcptTo: ['v@x.example'], arrivalDate: new Date(), sourceIp: '192.0.2.7' },
  }).toString('latin1');
  assert.match(text, /Content-Type: text\/rfc822-headers/);
  assert.ok(text.length < 10_000);
});

test('a webhook signature verifies with the secret, and fails with another secret, another body or an old timestamp', () => {
  const sig = signWebhook('s3cret', '{"a":1}', 1_700_000_000);
  assert.equal(verifyWebhookSignature('s3cret', '{"a":1}', sig, 1_700_000_010), true);
  assert.equal(verifyWebhookSignature('other', '{"a":1}', sig, 1_700_000_010), false);
  assert.equal(verifyWebhookSignature('s3cret', '{"a":2}', sig, 1_700_000_010), false);
  assert.equal(verifyWebhookSignature('s3cret', '{"a":1}', sig, 1_700_000_000 + 3600), false);
  assert.equal(verifyWebhookSignature('s3cret', '{"a":1}', sig + 'zz-anything', 1_700_000_010), false, 'a valid MAC with junk after it is no signature');
});

async function withServer(statuses: number[], run: (url: string, seen: { body: string; sig: string }[]) => Promise<void>): Promise<void> {
  const seen: { body: string; sig: string }[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ body, sig: String(req.headers[SIGNATURE_HEADER]) });
      res.statusCode = statuses[Math.min(seen.length - 1, statuses.length - 1)]!;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    await run(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, seen);
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
}

test('the webhook notifier signs each POST and retries 5xx until the receiver accepts', async () => {
  await withServer([503, 500, 204], async (url, seen) => {
    const n = new WebhookNotifier({ secretFor: (t) => `secret-${t.id}`, baseDelayMs: 1 });
    await n.notify(makeTenant('t1', { webhookUrl: url }), { type: 'sender.locked', sender: 's@t1.example', detail: { reason: 'test' } });
    assert.equal(seen.length, 3);
    assert.equal(n.last?.attempts, 3);
    for (const s of seen) assert.equal(verifyWebhookSignature('secret-t1', s.body, s.sig, Math.floor(Date.now() / 1000)), true);
    const body = JSON.parse(seen[0]!.body);
    assert.equal(body.type, 'sender.locked');
    assert.equal(body.tenantId, 't1');
    assert.equal(body.detail.reason, 'test');
  });
});

test('the webhook notifier gives up after its attempts and does not retry a 4xx refusal', async () => {
  await withServer([500], async (url, seen) => {
    const n = new WebhookNotifier({ secretFor: () => 'k', baseDelayMs: 1, maxAttempts: 3 });
    await assert.rejects(n.notify(makeTenant('t1', { webhookUrl: url }), { type: 'x', detail: {} }), /after 3 attempt\(s\): HTTP 500/);
    assert.equal(seen.length, 3);
  });
  await withServer([400], async (url, seen) => {
    const n = new WebhookNotifier({ secretFor: () => 'k', baseDelayMs: 1 });
    await assert.rejects(n.notify(makeTenant('t1', { webhookUrl: url }), { type: 'x', detail: {} }), /HTTP 400/);
    assert.equal(seen.length, 1);
  });
});

test('a webhook to a port nobody listens on fails after bounded retries, never hangs', async () => {
  const port = await freePort(); // free a moment ago: nobody listens there
  const n = new WebhookNotifier({ secretFor: () => 'k', baseDelayMs: 1, maxAttempts: 2, timeoutMs: 2000 });
  await assert.rejects(n.notify(makeTenant('t1', { webhookUrl: `http://127.0.0.1:${port}/hook` }), { type: 'x', detail: {} }), /after 2 attempt/);
});

test('a lock sends an ARF report of the offending messages to the tenant\'s abuse contact, straight to the transport', async () => {
  const w = makeWorld([makeTenant('t1', { abuseContact: 'abuse@t1.example' })]);
  const id = domainUser('t1', 't1.example');
  const a = await spamUntilLocked(w, id, 't1.example', { original: ORIGINAL });
  assert.ok(a?.locked);
  assert.ok(w.sent.length >= 1 && w.sent.length <= 3, `reports sent: ${w.sent.length}`);
  const report = w.sent[0]!;
  assert.deepEqual(report.rcptTo, ['abuse@t1.example']);
  assert.equal(report.mailFrom, '', 'null sender: no bounce loops');
  assert.match(report.raw.toString(), /Feedback-Type: abuse/);
  assert.match(report.raw.toString(), /Subject: Cheap pills/);
  assert.ok(w.events.some((e) => e.type === 'sender.locked'));
});

/** A loopback server that records POSTs and answers each with `answer`. */
async function recorder(answer: (res: ServerResponse) => void): Promise<{ port: number; seen: string[]; close(): Promise<void> }> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => { seen.push(`${req.method} ${req.url} ${body}`); answer(res); });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, seen, close: () => new Promise<void>((r) => server.close(() => r())) };
}

test('a webhook never follows a redirect: a receiver cannot send the POST on to another address', async () => {
  const inside = await recorder((res) => res.end('ok')); // stands for a service the tenant must not reach
  const outside = await recorder((res) => { res.statusCode = 307; res.setHeader('location', `http://127.0.0.1:${inside.port}/internal`); res.end(); });
  try {
    const n = new WebhookNotifier({ secretFor: () => 'k', baseDelayMs: 1 });
    await assert.rejects(n.notify(makeTenant('t1', { webhookUrl: `http://127.0.0.1:${outside.port}/hook` }), { type: 'x', detail: {} }), /HTTP 307/);
    assert.equal(outside.seen.length, 1, 'a 3xx is an answer: not retried');
    assert.deepEqual(inside.seen, [], 'the redirect target got nothing');
  } finally { await inside.close(); await outside.close(); }
});

test('a webhook to 0.0.0.0 or a link-local address (cloud metadata) is refused without a connection or a retry', async () => {
  const local = await recorder((res) => res.end('ok'));
  try {
    const n = new WebhookNotifier({ secretFor: () => 'k', baseDelayMs: 1, maxAttempts: 3, timeoutMs: 1000 });
    // 0.0.0.0 reaches this host's own services.
    await assert.rejects(n.notify(makeTenant('t1', { webhookUrl: `http://0.0.0.0:${local.port}/hook` }), { type: 'x', detail: {} }), /refused: 0\.0\.0\.0 is a unspecified address/);
    assert.equal(n.last?.attempts, 1);
    assert.deepEqual(local.seen, []);
    for (const url of ['http://169.254.169.254/latest/meta-data/', 'http://169.254.170.2/v2/credentials/x', 'http://[::ffff:169.254.169.254]/', 'http://2852039166/', 'http://[fd00:ec2::254]/']) {
      await assert.rejects(n.notify(makeTenant('t1', { webhookUrl: url }), { type: 'x', detail: {} }), /webhook destination refused/, url);
      assert.equal(n.last?.attempts, 1, url);
    }
  } finally { await local.close(); }
});

test('with private networks not allowed (the AWS wiring), loopback and private addresses are refused, by IP or by a name that resolves there', async () => {
  const local = await recorder((res) => res.end('ok'));
  try {
    const n = new WebhookNotifier({ secretFor: () => 'k', baseDelayMs: 1, allowPrivateNetworks: false });
    for (const host of ['127.0.0.1', 'localhost', '[::1]']) {
      await assert.rejects(n.notify(makeTenant('t1', { webhookUrl: `http://${host}:${local.port}/hook` }), { type: 'x', detail: {} }), /webhook destination refused/, host);
    }
    for (const url of ['http://10.0.0.5/', 'http://192.168.1.1/', 'http://172.16.0.1/', 'http://100.64.0.1/', 'http://[fd12::1]/']) {
      await assert.rejects(n.notify(makeTenant('t1', { webhookUrl: url }), { type: 'x', detail: {} }), /webhook destination refused/, url);
    }
    assert.deepEqual(local.seen, []);
    // The default (the one-box runner) reaches a receiver on the same host.
    await new WebhookNotifier({ secretFor: () => 'k' }).notify(makeTenant('t1', { webhookUrl: `http://localhost:${local.port}/hook` }), { type: 'x', detail: {} });
    assert.equal(local.seen.length, 1);
  } finally { await local.close(); }
});
