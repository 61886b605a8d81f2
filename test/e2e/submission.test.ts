// Submission on the real gateway: real SMTP sessions over loopback with
// nodemailer and a raw client, delivery to a real receiving SMTP server.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway, queuedId, type TestGateway, type TestTenant } from '../helpers/gateway.js';
import { RawSmtp } from '../helpers/raw-smtp.js';

let t: TestGateway;
let acme: TestTenant;

before(async () => {
  t = await startTestGateway({ MAX_MESSAGE_BYTES: '20000', MAX_RECIPIENTS: '3', MAX_CONNECTIONS_PER_IP: '6' });
  acme = await t.tenant('acme.example');
});
after(async () => t.stop());

// Each message its own body: identical bodies from several senders are a campaign, which is not what these tests are about.
const TOPICS = ['the budget review', 'our hiking trip', 'the new office lease', 'the server migration', 'Friday lunch', 'the printer contract',
  'the conference talk', 'the garden project', 'quarterly taxes', 'the hiring plan', 'the website redesign', 'the warehouse inventory'];
let serial = 0;
const msg = (from: string, to: string | string[], extra: Record<string, unknown> = {}) => ({
  from, to, subject: 'Quarterly report', text: `Hello,\n\nsome notes about ${TOPICS[serial++ % TOPICS.length]} as discussed.\n\nAlice\n`, ...extra,
});

describe('authentication', () => {
  test('AUTH before STARTTLS is refused with 538', async () => {
    const c = await RawSmtp.connect(t.gw.smtpPort);
    try {
      assert.equal((await c.reply()).code, 220);
      const ehlo = await c.cmd('EHLO client.test');
      assert.match(ehlo.text, /STARTTLS/);
      const auth = await c.cmd('AUTH PLAIN ' + Buffer.from(`\0${acme.mailbox}\0${acme.mailboxPassword}`).toString('base64'));
      assert.equal(auth.code, 538);
    } finally { c.close(); }
  });

  test('AUTH is offered after STARTTLS and a wrong password gets 535 5.7.8', async () => {
    const c = await RawSmtp.connect(t.gw.smtpPort);
    try {
      await c.reply();
      await c.cmd('EHLO client.test');
      await c.starttls();
      const ehlo = await c.cmd('EHLO client.test');
      assert.match(ehlo.text, /AUTH PLAIN LOGIN/);
      const bad = await c.cmd('AUTH PLAIN ' + Buffer.from(`\0${acme.mailbox}\0wrong-password`).toString('base64'));
      assert.equal(bad.code, 535);
      assert.match(bad.text, /5\.7\.8/);
    } finally { c.close(); }
  });

  test('a mailbox user sends with AUTH LOGIN over STARTTLS and the message reaches the receiving server DKIM-signed', async () => {
    const info = await t.client({ user: acme.mailbox, pass: acme.mailboxPassword }, { authMethod: 'LOGIN' }).sendMail(msg(acme.mailbox, 'bob@partner.example'));
    assert.match(info.response ?? "", /^250 2\.0\.0 Ok: queued as /);
    const id = queuedId(info.response);
    const m = await t.waitForMessage(acme.token, id, (m) => m.status === 'delivered');
    assert.equal(m.verdict.verdict, 'deliver');
    assert.ok(Array.isArray(m.verdict.signals));
    assert.equal(m.envelope.mailFrom, acme.mailbox);
    assert.equal(m.recipients[0].state, 'delivered');
    assert.match(m.recipients[0].reply, /^250/);
    const got = t.receiver.received.find((r) => r.raw.toString().includes(id));
    assert.ok(got, 'the receiving server got the message (our Received header names its id)');
    assert.match(got.raw.toString(), /DKIM-Signature: .*d=acme\.example/s);
  });

  test('a domain user sends with AUTH PLAIN as any address of its domain', async () => {
    const info = await t.client({ user: acme.domain, pass: acme.domainPassword }, { authMethod: 'PLAIN' }).sendMail(msg(`billing@${acme.domain}`, 'carol@partner.example'));
    assert.match(info.response ?? "", /^250 /);
  });

  test('repeated failed logins from one address are throttled with 454', async () => {
    const g = await startTestGateway();
    try {
      const ten = await g.tenant('throttle.example');
      const codes: number[] = [];
      for (let i = 0; i < 7; i++) {
        const c = await RawSmtp.connect(g.gw.smtpPort);
        try {
          await c.reply();
          await c.cmd('EHLO client.test');
          await c.starttls();
          await c.cmd('EHLO client.test');
          codes.push((await c.cmd('AUTH PLAIN ' + Buffer.from(`\0${ten.mailbox}\0guess${i}`).toString('base64'))).code);
        } finally { c.close(); }
      }
      assert.deepEqual(codes.slice(0, 5), [535, 535, 535, 535, 535]);
      assert.equal(codes[5], 454, `after 5 failures the address is throttled; got ${codes}`);
      // The right password is refused too while throttled: a guesser cannot tell.
      const c = await RawSmtp.connect(g.gw.smtpPort);
      try {
        await c.reply(); await c.cmd('EHLO c'); await c.starttls(); await c.cmd('EHLO c');
        assert.equal((await c.cmd('AUTH PLAIN ' + Buffer.from(`\0${ten.mailbox}\0${ten.mailboxPassword}`).toString('base64'))).code, 454);
      } finally { c.close(); }
    } finally { await g.stop(); }
  });
});

