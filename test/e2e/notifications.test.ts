// Tenant notifications through the real gateway: every lock and unlock
// reaches the tenant's webhook, signed with the key its settings show, and a
// lock the sender policy decides sends an ARF report to the abuse contact —
// whichever step decided it (scoring, delivery results) and whichever process
// lifts it (the one-process gateway, or an SMTP child of a multi-process one).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { simpleParser } from 'mailparser';
import { openLocalStores } from '../../adapters/local/index.js';
import { systemClock } from '../../core/ports.js';
import { startTestGateway, queuedId, type TestGateway, type TestTenant } from '../helpers/gateway.js';
import { spawnGateway } from '../helpers/gateway-process.js';
import { freePort } from '../helpers/free-port.js';
import { startReceiver, type Receiver, type ReceiverOptions } from '../helpers/receiving-smtp.js';
import { verifyWebhookSignature } from '../../core/notify/signature.js';
import { startWebhookReceiver, verifies, type WebhookReceiver } from '../helpers/webhook-receiver.js';
import { apiClient } from '../helpers/api-client.js';

/** A receiving server that knows nobody called nobody*: 550 5.1.1, as a real one answers a harvested list. */
const REFUSES_NOBODY: ReceiverOptions = {
  rcpt: (a) => (a.startsWith('nobody') ? { code: 550, message: `5.1.1 <${a}>: Recipient address rejected: User unknown` } : undefined),
};
/**
 * Two ordinary-looking messages to a harvested list: 10 of their 11 recipients do not exist, the
 * decisive "invalid-recipients-burst" (>= 10 unknown making >= 30 % in an hour). Each stays within a new
 * sender's allowances (and the first refusals stay under the 5 that would weigh on the second
 * message's verdict), so both are scored clean and delivered: the lock comes from the delivery results.
 */
const HARVESTED: { to: string[]; subject: string; text: string }[] = [
  { to: ['nobody0@list.example', 'nobody1@list.example', 'nobody2@list.example', 'nobody3@list.example', 'ann@list.example'], subject: 'Minutes', text: 'Hello all,\n\nthe minutes from Tuesday are below.\n\nAlice\n' },
  { to: ['nobody4@list.example', 'nobody5@list.example', 'nobody6@list.example', 'nobody7@list.example', 'nobody8@list.example', 'nobody9@list.example'], subject: 'Agenda', text: 'Hello all,\n\nthe agenda for Thursday follows.\n\nAlice\n' },
];

async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

let t: TestGateway;
let hook: WebhookReceiver;

before(async () => {
  t = await startTestGateway({}, REFUSES_NOBODY);
  hook = await startWebhookReceiver();
});
after(async () => { await t.stop(); await hook.close(); });

/** The tenant points its webhook and abuse contact at the test's receivers; returns its signing key. */
async function subscribe(ten: TestTenant): Promise<string> {
  const set = await t.api('PATCH', '/v1/settings', ten.token, { webhookUrl: hook.url, abuseContact: `abuse@${ten.domain}` });
  assert.equal(set.status, 200, JSON.stringify(set.body));
  assert.match(set.body.webhookSigningSecret, /^whsec_/);
  return set.body.webhookSigningSecret;
}

const postsFor = (sender: string, type: string) => hook.posts.filter((p) => p.event.sender === sender && p.event.type === type);
/** The first POST of `type` about `sender`, waited for (bounded). */
const firstPost = (sender: string, type: string) => waitFor(`the ${type} POST`, () => postsFor(sender, type)[0]);

