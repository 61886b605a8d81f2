// SMTPUTF8 at the submission port (RFC 6531): EHLO advertises it, and an
// address whose local part is not ASCII is taken only in a transaction whose
// MAIL FROM declared it; otherwise 553 5.6.7 at that MAIL FROM or RCPT TO, as
// Postfix answers. A Unicode domain needs no SMTPUTF8 (the gateway writes it
// in punycode). Real SMTP sessions over loopback against the real gateway.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway, queuedId, type TestGateway, type TestTenant } from '../helpers/gateway.js';
import { RawSmtp } from '../helpers/raw-smtp.js';

let t: TestGateway;
let acme: TestTenant;

before(async () => {
  t = await startTestGateway();
  acme = await t.tenant('acme.example');
});
after(async () => t.stop());

/** A session past STARTTLS and AUTH; the second EHLO's reply in `ehlo`. */
async function loggedIn(user: string, pass: string): Promise<{ c: RawSmtp; ehlo: string }> {
  const c = await RawSmtp.connect(t.gw.smtpPort);
  await c.reply(); await c.cmd('EHLO client.test'); await c.starttls();
  const ehlo = (await c.cmd('EHLO client.test')).text;
  const auth = await c.cmd('AUTH PLAIN ' + Buffer.from(`\0${user}\0${pass}`).toString('base64'));
  assert.equal(auth.code, 235, auth.text);
  return { c, ehlo };
}

/** Sends a short body in the open transaction; the queue id. */
async function data(c: RawSmtp, subject: string): Promise<string> {
  assert.equal((await c.cmd('DATA')).code, 354);
  c.write(`Subject: ${subject}\r\n\r\nnotes about ${subject.toLowerCase()}\r\n.\r\n`);
  const r = await c.reply();
  assert.equal(r.code, 250, r.text);
  return queuedId(r.text);
}

const REFUSED_5_6_7 = /^553 5\.6\.7 .*SMTPUTF8 is required/;

test('EHLO advertises SMTPUTF8', async () => {
  const { c, ehlo } = await loggedIn(acme.domain, acme.domainPassword);
  try { assert.match(ehlo, /^250[- ]SMTPUTF8$/m); } finally { c.close(); }
});

test('a non-ASCII sender local part without SMTPUTF8 is refused at MAIL FROM with 553 5.6.7', async () => {
  const { c } = await loggedIn(acme.domain, acme.domainPassword);
  try {
    const r = await c.cmd('MAIL FROM:<jörg@acme.example>');
    assert.equal(r.code, 553, r.text);
    assert.match(r.text, REFUSED_5_6_7);
    // The session goes on: the same sender with SMTPUTF8 is taken.
    assert.equal((await c.cmd('MAIL FROM:<jörg@acme.example> SMTPUTF8')).code, 250);
  } finally { c.close(); }
});

test('a non-ASCII recipient local part without SMTPUTF8 is refused at RCPT TO with 553 5.6.7, the other recipients are taken', async () => {
  const { c } = await loggedIn(acme.domain, acme.domainPassword);
  try {
    assert.equal((await c.cmd('MAIL FROM:<billing@acme.example>')).code, 250);
    const r = await c.cmd('RCPT TO:<zoë@example.net>');
    assert.equal(r.code, 553, r.text);
    assert.match(r.text, REFUSED_5_6_7);
    assert.equal((await c.cmd('RCPT TO:<bob@example.net>')).code, 250);
    const id = await data(c, 'The quarterly figures');
    const m = await t.gw.stores.messages.get(id);
    assert.deepEqual(m?.envelope.rcptTo, ['bob@example.net']);
    assert.equal(m?.smtpUtf8, undefined, 'a transaction without SMTPUTF8 is recorded without the flag');
  } finally { c.close(); }
});

test('SMTPUTF8 on a MAIL FROM that was refused does not carry over to the next MAIL FROM', async () => {
  const { c } = await loggedIn(acme.domain, acme.domainPassword);
  try {
    assert.equal((await c.cmd('MAIL FROM:<billing@elsewhere.example> SMTPUTF8')).code, 553, 'not the tenant\'s domain');
    assert.equal((await c.cmd('MAIL FROM:<billing@acme.example>')).code, 250);
    assert.match((await c.cmd('RCPT TO:<zoë@example.net>')).text, REFUSED_5_6_7);
  } finally { c.close(); }
});

test('with SMTPUTF8 a non-ASCII sender and recipient are accepted and the message record says SMTPUTF8', async () => {
  const { c } = await loggedIn(acme.domain, acme.domainPassword);
  try {
    const mail = await c.cmd('MAIL FROM:<jörg@acme.example> SMTPUTF8');
    assert.equal(mail.code, 250, mail.text);
    const rcpt = await c.cmd('RCPT TO:<zoë@example.net>');
    assert.equal(rcpt.code, 250, rcpt.text);
    const id = await data(c, 'The spring catalogue');
    const m = await t.gw.stores.messages.get(id);
    assert.equal(m?.smtpUtf8, true);
    assert.equal(m?.envelope.mailFrom, 'jörg@acme.example');
    assert.deepEqual(m?.envelope.rcptTo, ['zoë@example.net']);
  } finally { c.close(); }
});

test('a Unicode domain without SMTPUTF8 is still accepted, for the sender and the recipients, and logged in punycode', async () => {
  const ten = await t.tenant('xn--bcher-kva.example');
  const { c } = await loggedIn(ten.mailbox, ten.mailboxPassword);
  try {
    const mail = await c.cmd('MAIL FROM:<alice@bücher.example>');
    assert.equal(mail.code, 250, mail.text);
    const rcpt = await c.cmd('RCPT TO:<bob@münchen.example>');
    assert.equal(rcpt.code, 250, rcpt.text);
    const id = await data(c, 'The book fair');
    const m = await t.gw.stores.messages.get(id);
    assert.equal(m?.envelope.mailFrom, 'alice@xn--bcher-kva.example');
    assert.deepEqual(m?.envelope.rcptTo, ['bob@xn--mnchen-3ya.example']);
    assert.equal(m?.smtpUtf8, undefined);
  } finally { c.close(); }
});