describe('who may send what', () => {
  test('unauthenticated mail from an address that is no IP user gets 530 5.7.0 (no open relay)', async () => {
    const c = await RawSmtp.connect(t.gw.smtpPort, { localAddress: '127.0.0.2' });
    try {
      await c.reply();
      await c.cmd('EHLO outsider.test');
      const r = await c.cmd('MAIL FROM:<spammer@elsewhere.example>');
      assert.equal(r.code, 530);
      assert.match(r.text, /5\.7\.0/);
    } finally { c.close(); }
  });

  test('a registered IP user sends without login, and others on loopback still may not', async () => {
    const ten = await t.tenant('hosting.example');
    const add = await t.api('POST', '/v1/ip-users', ten.token, { cidr: '127.0.0.3/32' });
    assert.equal(add.status, 201);
    await new Promise((r) => setTimeout(r, 2100)); // the ingress refreshes its IP-user list every 2 s
    const info = await t.client(undefined, { localAddress: '127.0.0.3' }).sendMail(msg('webmaster@customer-site.example', 'dan@partner.example'));
    const m = await t.waitForMessage(ten.token, queuedId(info.response), (m) => m.status === 'delivered');
    assert.equal(m.identity.kind, 'ip-user');
    assert.equal(m.sender, 'webmaster@customer-site.example');
    await assert.rejects(t.client(undefined, { localAddress: '127.0.0.4' }).sendMail(msg('x@customer-site.example', 'dan@partner.example')), /530/);
  });

  test('a mailbox user sending as another address gets 553 5.7.1', async () => {
    await assert.rejects(
      t.client({ user: acme.mailbox, pass: acme.mailboxPassword }).sendMail(msg(`ceo@${acme.domain}`, 'bob@partner.example')),
      (err: any) => err.responseCode === 553 && /5\.7\.1 .*may only send as/.test(err.response),
    );
  });

  test('a domain user sending from a domain its tenant does not own gets 553 5.7.1', async () => {
    await assert.rejects(
      t.client({ user: acme.domain, pass: acme.domainPassword }).sendMail(msg('ceo@bank.example', 'bob@partner.example')),
      (err: any) => err.responseCode === 553 && /5\.7\.1/.test(err.response),
    );
  });

  test('a locked sender gets 550 5.7.1 saying the account is locked and why', async () => {
    const ten = await t.tenant('locked.example');
    const lock = await t.api('POST', `/v1/senders/${encodeURIComponent(ten.mailbox)}/lock`, ten.token, { reason: 'password leaked on a paste site' });
    assert.equal(lock.status, 200);
    await assert.rejects(
      t.client({ user: ten.mailbox, pass: ten.mailboxPassword }).sendMail(msg(ten.mailbox, 'bob@partner.example')),
      (err: any) => err.responseCode === 550 && /5\.7\.1 .*locked.*password leaked/.test(err.response),
    );
    assert.equal((await t.api('POST', `/v1/senders/${encodeURIComponent(ten.mailbox)}/unlock`, ten.token, { reason: 'rotated' })).status, 200);
    const info = await t.client({ user: ten.mailbox, pass: ten.mailboxPassword }).sendMail(msg(ten.mailbox, 'bob@partner.example'));
    assert.match(info.response ?? "", /^250 /);
  });
});