// That a manual lock sends no ARF report is asserted in test/reputation/lock-lifecycle.test.ts, where the
// lock runs with a transport at hand: the API's lock path has none, so checking for a report here could not fail.
test('a manual lock is posted to the tenant webhook with a signature that verifies with the key from its settings', async () => {
  const ten = await t.tenant('hooked.example');
  const key = await subscribe(ten);
  assert.equal((await t.api('POST', `/v1/senders/${encodeURIComponent(ten.mailbox)}/lock`, ten.token, { reason: 'phished password' })).status, 200);
  const post = await firstPost(ten.mailbox, 'sender.locked');
  assert.equal(postsFor(ten.mailbox, 'sender.locked').length, 1, 'one webhook delivery');
  assert.match(JSON.stringify(post.event), /phished password/);
  assert.equal(post.event.detail.lockedBy, 'tenant', 'the receiver can tell a lock by hand from a policy lock');
  assert.ok(verifies(key, post), 'signature verifies');
  assert.ok(!verifyWebhookSignature(key, post.body + ' ', post.signature, Math.floor(Date.now() / 1000)), 'and fails on a changed body');
});

/** The tenant's domain user sends to a harvested list; the receiving server refuses 10 of 11 recipients. Returns the queue ids. */
async function sendToHarvestedList(ten: TestTenant): Promise<string[]> {
  const client = t.client({ user: ten.domain, pass: ten.domainPassword });
  try {
    const ids: string[] = [];
    for (const m of HARVESTED) ids.push(queuedId((await client.sendMail({ from: `alice@${ten.domain}`, ...m })).response));
    return ids;
  } finally { client.close(); }
}

test('a sender that delivery results lock (550 5.1.1 for most recipients) is reported: signed sender.locked webhook and an ARF report to the abuse contact', async () => {
  const ten = await t.tenant('harvest.example');
  const key = await subscribe(ten);
  const ids = await sendToHarvestedList(ten);

  const locked = await firstPost(ten.domain, 'sender.locked');
  assert.ok(verifies(key, locked), 'signed with the key the settings show');
  assert.equal(locked.event.detail.lockedBy, 'policy');
  assert.match(locked.event.detail.lock.reason, /refused a large share of recipients as unknown/);
  assert.ok((await t.gw.stores.senders.get(ten.id, ten.domain))?.lock, 'the sender is locked');

  const report = await waitFor('the ARF report', () => t.receiver.received.find((m) => m.rcptTo.includes(`abuse@${ten.domain}`)));
  assert.equal(report.mailFrom, '', 'the null reverse path: a report never bounces back');
  const parsed = await simpleParser(report.raw);
  assert.equal(parsed.subject, `Abuse report: message from <alice@${ten.domain}> held`);
  const raw = report.raw.toString();
  assert.match(raw, /report-type=feedback-report/);
  assert.match(raw, /Feedback-Type: abuse/);
  assert.match(raw, /Original-Rcpt-To: <nobody\d@list\.example>/);
  assert.match(raw, /Subject: (Minutes|Agenda)/, 'the original message is attached');
  assert.ok((locked.event.detail.lock.evidence.messageIds as string[]).some((x) => ids.includes(x)), 'the lock names the refused message as evidence');
});

test('an automatic lock that ran out is lifted at the next MAIL FROM, and the tenant gets a signed sender.unlocked without the SMTP reply waiting for it', async () => {
  const ten = await t.tenant('expiring.example');
  const key = await subscribe(ten);
  // A short lock, as the reputation tests use (the API allows 60 s at least; the policy takes any number).
  const tenant = (await t.gw.stores.tenants.getTenant(ten.id))!;
  await t.gw.stores.tenants.updateTenant({ ...tenant, settings: { ...tenant.settings, senderPolicy: { lockTimeoutSeconds: 2 } } });
  await sendToHarvestedList(ten);
  await firstPost(ten.domain, 'sender.locked');
  const lock = (await t.gw.stores.senders.get(ten.id, ten.domain))!.lock!;
  assert.equal(lock.by, 'auto');
  await waitFor('the lock to run out', () => Date.now() > Date.parse(lock.until!) + 100, 10_000);

  // A receiver that does not answer until released: the reply to MAIL FROM must not wait for it. Had the
  // session waited for the webhook, the 250 could only come after the notifier gave up on its attempts.
  let release!: () => void;
  hook.held = new Promise<void>((r) => (release = r));
  try {
    const client = t.client({ user: ten.domain, pass: ten.domainPassword });
    const info = await client.sendMail({ from: `alice@${ten.domain}`, to: 'ann@list.example', subject: 'Back again', text: 'Hello Ann,\n\nsee you on Monday.\n' });
    client.close();
    assert.match(info.response ?? '', /^250 /, 'accepted: the expired lock was lifted at MAIL FROM');
    assert.equal(hook.abandoned, 0, 'the session did not wait for the webhook: no attempt had run out when the 250 came');

    const unlocked = await firstPost(ten.domain, 'sender.unlocked');
    assert.ok(verifies(key, unlocked), 'signed with the key the settings show');
    assert.equal(unlocked.event.tenantId, ten.id);
    assert.deepEqual(unlocked.event.detail, { by: 'timeout', autoUnlocks: 1, remainingAutoUnlocks: 1 });
    assert.equal((await t.gw.stores.senders.get(ten.id, ten.domain))?.autoUnlocks, 1);
  } finally {
    delete hook.held;
    release();
  }
});

