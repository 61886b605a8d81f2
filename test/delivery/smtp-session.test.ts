import { strict as assert } from 'node:assert';
import net, { type AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { deliverOverSmtp } from '../../adapters/transport/smtp-session.js';
import { classifyReply } from '../../core/delivery/bounce-rules.js';
import { sampleMessage, startReceiver } from './helpers.js';

/** A raw TCP server that plays a scripted (mis)behaviour; every socket it accepted is destroyed on close. */
async function rawServer(onSocket: (s: net.Socket) => void) {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    onSocket(s);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()); }),
  };
}

function send(port: number, rcptTo = ['bob@dest.test', 'carol@dest.test']) {
  return deliverOverSmtp(
    { mx: 'test-mx', connection: { host: '127.0.0.1', port, name: 'gw.relayguard.test', opportunisticTLS: true, tls: { rejectUnauthorized: false }, greetingTimeout: 2000, socketTimeout: 3000 } },
    { mailFrom: 'alice@example.com', rcptTo, raw: Buffer.from(sampleMessage()) },
  );
}

describe('one SMTP session', () => {
  it('defers every recipient when the server hangs up before its greeting, instead of waiting forever', async () => {
    const srv = await rawServer((s) => s.end());
    try {
      const results = await send(srv.port);
      assert.deepEqual(results.map((r) => r.code), [0, 0]);
      assert.equal(classifyReply(results[0]!.code, results[0]!.reply).outcome, 'deferred');
    } finally {
      await srv.close();
    }
  });

  it('gives every recipient the server\'s 554 greeting', async () => {
    const srv = await rawServer((s) => s.end('554 5.7.1 mx.dest.test: your IP is listed on bl.example\r\n'));
    try {
      const results = await send(srv.port);
      assert.deepEqual(results.map((r) => r.code), [554, 554]);
      assert.deepEqual(classifyReply(results[0]!.code, results[0]!.reply), { outcome: 'bounced', category: 'blocklist' });
    } finally {
      await srv.close();
    }
  });

  it('defers when the server drops the connection in the middle of the transaction', async () => {
    const srv = await rawServer((s) => {
      s.write('220 mx ESMTP\r\n');
      s.on('data', (d) => {
        const line = d.toString();
        if (/^EHLO/i.test(line)) s.write('250-mx\r\n250 8BITMIME\r\n');
        else if (/^MAIL/i.test(line)) s.destroy();
      });
    });
    try {
      const results = await send(srv.port);
      assert.deepEqual(results.map((r) => r.code), [0, 0]);
    } finally {
      await srv.close();
    }
  });

  it('gives the accepted recipients the reply to DATA when the message itself is refused', async () => {
    const rx = await startReceiver({
      rcpt: (a) => (a.startsWith('gone@') ? { code: 550, message: '5.1.1 user unknown' } : undefined),
      data: () => ({ code: 554, message: '5.7.1 message content rejected as spam' }),
    });
    try {
      const results = await send(rx.port, ['bob@dest.test', 'gone@dest.test']);
      assert.deepEqual(results.map((r) => [r.rcpt, r.code]), [['bob@dest.test', 554], ['gone@dest.test', 550]]);
      assert.match(results[0]!.reply, /content rejected as spam/);
      assert.match(results[1]!.reply, /5\.1\.1 user unknown/);
    } finally {
      await rx.close();
    }
  });

  it('bounces a message larger than the SIZE the server advertises, without sending it', async () => {
    const rx = await startReceiver({ size: 100 });
    try {
      const results = await send(rx.port);
      assert.deepEqual(results.map((r) => r.code), [552, 552]);
      assert.deepEqual(classifyReply(results[0]!.code, results[0]!.reply), { outcome: 'bounced', category: 'message-size' });
      assert.equal(rx.received.length, 0);
    } finally {
      await rx.close();
    }
  });

  it('gives every recipient the reply to MAIL FROM when the sender is refused', async () => {
    const srv = await rawServer((s) => {
      s.write('220 mx ESMTP\r\n');
      s.on('data', (d) => {
        const line = d.toString();
        if (/^EHLO/i.test(line)) s.write('250 mx\r\n');
        else if (/^MAIL/i.test(line)) s.write('550 5.7.1 sender rejected by policy\r\n');
        else if (/^(RSET|QUIT)/i.test(line)) s.end('221 bye\r\n');
      });
    });
    try {
      const results = await send(srv.port);
      assert.deepEqual(results.map((r) => r.code), [550, 550]);
      assert.match(results[1]!.reply, /sender rejected by policy/);
    } finally {
      await srv.close();
    }
  });
});