describe('internationalised domains', () => {
  // Domains are stored in their ASCII (punycode) form; smtp-server hands the
  // addresses over with the domain decoded to Unicode.
  test('a mailbox user of an IDN domain sends as its own address, in ASCII or (SMTPUTF8) Unicode form', async () => {
    const ten = await t.tenant('xn--bcher-kva.example');
    const c = await RawSmtp.connect(t.gw.smtpPort);
    try {
      await c.reply(); await c.cmd('EHLO c'); await c.starttls(); await c.cmd('EHLO c');
      assert.equal((await c.cmd('AUTH PLAIN ' + Buffer.from(`\0${ten.mailbox}\0${ten.mailboxPassword}`).toString('base64'))).code, 235);
      const ascii = await c.cmd('MAIL FROM:<alice@xn--bcher-kva.example>');
      assert.equal(ascii.code, 250, ascii.text);
      assert.equal((await c.cmd('RCPT TO:<bob@partner.example>')).code, 250);
      assert.equal((await c.cmd('DATA')).code, 354);
      c.write('Subject: IDN sender\r\n\r\nnotes about the book fair\r\n.\r\n');
      const done = await c.reply();
      assert.equal(done.code, 250, done.text);
      const m = await t.waitForMessage(ten.token, queuedId(done.text), () => true);
      assert.equal(m.envelope.mailFrom, 'alice@xn--bcher-kva.example', 'the log keeps the canonical (ASCII) domain');
      const utf8 = await c.cmd('MAIL FROM:<alice@bücher.example> SMTPUTF8');
      assert.equal(utf8.code, 250, utf8.text);
    } finally { c.close(); }
  });

  test('a domain user of an IDN domain sends from any address of it', async () => {
    const ten = await t.tenant('xn--mnchen-3ya.example');
    const c = await RawSmtp.connect(t.gw.smtpPort);
    try {
      await c.reply(); await c.cmd('EHLO c'); await c.starttls(); await c.cmd('EHLO c');
      assert.equal((await c.cmd('AUTH PLAIN ' + Buffer.from(`\0${ten.domain}\0${ten.domainPassword}`).toString('base64'))).code, 235);
      const r = await c.cmd('MAIL FROM:<billing@xn--mnchen-3ya.example>');
      assert.equal(r.code, 250, r.text);
      await c.cmd('RSET');
      const u = await c.cmd('MAIL FROM:<billing@münchen.example> SMTPUTF8');
      assert.equal(u.code, 250, u.text);
      await c.cmd('RSET');
      assert.equal((await c.cmd('MAIL FROM:<billing@elsewhere.example>')).code, 553);
    } finally { c.close(); }
  });

  test('an IDN login typed in Unicode is the same login as its ASCII form', async () => {
    const ten = await t.tenant('xn--kln-sna.example');
    for (const username of ['köln.example', 'alice@KÖLN.example']) {
      const c = await RawSmtp.connect(t.gw.smtpPort);
      try {
        await c.reply(); await c.cmd('EHLO c'); await c.starttls(); await c.cmd('EHLO c');
        const pass = username.includes('@') ? ten.mailboxPassword : ten.domainPassword;
        const r = await c.cmd('AUTH PLAIN ' + Buffer.from(`\0${username}\0${pass}`).toString('base64'));
        assert.equal(r.code, 235, `${username}: ${r.text}`);
      } finally { c.close(); }
    }
  });
});

describe('IPv6', () => {
  test('an IP user on IPv6 sends without login and the Received header names it as an IPv6 address literal', async () => {
    const g = await startTestGateway({ SMTP_HOST: '::1' });
    try {
      const ten = await g.tenant('v6.example');
      assert.equal((await g.api('POST', '/v1/ip-users', ten.token, { cidr: '::1/128' })).status, 201);
      await new Promise((r) => setTimeout(r, 2100)); // the ingress refreshes its IP-user list every 2 s
      const c = await RawSmtp.connect(g.gw.smtpPort, { host: '::1' });
      try {
        await c.reply(); await c.cmd('EHLO client.test');
        assert.equal((await c.cmd('MAIL FROM:<web@customer-site.example>')).code, 250);
        assert.equal((await c.cmd('RCPT TO:<dan@partner.example>')).code, 250);
        await c.cmd('DATA');
        c.write('Subject: from v6\r\n\r\nsome notes about the garden project\r\n.\r\n');
        const r = await c.reply();
        assert.equal(r.code, 250, r.text);
        const m = await g.waitForMessage(ten.token, queuedId(r.text), (m) => m.status === 'delivered');
        assert.equal(m.identity.kind, 'ip-user');
        const got = g.receiver.received.find((x) => x.raw.toString().includes(m.id));
        assert.ok(got);
        // RFC 5321 4.1.3: an IPv6 address literal is [IPv6:...]
        assert.match(got.raw.toString(), /^Received: from client\.test \(\[IPv6:::1\]\)/m);
      } finally { c.close(); }
    } finally { await g.stop(); }
  });
});

