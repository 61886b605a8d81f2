// The SMTP dialogue of a desktop mail client (Thunderbird's, as it sends on
// port 587), replayed byte for byte over a raw connection: EHLO with an
// address literal, STARTTLS, AUTH PLAIN with its initial response, MAIL FROM
// with SIZE and BODY=8BITMIME, and a read receipt (MDN) sent with the null
// sender. The real client is a desktop application no test here can drive;
// what the gateway sees of it is this dialogue.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway, queuedId, type TestGateway, type TestTenant } from '../helpers/gateway.js';
import { RawSmtp } from '../helpers/raw-smtp.js';

let t: TestGateway;
let ten: TestTenant;

before(async () => {
  t = await startTestGateway();
  ten = await t.tenant('desk.example');
});
after(async () => t.stop());

const CRLF = '\r\n';

test('a mail client\'s session: message, then a read receipt with the null sender, on one connection', async () => {
  const c = await RawSmtp.connect(t.gw.smtpPort);
  try {
    assert.equal((await c.reply()).code, 220);
    const ehlo = await c.cmd('EHLO [127.0.0.1]');
    assert.equal(ehlo.code, 250, ehlo.text);
    assert.match(ehlo.text, /STARTTLS/);
    await c.starttls();
    const again = await c.cmd('EHLO [127.0.0.1]');
    assert.match(again.text, /AUTH .*PLAIN/);
    assert.match(again.text, /8BITMIME/);
    const auth = await c.cmd('AUTH PLAIN ' + Buffer.from(`\0${ten.mailbox}\0${ten.mailboxPassword}`).toString('base64'));
    assert.equal(auth.code, 235, auth.text);

    const body = [
      `From: Alice <${ten.mailbox}>`, 'To: Bob <bob@partner.example>', 'Subject: Grüße aus dem Büro', 'Message-ID: <c0ffee01@desk.example>',
      'Disposition-Notification-To: Alice <' + ten.mailbox + '>', 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=UTF-8; format=flowed',
      'Content-Transfer-Encoding: 8bit', 'User-Agent: Mozilla Thunderbird', '', 'Hallo Bob,', '', 'die Unterlagen für Dienstag liegen bei dir.', '', 'Alice', '',
    ].join(CRLF);
    const size = Buffer.byteLength(body);
    const from = await c.cmd(`MAIL FROM:<${ten.mailbox}> BODY=8BITMIME SIZE=${size}`);
    assert.equal(from.code, 250, from.text);
    assert.equal((await c.cmd('RCPT TO:<bob@partner.example>')).code, 250);
    assert.equal((await c.cmd('DATA')).code, 354);
    c.write(body + '.' + CRLF);
    const done = await c.reply();
    assert.equal(done.code, 250, done.text);

    // Bob's client later acknowledges; here Alice's own client sends a receipt for a message she read: null sender (RFC 8098).
    const mdn = [
      `From: Alice <${ten.mailbox}>`, 'To: Carol <carol@partner.example>', 'Subject: Return Receipt (displayed) - Agenda', 'Message-ID: <c0ffee02@desk.example>',
      'MIME-Version: 1.0', 'Content-Type: multipart/report; report-type=disposition-notification; boundary="mdn"', '',
      '--mdn', 'Content-Type: text/plain; charset=UTF-8', '', 'The message was displayed.', '',
      '--mdn', 'Content-Type: message/disposition-notification', '', 'Reporting-UA: desk.example; Mozilla Thunderbird', `Final-Recipient: rfc822;${ten.mailbox}`,
      'Original-Message-ID: <agenda1@partner.example>', 'Disposition: manual-action/MDN-sent-manually; displayed', '', '--mdn--', '',
    ].join(CRLF);
    const nullFrom = await c.cmd(`MAIL FROM:<> SIZE=${Buffer.byteLength(mdn)}`);
    assert.equal(nullFrom.code, 250, nullFrom.text);
    assert.equal((await c.cmd('RCPT TO:<carol@partner.example>')).code, 250);
    assert.equal((await c.cmd('DATA')).code, 354);
    c.write(mdn + '.' + CRLF);
    const receipt = await c.reply();
    assert.equal(receipt.code, 250, receipt.text);
    assert.equal((await c.cmd('QUIT')).code, 221);

    const first = await t.waitForMessage(ten.token, queuedId(done.text), () => true);
    assert.equal(first.subject, 'Grüße aus dem Büro');
    const second = await t.waitForMessage(ten.token, queuedId(receipt.text), () => true);
    assert.equal(second.envelope.mailFrom, '');
    assert.equal(second.sender, ten.mailbox, 'the receipt counts against the mailbox that sent it');
  } finally { c.close(); }
});

test('a mail client that declares a size over the limit at MAIL FROM is refused there with 552, before sending anything', async () => {
  const c = await RawSmtp.connect(t.gw.smtpPort);
  try {
    await c.reply(); await c.cmd('EHLO [127.0.0.1]'); await c.starttls(); await c.cmd('EHLO [127.0.0.1]');
    assert.equal((await c.cmd('AUTH PLAIN ' + Buffer.from(`\0${ten.mailbox}\0${ten.mailboxPassword}`).toString('base64'))).code, 235);
    const r = await c.cmd(`MAIL FROM:<${ten.mailbox}> SIZE=${100 * 1024 * 1024}`);
    assert.equal(r.code, 552, r.text);
  } finally { c.close(); }
});
