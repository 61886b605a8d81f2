// What happens after the 250, through the real gateway: verdicts, holds and
// releases, rejects without backscatter, sender limits — and swaks as a
// second, independent SMTP client.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startTestGateway, queuedId, type TestGateway, type TestTenant } from '../helpers/gateway.js';

const run = promisify(execFile);
let t: TestGateway;
let acme: TestTenant;
const hasSwaks = await run('sh', ['-c', 'command -v swaks']).then(() => true, () => false);

// The EICAR anti-virus test string, split so this file is not itself flagged.
const EICAR = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$' + 'EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';

before(async () => {
  t = await startTestGateway();
  acme = await t.tenant('verdicts.example');
});
after(async () => t.stop());

const alice = () => t.client({ user: acme.mailbox, pass: acme.mailboxPassword });

test('swaks submits with STARTTLS and AUTH PLAIN and the message is delivered', { skip: !hasSwaks && 'swaks is not installed (.ci/run installs it)' }, async () => {
  const { stdout } = await run('swaks', [
    '--server', `127.0.0.1:${t.gw.smtpPort}`, '--tls', '--auth', 'PLAIN', '--auth-user', acme.mailbox, '--auth-password', acme.mailboxPassword,
    '--from', acme.mailbox, '--to', 'erin@partner.example', '--header', 'Subject: Meeting notes',
    '--body', 'Hi Erin,\n\nnotes from today are below.\n\nAlice', '--suppress-data',
  ], { timeout: 30_000 }).catch((e) => ({ stdout: String(e.stdout ?? '') + String(e.stderr ?? e) }));
  const m = await t.api('GET', `/v1/messages?sender=${encodeURIComponent(acme.mailbox)}&limit=50`, acme.token);
  const ours = m.body.items.find((x: any) => x.subject === 'Meeting notes');
  assert.ok(ours, `swaks' message is in the log (swaks said: ${stdout})`);
  const done = await t.waitForMessage(acme.token, ours.id, (x) => x.status === 'delivered');
  assert.equal(done.identity.kind, 'smtp-user');
});

test('a message carrying the EICAR test file is rejected, kept in the log, never delivered and never bounced', async () => {
  const info = await alice().sendMail({
    from: acme.mailbox, to: 'frank@partner.example', subject: 'the file you asked for', text: 'see attached',
    attachments: [{ filename: 'tool.com', content: EICAR }],
  });
  const id = queuedId(info.response);
  const m = await t.waitForMessage(acme.token, id, (x) => x.status === 'rejected');
  assert.equal(m.verdict.verdict, 'reject');
  assert.ok(m.verdict.signals.some((s: any) => /eicar|virus/i.test(s.name)), JSON.stringify(m.verdict.signals));
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(!t.receiver.received.some((r) => r.raw.toString().includes(id)), 'not delivered');
  assert.ok(!t.receiver.received.some((r) => r.mailFrom === '' && r.rcptTo.includes(acme.mailbox)), 'no DSN to the (possibly forged) sender');
});

test('a held message is shown with its signals and thresholds, and a release delivers it', async () => {
  const ten = await t.tenant('held.example');
  // Hold anything that scores at or above 0 (and reject nothing) for this tenant.
  assert.equal((await t.api('PATCH', '/v1/settings', ten.token, { quarantineThreshold: 0, rejectThreshold: 1000 })).status, 200);
  const info = await t.client({ user: ten.domain, pass: ten.domainPassword }).sendMail({
    envelope: { from: `news@${ten.domain}`, to: ['gina@partner.example'] },
    from: 'Payments <payments@bank.example>', to: 'gina@partner.example', subject: 'Your statement', text: 'Your monthly statement is ready.',
  });
  const id = queuedId(info.response);
  const held = await t.waitForMessage(ten.token, id, (x) => x.status === 'quarantined');
  assert.equal(held.verdict.verdict, 'quarantine');
  assert.deepEqual(held.verdict.thresholds, { quarantine: 0, reject: 1000 });
  assert.ok(held.verdict.signals.some((s: any) => s.name === 'from-domain-not-owned'), JSON.stringify(held.verdict.signals));
  assert.ok(!t.receiver.received.some((r) => r.raw.toString().includes(id)), 'held mail is not delivered');
  const rel = await t.api('POST', `/v1/messages/${id}/release`, ten.token);
  assert.equal(rel.status, 200, JSON.stringify(rel.body));
  const done = await t.waitForMessage(ten.token, id, (x) => x.status === 'delivered');
  assert.equal(done.recipients[0].state, 'delivered');
  assert.ok(t.receiver.received.some((r) => r.raw.toString().includes(id)));
});

test('a sender past the tenant\'s hourly ceiling is refused at MAIL FROM with the reason', async () => {
  const ten = await t.tenant('ceiling.example');
  assert.equal((await t.api('PATCH', '/v1/settings', ten.token, { senderHourlyLimit: 3 })).status, 200);
  const client = t.client({ user: ten.mailbox, pass: ten.mailboxPassword });
  const replies: string[] = [];
  for (let i = 0; i < 8; i++) {
    try {
      const info = await client.sendMail({ from: ten.mailbox, to: `h${i}@partner.example`, subject: `update ${i}`, text: 'status update' });
      replies.push(info.response ?? '');
      await t.waitForMessage(ten.token, queuedId(info.response), (x) => x.status !== 'accepted');
    } catch (err: any) {
      replies.push(err.response ?? String(err));
    }
  }
  const refused = replies.filter((r) => /^(451|550) /.test(r));
  assert.ok(refused.length > 0, `some message was refused: ${replies.join(' | ')}`);
  assert.match(refused[0]!, /(throttled|locked).*(hour|ceiling|limit)/i);
  const s = await t.api('GET', `/v1/senders/${encodeURIComponent(ten.mailbox)}`, ten.token);
  assert.equal(s.status, 200);
  assert.ok(s.body.throttledUntil || s.body.lock, `the sender shows its state: ${JSON.stringify(s.body)}`);
});

test('a message containing the account\'s own SMTP password locks the sender (leaked-credential probe)', async () => {
  const ten = await t.tenant('probe.example');
  const info = await t.client({ user: ten.mailbox, pass: ten.mailboxPassword }).sendMail({
    from: ten.mailbox, to: 'buyer@elsewhere.example', subject: 'works', text: `login ${ten.mailbox} pass ${ten.mailboxPassword} ok\n`,
  });
  const m = await t.waitForMessage(ten.token, queuedId(info.response), (x) => x.status !== 'accepted' && x.status !== 'queued');
  assert.notEqual(m.status, 'delivered');
  assert.ok(m.verdict.signals.some((s: any) => s.name === 'password-in-message'), JSON.stringify(m.verdict.signals));
  assert.ok(!JSON.stringify(m).includes(ten.mailboxPassword), 'the password itself is never recorded');
  const s = await t.api('GET', `/v1/senders/${encodeURIComponent(ten.mailbox)}`, ten.token);
  assert.ok(s.body.lock, `locked: ${JSON.stringify(s.body)}`);
  await assert.rejects(
    t.client({ user: ten.mailbox, pass: ten.mailboxPassword }).sendMail({ from: ten.mailbox, to: 'x@elsewhere.example', subject: 'again', text: 'hi' }),
    (err: any) => err.responseCode === 550 && /locked/.test(err.response),
  );
});