describe('limits', () => {
  test('a message over the size limit gets 552', async () => {
    await assert.rejects(
      t.client({ user: acme.mailbox, pass: acme.mailboxPassword }).sendMail(msg(acme.mailbox, 'bob@partner.example', { text: 'x'.repeat(30_000) })),
      (err: any) => err.responseCode === 552,
    );
  });

  test('recipients past the per-message limit get 452', async () => {
    const c = await RawSmtp.connect(t.gw.smtpPort);
    try {
      await c.reply(); await c.cmd('EHLO c'); await c.starttls(); await c.cmd('EHLO c');
      assert.equal((await c.cmd('AUTH PLAIN ' + Buffer.from(`\0${acme.mailbox}\0${acme.mailboxPassword}`).toString('base64'))).code, 235);
      assert.equal((await c.cmd(`MAIL FROM:<${acme.mailbox}>`)).code, 250);
      for (let i = 0; i < 3; i++) assert.equal((await c.cmd(`RCPT TO:<r${i}@partner.example>`)).code, 250);
      assert.equal((await c.cmd('RCPT TO:<r3@partner.example>')).code, 452);
    } finally { c.close(); }
  });

  test('connections past the per-address limit get 421', async () => {
    const open: RawSmtp[] = [];
    try {
      const greetings: number[] = [];
      for (let i = 0; i < 8; i++) {
        const c = await RawSmtp.connect(t.gw.smtpPort, { localAddress: '127.0.0.9' });
        open.push(c);
        greetings.push((await c.reply()).code);
      }
      assert.deepEqual(greetings.slice(0, 6), [220, 220, 220, 220, 220, 220]);
      assert.equal(greetings[6], 421);
    } finally { for (const c of open) c.close(); }
  });
});

describe('SMTP smuggling', () => {
  for (const [name, body] of [
    ['bare LF', 'Subject: a\r\n\r\nline one\nline two\r\n'],
    ['a bare-LF end-of-data lookalike', 'Subject: a\r\n\r\nhello\n.\nMAIL FROM:<x@evil.example>\r\n'],
    ['bare CR', 'Subject: a\r\n\r\nhello\r.\rworld\r\n'],
  ] as const) {
    test(`a message with ${name} is refused with 550 5.5.2 and not delivered`, async () => {
      const c = await RawSmtp.connect(t.gw.smtpPort);
      try {
        await c.reply(); await c.cmd('EHLO c'); await c.starttls(); await c.cmd('EHLO c');
        await c.cmd('AUTH PLAIN ' + Buffer.from(`\0${acme.mailbox}\0${acme.mailboxPassword}`).toString('base64'));
        await c.cmd(`MAIL FROM:<${acme.mailbox}>`);
        await c.cmd('RCPT TO:<bob@partner.example>');
        assert.equal((await c.cmd('DATA')).code, 354);
        c.write(body + '.\r\n');
        const r = await c.reply();
        assert.equal(r.code, 550);
        assert.match(r.text, /5\.5\.2 .*bare LF or CR/);
        // the session goes on: a clean message after it is accepted
        await c.cmd(`MAIL FROM:<${acme.mailbox}>`);
        await c.cmd('RCPT TO:<bob@partner.example>');
        await c.cmd('DATA');
        c.write('Subject: fine\r\n\r\nclean body\r\n.\r\n');
        assert.equal((await c.reply()).code, 250);
      } finally { c.close(); }
    });
  }
});

describe('timeouts', () => {
  test('an idle session is closed with 421 and a busy one is cut at the session limit', async () => {
    const g = await startTestGateway({ SMTP_IDLE_TIMEOUT_SECONDS: '1', SMTP_SESSION_TIMEOUT_SECONDS: '3' });
    try {
      const idle = await RawSmtp.connect(g.gw.smtpPort);
      await idle.reply();
      const started = Date.now();
      const bye = await idle.reply(5000);
      assert.equal(bye.code, 421);
      assert.ok(Date.now() - started < 4000);
      idle.close();

      const busy = await RawSmtp.connect(g.gw.smtpPort);
      await busy.reply();
      const t0 = Date.now();
      let closedAfter = 0;
      for (let i = 0; i < 20; i++) { // NOOP every 0.5 s keeps it from idling; bounded at 10 s
        try { await busy.cmd('NOOP'); } catch { closedAfter = Date.now() - t0; break; }
        await new Promise((r) => setTimeout(r, 500));
      }
      assert.ok(closedAfter >= 2500 && closedAfter < 6000, `closed after ${closedAfter} ms`);
      busy.close();
    } finally { await g.stop(); }
  });
});
