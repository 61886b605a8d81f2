import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { createSmarthostTransport, parseSmarthost } from '../../adapters/transport/smarthost.js';
import { sampleMessage, startReceiver, type Receiver } from './helpers.js';

describe('smarthost transport', () => {
  let relay: Receiver;
  before(async () => {
    relay = await startReceiver({
      rcpt: (a) => (a.startsWith('gone@') ? { code: 550, message: '5.1.1 <gone@dest.test>: user unknown' }
        : a.startsWith('busy@') ? { code: 451, message: '4.3.0 try again in a while' } : undefined),
      auth: { user: 'relayuser', pass: 'relaypass' },
    });
  });
  after(() => relay.close());

  it('hands mail to the relay over STARTTLS with a login and reports one result per recipient', async () => {
    const transport = createSmarthostTransport({ host: '127.0.0.1', port: relay.port, name: 'gw.relayguard.test', auth: { user: 'relayuser', pass: 'relaypass' } });
    const results = await transport.send({
      mailFrom: 'alice@example.com',
      rcptTo: ['bob@dest.test', 'gone@dest.test', 'busy@dest.test'],
      raw: Buffer.from(sampleMessage()),
    });
    const by = Object.fromEntries(results.map((r) => [r.rcpt, r]));
    assert.equal(by['bob@dest.test']!.code, 250);
    assert.equal(by['gone@dest.test']!.code, 550);
    assert.match(by['gone@dest.test']!.reply, /5\.1\.1 <gone@dest\.test>: user unknown/);
    assert.equal(by['busy@dest.test']!.code, 451);
    assert.equal(by['bob@dest.test']!.mx, `127.0.0.1:${relay.port}`);
    const got = relay.received.at(-1)!;
    assert.deepEqual(got.rcptTo, ['bob@dest.test']);
    assert.equal(got.mailFrom, 'alice@example.com');
    assert.equal(got.secure, true, 'the session was upgraded with STARTTLS');
  });

  it('reports a refused login as the relay reply for every recipient', async () => {
    const transport = createSmarthostTransport({ host: '127.0.0.1', port: relay.port, name: 'gw.relayguard.test', auth: { user: 'relayuser', pass: 'wrong' } });
    const results = await transport.send({ mailFrom: 'alice@example.com', rcptTo: ['bob@dest.test'], raw: Buffer.from(sampleMessage()) });
    assert.equal(results[0]!.code, 535);
  });

  it('answers code 0 when nothing listens on the relay port', async () => {
    const closed = await startReceiver();
    const port = closed.port;
    await closed.close();
    const transport = createSmarthostTransport({ host: '127.0.0.1', port, name: 'gw.relayguard.test', connectTimeoutMs: 2000 });
    const results = await transport.send({ mailFrom: 'alice@example.com', rcptTo: ['bob@dest.test', 'carol@dest.test'], raw: Buffer.from(sampleMessage()) });
    assert.deepEqual(results.map((r) => r.code), [0, 0]);
    assert.match(results[0]!.reply, /ECONNREFUSED|connect/i);
  });

  it('sends the null reverse path as MAIL FROM:<>', async () => {
    const open = await startReceiver();
    try {
      const transport = createSmarthostTransport({ host: '127.0.0.1', port: open.port, name: 'gw.relayguard.test' });
      const results = await transport.send({ mailFrom: '', rcptTo: ['bob@dest.test'], raw: Buffer.from(sampleMessage()) });
      assert.equal(results[0]!.code, 250);
      assert.equal(open.received[0]!.mailFrom, '');
    } finally {
      await open.close();
    }
  });
});

describe('parseSmarthost', () => {
  it('reads host:port, bracketed IPv6 and a bare host', () => {
    assert.deepEqual(parseSmarthost('relay.example.net:2525'), { host: 'relay.example.net', port: 2525 });
    assert.deepEqual(parseSmarthost('[2001:db8::1]:587'), { host: '2001:db8::1', port: 587 });
    assert.deepEqual(parseSmarthost('relay.example.net'), { host: 'relay.example.net', port: 25 });
  });
  it('refuses a port out of range with a message naming the value', () => {
    assert.throws(() => parseSmarthost('relay:99999'), /SMARTHOST must be host:port.*relay:99999/);
  });
});
