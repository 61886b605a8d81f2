// CLAMD wired into the real gateway: a message carrying a signature that only
// the test's own clamd database knows is rejected with the scanner's verdict,
// and a stopped scanner holds mail back (retry) instead of passing it as clean.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway, queuedId, type TestGateway, type TestTenant } from '../helpers/gateway.js';
import { startClamd, TEST_MARKER, type RunningClamd } from '../scoring/helpers/clamd.js';

let clamd: RunningClamd;
let t: TestGateway;
let ten: TestTenant;

before(async () => {
  clamd = await startClamd();
  t = await startTestGateway({ CLAMD: `127.0.0.1:${clamd.port}` });
  ten = await t.tenant('scanned.example');
});
after(async () => { await t.stop(); await clamd.stop(); });

test('a message with a signature only clamd knows is rejected with the signature name', async () => {
  const info = await t.client({ user: ten.mailbox, pass: ten.mailboxPassword }).sendMail({
    from: ten.mailbox, to: 'ivan@partner.example', subject: 'invoice', text: 'please see the attachment',
    attachments: [{ filename: 'invoice.pdf', content: Buffer.from(`%PDF-1.4 ${TEST_MARKER} %%EOF`) }],
  });
  const m = await t.waitForMessage(ten.token, queuedId(info.response), (x) => x.status === 'rejected', 20_000);
  const virus = m.verdict.signals.find((s: any) => s.name === 'virus');
  assert.ok(virus, JSON.stringify(m.verdict.signals));
  assert.match(virus.detail, /Relayguard-Test-Marker/);
});

test('while clamd is down, accepted mail waits unscored rather than being passed as clean', async () => {
  await clamd.stop();
  const info = await t.client({ user: ten.mailbox, pass: ten.mailboxPassword }).sendMail({
    from: ten.mailbox, to: 'judy@partner.example', subject: 'hello', text: 'a clean message',
  });
  const id = queuedId(info.response);
  await new Promise((r) => setTimeout(r, 1500));
  const m = await t.api('GET', `/v1/messages/${id}`, ten.token);
  assert.equal(m.body.status, 'accepted', 'not scored, not delivered: the score job is retried later');
  assert.ok(!t.receiver.received.some((r) => r.raw.toString().includes(id)));
});
