// End to end through the real gateway (SMTP submission, scoring, the deliver
// worker, the API) with a real receiving server that answers 550 5.1.1 for
// one address: the hard bounce puts it on the tenant's list, the next
// message never offers it to the receiver, and once the tenant removes it
// mail is offered again.
import { strict as assert } from 'node:assert';
import { after, before, test } from 'node:test';
import { queuedId, startTestGateway, type TestGateway, type TestTenant } from '../helpers/gateway.js';

const GONE = 'gone@partner.example';
const BOB = 'bob@partner.example';

let t: TestGateway;
let acme: TestTenant;

before(async () => {
  t = await startTestGateway({}, {
    rcpt: (a) => (a.toLowerCase() === GONE ? { code: 550, message: '5.1.1 <gone@partner.example>: Recipient address rejected: User unknown' } : undefined),
  });
  acme = await t.tenant('acme.example');
  // This test is about delivery: the scorer (tuned by others, on its own tests) must not hold these messages.
  const r = await t.api('PATCH', '/v1/settings', acme.token, { monitorOnly: true });
  assert.equal(r.status, 200);
});
after(async () => t.stop());

async function send(subject: string): Promise<string> {
  const info = await t.client({ user: acme.mailbox, pass: acme.mailboxPassword }).sendMail({
    from: acme.mailbox, to: [BOB, GONE], subject, text: 'Hello Bob,\n\nthe report is attached as discussed.\n\nAlice\n',
  });
  return queuedId(info.response);
}

const done = (m: any) => ['delivered', 'partially-delivered', 'bounced'].includes(m.status);

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const v = probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('a hard bounce suppresses the address, later mail to it is not offered and bounces to the sender, and removing it lets mail through again', async () => {
  // 1. The receiver refuses the address with 550 5.1.1: it goes on the list, visible in the API.
  const first = await send('Quarterly report');
  const m1 = await t.waitForMessage(acme.token, first, done);
  assert.equal(m1.status, 'partially-delivered');
  assert.ok(t.receiver.rcptSeen.includes(GONE));
  const list = await t.api('GET', '/v1/suppressions?q=gone', acme.token);
  assert.equal(list.status, 200);
  assert.equal(list.body.items.length, 1);
  const entry = list.body.items[0];
  assert.equal(entry.address, GONE);
  assert.equal(entry.reason, 'hard-bounce');
  assert.equal(entry.messageId, first);
  assert.match(entry.detail, /^550 5\.1\.1 /);

  // 2. The next message: only Bob is offered to the receiver; Gone is marked suppressed and bounced with a DSN.
  t.receiver.rcptSeen.length = 0;
  const second = await send('Quarterly report, second part');
  const m2 = await t.waitForMessage(acme.token, second, done);
  assert.equal(m2.status, 'partially-delivered');
  assert.ok(t.receiver.rcptSeen.includes(BOB));
  assert.ok(!t.receiver.rcptSeen.some((a) => a.toLowerCase() === GONE), `offered: ${t.receiver.rcptSeen.join(', ')}`);
  const gone = m2.recipients.find((r: any) => r.rcpt === GONE);
  assert.equal(gone.state, 'bounced');
  assert.equal(gone.reply, `suppressed: hard-bounce since ${entry.createdAt} (5.1.1)`);
  const dsn = await waitFor('the DSN for the second message', () =>
    t.receiver.received.find((r) => r.rcptTo.includes(acme.mailbox) && r.raw.toString().includes(`X-Relayguard-Message-Id: ${second}`)));
  assert.match(dsn.raw.toString(), /Final-Recipient: rfc822; gone@partner\.example\r\nAction: failed\r\nStatus: 5\.1\.1/);

  // 3. The tenant takes the address off the list: the next message offers it again (and it bounces again).
  const del = await t.api('DELETE', `/v1/suppressions/${encodeURIComponent(GONE)}`, acme.token);
  assert.equal(del.status, 204);
  t.receiver.rcptSeen.length = 0;
  const third = await send('Quarterly report, third part');
  const m3 = await t.waitForMessage(acme.token, third, done);
  assert.ok(t.receiver.rcptSeen.some((a) => a.toLowerCase() === GONE));
  assert.match(m3.recipients.find((r: any) => r.rcpt === GONE).reply, /^550 5\.1\.1 /);
  const again = await t.api('GET', '/v1/suppressions?q=gone', acme.token);
  assert.equal(again.body.items[0].messageId, third);
});
