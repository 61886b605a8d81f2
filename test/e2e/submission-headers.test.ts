// What the submission server adds to a message (RFC 6409 §8): a Date and a
// Message-ID when the client sent none, at the end of the header block, and
// nothing when it sent its own. Real SMTP over loopback, delivery to a real
// receiving server.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway, queuedId, type TestGateway, type TestTenant } from '../helpers/gateway.js';
import { RawSmtp } from '../helpers/raw-smtp.js';

let t: TestGateway;
let ten: TestTenant;

before(async () => {
  t = await startTestGateway();
  ten = await t.tenant('headers.example');
});
after(async () => t.stop());

/** Sends `message` in one authenticated session; the 250 reply's text. */
async function submit(message: string): Promise<string> {
  const c = await RawSmtp.connect(t.gw.smtpPort);
  try {
    await c.reply(); await c.cmd('EHLO client.test'); await c.starttls(); await c.cmd('EHLO client.test');
    assert.equal((await c.cmd('AUTH PLAIN ' + Buffer.from(`\0${ten.mailbox}\0${ten.mailboxPassword}`).toString('base64'))).code, 235);
    assert.equal((await c.cmd(`MAIL FROM:<${ten.mailbox}>`)).code, 250);
    assert.equal((await c.cmd('RCPT TO:<bob@partner.example>')).code, 250);
    assert.equal((await c.cmd('DATA')).code, 354);
    c.write(message + '.\r\n');
    const r = await c.reply();
    assert.equal(r.code, 250, r.text);
    return r.text;
  } finally { c.close(); }
}

async function delivered(id: string): Promise<{ head: string; body: string; record: any }> {
  const record = await t.waitForMessage(ten.token, id, (m) => m.status === 'delivered');
  const raw = t.receiver.received.find((r) => r.raw.toString().includes(id))!.raw.toString();
  const end = raw.indexOf('\r\n\r\n');
  return { head: raw.slice(0, end + 2), body: raw.slice(end + 4), record };
}

const count = (head: string, name: string) => head.split('\r\n').filter((l) => l.toLowerCase().startsWith(name.toLowerCase() + ':')).length;

test('a message without Date and Message-ID gets both, in its header block, and the log shows the Message-ID', async () => {
  const id = queuedId(await submit([
    `From: Alice <${ten.mailbox}>`, 'To: Bob <bob@partner.example>', 'Subject: Notes from the printer contract meeting', '',
    'Hello Bob,', '', 'the notes from the printer contract meeting are below.', '', 'Alice', '',
  ].join('\r\n')));
  const { head, body, record } = await delivered(id);
  assert.equal(count(head, 'Message-ID'), 1, head);
  assert.equal(count(head, 'Date'), 1, head);
  assert.match(head, new RegExp(`\\r\\nMessage-ID: <${id}@relay\\.test>\\r\\n`));
  assert.match(head, /\r\nDate: \w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000\r\n/);
  assert.match(body, /^Hello Bob,\r\n\r\nthe notes/);
  assert.equal(record.messageId, `<${id}@relay.test>`);
});

test('a message with its own Date and Message-ID keeps them and gets no second one', async () => {
  const id = queuedId(await submit([
    `From: Alice <${ten.mailbox}>`, 'To: Bob <bob@partner.example>', 'Subject: The warehouse inventory',
    'Date: Tue, 3 Mar 2026 09:15:00 +0100', 'Message-ID: <own-1@headers.example>', '',
    'Hello Bob,', '', 'the warehouse inventory is done.', '', 'Alice', '',
  ].join('\r\n')));
  const { head, record } = await delivered(id);
  assert.equal(count(head, 'Message-ID'), 1, head);
  assert.equal(count(head, 'Date'), 1, head);
  assert.match(head, /\r\nMessage-ID: <own-1@headers\.example>\r\n/);
  assert.match(head, /\r\nDate: Tue, 3 Mar 2026 09:15:00 \+0100\r\n/);
  assert.equal(record.messageId, '<own-1@headers.example>');
});

test('EHLO advertises ENHANCEDSTATUSCODES and the library\'s own replies carry one too: AUTH before STARTTLS gets 538 5.7.0', async () => {
  const c = await RawSmtp.connect(t.gw.smtpPort);
  try {
    await c.reply();
    const ehlo = await c.cmd('EHLO client.test');
    assert.match(ehlo.text, /\n250[- ]ENHANCEDSTATUSCODES/);
    const auth = await c.cmd('AUTH PLAIN ' + Buffer.from(`\0${ten.mailbox}\0${ten.mailboxPassword}`).toString('base64'));
    assert.equal(auth.code, 538);
    assert.match(auth.text, /^538 5\.7\.0 /);
    assert.match((await c.cmd('NOOP')).text, /^250 2\.0\.0 /);
  } finally { c.close(); }
});