test('with INGRESS_PROCESSES=2 an SMTP child lifts an expired lock and posts sender.unlocked signed with the key the API shows', { timeout: 120_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rg-notify-mp-'));
  const receiver: Receiver = await startReceiver(REFUSES_NOBODY);
  const [smtpPort, apiPort] = [await freePort(), await freePort()];
  const OPERATOR = 'rgop_notify-multiprocess-operator-42';
  const gw = await spawnGateway({
    DATA_DIR: dataDir, SMTP_PORT: String(smtpPort), SMTP_HOST: '127.0.0.1', API_PORT: String(apiPort), API_HOST: '127.0.0.1',
    SMARTHOST: `127.0.0.1:${receiver.port}`, OPERATOR_TOKEN: OPERATOR, SMTP_HOSTNAME: 'relay.test', INGRESS_PROCESSES: '2',
  }, { timeoutMs: 60_000 });
  // The test's own connection to the gateway's data folder, as another process of it would open one.
  const stores = openLocalStores(dataDir, systemClock);
  try {
    const api = apiClient(`http://127.0.0.1:${apiPort}`);
    const tenant = await api('POST', '/v1/tenants', OPERATOR, { name: 'multi', ipUserQuota: 1 });
    const domain = await api('POST', '/v1/domains', tenant.body.token, { domain: 'multi.example' });
    const set = await api('PATCH', '/v1/settings', tenant.body.token, { webhookUrl: hook.url });
    assert.equal(set.status, 200);
    const key: string = set.body.webhookSigningSecret;
    const rec = (await stores.tenants.getTenant(tenant.body.id))!;
    await stores.tenants.updateTenant({ ...rec, settings: { ...rec.settings, senderPolicy: { lockTimeoutSeconds: 2 } } });

    const send = async (m: { to: string[]; subject: string; text: string }) => {
      const client = nodemailer.createTransport({
        host: '127.0.0.1', port: smtpPort, secure: false, requireTLS: true, tls: { rejectUnauthorized: false },
        auth: { user: 'multi.example', pass: domain.body.domainUser.password },
      } as never);
      try { return await client.sendMail({ from: 'alice@multi.example', ...m }); } finally { client.close(); }
    };
    for (const m of HARVESTED) await send(m);
    const lock = await waitFor('the lock', async () => (await stores.senders.get(tenant.body.id, 'multi.example'))?.lock);
    assert.ok(lock.until, 'an automatic lock, with an end');
    await waitFor('the lock to run out', () => Date.now() > Date.parse(lock.until!) + 100, 10_000);

    assert.match((await send({ to: ['ann@list.example'], subject: 'Back again', text: 'Hello Ann,\n\nsee you on Monday.\n' })).response, /^250 /);
    const unlocked = await firstPost('multi.example', 'sender.unlocked');
    assert.ok(verifies(key, unlocked), 'the child signs with the key derived from the same DATA_DIR secret the API shows');
    assert.equal(unlocked.event.detail.by, 'timeout');
  } finally {
    stores.close();
    gw.child.kill('SIGTERM');
    await new Promise<void>((r) => (gw.child.exitCode !== null ? r() : gw.child.once('exit', () => r())));
    await receiver.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
