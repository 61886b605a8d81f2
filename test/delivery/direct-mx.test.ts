import { strict as assert } from 'node:assert';
import { createHash, X509Certificate } from 'node:crypto';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { generate } from 'selfsigned';
import { SMTPServer } from 'smtp-server';
import { createDirectMxTransport, type DirectMxOptions, type TlsaRecord } from '../../adapters/transport/direct-mx.js';
import { createMtaStsCache } from '../../adapters/transport/mta-sts-cache.js';
import { classifyReply } from '../../core/delivery/bounce-rules.js';
import type { OutboundMessage } from '../../core/ports.js';
import { sampleMessage, startReceiver, tableResolver, type Receiver } from './helpers.js';

function message(rcptTo: string[]): OutboundMessage {
  return { mailFrom: 'alice@example.com', rcptTo, raw: Buffer.from(sampleMessage('alice@example.com', rcptTo[0])) };
}

/** A private CA and a server certificate for mx.dest.test signed by it. */
async function makeCertificates() {
  const ca = await generate([{ name: 'commonName', value: 'Relayguard Test CA' }], {
    keySize: 2048,
    extensions: [{ name: 'basicConstraints', cA: true, critical: true }, { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true }],
  });
  const leaf = await generate([{ name: 'commonName', value: 'mx.dest.test' }], {
    keySize: 2048,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'mx.dest.test' }] },
    ],
  });
  return { caCert: ca.cert, key: leaf.private, cert: leaf.cert };
}

/** TLSA 3 1 1: SHA-256 of the certificate's SubjectPublicKeyInfo, as a DANE-EE record publishes it. */
function tlsa311(certPem: string): TlsaRecord {
  const spki = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  return { usage: 3, selector: 1, mtype: 1, cert: createHash('sha256').update(spki).digest() };
}

const MX_DNS = {
  'dest.test MX': [{ exchange: 'mx.dest.test', priority: 10 }],
  'mx.dest.test A': ['127.0.0.1'],
};

function transport(port: number, extra: Partial<DirectMxOptions> = {}) {
  return createDirectMxTransport({
    name: 'gw.relayguard.test',
    port,
    resolve: tableResolver(MX_DNS),
    blockLocalAddresses: false,
    connectTimeoutMs: 3000,
    ...extra,
  });
}

describe('direct MX transport', () => {
  let plain: Receiver;
  let certs: Awaited<ReturnType<typeof makeCertificates>>;
  before(async () => {
    plain = await startReceiver({ rcpt: (a) => (a.startsWith('gone@') ? { code: 550, message: '5.1.1 user unknown' } : undefined) });
    certs = await makeCertificates();
  });
  after(() => plain.close());

  it('looks up the MX of the recipient domain and delivers there with opportunistic STARTTLS', async () => {
    const results = await transport(plain.port).send(message(['bob@dest.test', 'gone@dest.test']));
    assert.deepEqual(results.map((r) => [r.rcpt, r.code, r.mx]), [['bob@dest.test', 250, 'mx.dest.test'], ['gone@dest.test', 550, 'mx.dest.test']]);
    const got = plain.received.at(-1)!;
    assert.deepEqual(got.rcptTo, ['bob@dest.test']);
    assert.equal(got.secure, true);
  });

  it('falls back to the A record of a domain that publishes no MX', async () => {
    const t = transport(plain.port, { resolve: tableResolver({ 'nomx.test A': ['127.0.0.1'] }) });
    const [r] = await t.send(message(['carol@nomx.test']));
    assert.equal(r!.code, 250);
    assert.equal(r!.mx, 'nomx.test');
  });

  it('tries the next MX when the preferred one does not answer', async () => {
    const t = transport(plain.port, {
      resolve: tableResolver({
        'dest.test MX': [{ exchange: 'mx1.dest.test', priority: 10 }, { exchange: 'mx2.dest.test', priority: 20 }],
        'mx1.dest.test A': ['127.0.0.2'], // nothing listens there on this port
        'mx2.dest.test A': ['127.0.0.1'],
      }),
    });
    const [r] = await t.send(message(['bob@dest.test']));
    assert.equal(r!.code, 250);
    assert.equal(r!.mx, 'mx2.dest.test');
  });

  it('moves on to the next MX when the preferred one answers 421 for the whole session', async () => {
    // A host on 127.0.0.2 with the receiver's port number that turns every client away.
    const busy = net.createServer((s) => s.end('421 4.3.2 mx1 is too busy, try another\r\n'));
    await new Promise<void>((resolve) => busy.listen(plain.port, '127.0.0.2', resolve));
    try {
      const resolve = tableResolver({
        'dest.test MX': [{ exchange: 'mx1.dest.test', priority: 10 }, { exchange: 'mx2.dest.test', priority: 20 }],
        'mx1.dest.test A': ['127.0.0.2'],
        'mx2.dest.test A': ['127.0.0.1'],
      });
      const [r] = await transport(plain.port, { resolve }).send(message(['bob@dest.test']));
      assert.equal(r!.code, 250);
      assert.equal(r!.mx, 'mx2.dest.test');
      const onlyBusy = tableResolver({ 'dest.test MX': [{ exchange: 'mx1.dest.test', priority: 10 }], 'mx1.dest.test A': ['127.0.0.2'] });
      const [d] = await transport(plain.port, { resolve: onlyBusy }).send(message(['bob@dest.test']));
      assert.equal(d!.code, 421, 'with no other host the busy reply is kept');
      assert.equal(classifyReply(d!.code, d!.reply).outcome, 'deferred');
    } finally {
      await new Promise<void>((resolve) => busy.close(() => resolve()));
    }
  });

  it('delivers in plaintext when an MX offers STARTTLS but the handshake fails and no policy demands TLS (RFC 7435)', async () => {
    // A server whose TLS stops at 1.1, which node refuses: STARTTLS is offered and cannot succeed.
    const got: { rcptTo: string[]; secure: boolean }[] = [];
    const broken = new SMTPServer({
      logger: false, authOptional: true, disabledCommands: ['AUTH'], minVersion: 'TLSv1', maxVersion: 'TLSv1.1',
      onData(stream, session, cb) {
        stream.resume();
        stream.on('end', () => { got.push({ rcptTo: session.envelope.rcptTo.map((r) => r.address), secure: session.secure }); cb(null); });
      },
    } as ConstructorParameters<typeof SMTPServer>[0]);
    broken.on('error', () => {});
    await new Promise<void>((resolve) => broken.listen(0, '127.0.0.1', resolve));
    try {
      const port = (broken.server.address() as net.AddressInfo).port;
      const [r] = await transport(port).send(message(['bob@dest.test']));
      assert.equal(r!.code, 250, r!.reply);
      assert.deepEqual(got, [{ rcptTo: ['bob@dest.test'], secure: false }]);
      // Under a policy the same server is never given the mail in plaintext.
      const t = transport(port, { dane: { enabled: true, resolveTlsa: async () => [tlsa311(certs.cert)] } });
      const [d] = await t.send(message(['bob@dest.test']));
      assert.deepEqual(classifyReply(d!.code, d!.reply), { outcome: 'deferred', category: 'tls' });
      assert.match(d!.reply, /^local-tls: TLS handshake after STARTTLS failed: /, 'the reply says what failed, not only OpenSSL\'s text');
      assert.equal(got.length, 1);
    } finally {
      await new Promise<void>((resolve) => broken.close(() => resolve()));
    }
  });

  it('opens one session per recipient domain and reports every recipient', async () => {
    const t = transport(plain.port, { resolve: tableResolver({ ...MX_DNS, 'other.test MX': [{ exchange: 'mx.dest.test', priority: 5 }] }) });
    const before = plain.received.length;
    const results = await t.send(message(['bob@dest.test', 'dave@other.test']));
    assert.deepEqual(results.map((r) => r.code), [250, 250]);
    assert.equal(plain.received.length - before, 2, 'one transaction per domain');
  });

  it('fails a domain that does not exist permanently, which the bounce rules read as bad-domain', async () => {
    const [r] = await transport(plain.port).send(message(['bob@nowhere.test']));
    assert.equal(r!.code, 550);
    assert.deepEqual(classifyReply(r!.code, r!.reply), { outcome: 'bounced', category: 'bad-domain' });
  });

  it('bounces a domain that publishes a null MX (RFC 7505) with 556 5.1.10, without falling back to its A record', async () => {
    const before = plain.rcptSeen.length;
    for (const exchange of ['', '.']) {
      const resolve = tableResolver({ 'nullmx.test MX': [{ exchange, priority: 0 }], 'nullmx.test A': ['127.0.0.1'] });
      const [r] = await transport(plain.port, { resolve }).send(message(['bob@nullmx.test']));
      assert.equal(r!.code, 556, r!.reply);
      assert.match(r!.reply, /^556 5\.1\.10 local: .*nullmx\.test.*null MX/);
      assert.deepEqual(classifyReply(r!.code, r!.reply), { outcome: 'bounced', category: 'bad-domain' });
    }
    assert.equal(plain.rcptSeen.length, before, 'no session was opened');
  });

  it('refuses by default an MX that points at a loopback address', async () => {
    const t = createDirectMxTransport({ name: 'gw.relayguard.test', port: plain.port, resolve: tableResolver(MX_DNS), connectTimeoutMs: 3000 });
    const before = plain.rcptSeen.length;
    const [r] = await t.send(message(['bob@dest.test']));
    assert.notEqual(r!.code, 250);
    assert.equal(plain.rcptSeen.length, before, 'no session was opened');
  });

  describe('MTA-STS', () => {
    const stsDns = { ...MX_DNS, '_mta-sts.dest.test TXT': [['v=STSv1; id=20261128']] };
    function stsTransport(port: number, policyMx: string[], extra: Partial<DirectMxOptions> = {}) {
      const cache = createMtaStsCache();
      void cache.set('dest.test', { id: '20261128', version: 'STSv1', mode: 'enforce', mx: policyMx, maxAge: 86400 });
      return transport(port, { resolve: tableResolver(stsDns), mtaSts: { enabled: true, cache }, ...extra });
    }

    it('delivers over verified TLS to an MX the enforced policy lists', async () => {
      const secure = await startReceiver({ key: certs.key, cert: certs.cert });
      try {
        const [r] = await stsTransport(secure.port, ['mx.dest.test'], { tls: { ca: certs.caCert } }).send(message(['bob@dest.test']));
        assert.equal(r!.code, 250, r!.reply);
        assert.equal(secure.received[0]!.secure, true);
      } finally {
        await secure.close();
      }
    });

    it('defers rather than accept a certificate that does not verify', async () => {
      const secure = await startReceiver({ key: certs.key, cert: certs.cert });
      try {
        const [r] = await stsTransport(secure.port, ['mx.dest.test']).send(message(['bob@dest.test'])); // no CA given
        assert.equal(r!.code, 0);
        assert.equal(classifyReply(r!.code, r!.reply).category, 'tls');
        assert.equal(secure.received.length, 0);
      } finally {
        await secure.close();
      }
    });

    it('defers rather than send in plaintext to an MX that offers no STARTTLS', async () => {
      const noTls = await startReceiver({ starttls: false });
      try {
        const [r] = await stsTransport(noTls.port, ['mx.dest.test'], { tls: { ca: certs.caCert } }).send(message(['bob@dest.test']));
        assert.deepEqual(classifyReply(r!.code, r!.reply), { outcome: 'deferred', category: 'tls' });
        assert.equal(noTls.rcptSeen.length, 0);
      } finally {
        await noTls.close();
      }
    });

    it('only reports, and still delivers, when the policy is in testing mode', async () => {
      const cache = createMtaStsCache();
      await cache.set('dest.test', { id: '20261128', version: 'STSv1', mode: 'testing', mx: ['mail.elsewhere.test'], maxAge: 86400 });
      const t = transport(plain.port, { resolve: tableResolver(stsDns), mtaSts: { enabled: true, cache } });
      const [r] = await t.send(message(['bob@dest.test']));
      assert.equal(r!.code, 250, r!.reply);
    });

    it('keeps applying a cached enforce policy when the _mta-sts TXT record disappears (RFC 8461 3.3)', async () => {
      const cache = createMtaStsCache();
      await cache.set('dest.test', { id: '20261128', version: 'STSv1', mode: 'enforce', mx: ['mail.elsewhere.test'], maxAge: 86400 });
      const before = plain.rcptSeen.length;
      const t = transport(plain.port, { resolve: tableResolver(MX_DNS), mtaSts: { enabled: true, cache } }); // no TXT record now
      const [r] = await t.send(message(['bob@dest.test']));
      assert.equal(r!.code, 0, r!.reply);
      assert.match(r!.reply, /local-policy: MTA-STS policy check failed/);
      assert.equal(plain.rcptSeen.length, before, 'no plaintext or unlisted delivery');
    });

    it('keeps applying a cached enforce policy when its daily refresh cannot reach the policy host', async () => {
      let now = Date.parse('2026-11-28T12:00:00Z');
      const cache = createMtaStsCache(() => now);
      await cache.set('dest.test', { id: '20261128', version: 'STSv1', mode: 'enforce', mx: ['mail.elsewhere.test'], maxAge: 30 * 86400 });
      now += 2 * 86400_000; // the refresh is due, the policy is far from its max_age
      // mta-sts.dest.test is on loopback, where nothing answers HTTPS: the fetch fails.
      const resolve = tableResolver({ ...stsDns, 'mta-sts.dest.test A': ['127.0.0.1'] });
      const before = plain.rcptSeen.length;
      const [r] = await transport(plain.port, { resolve, mtaSts: { enabled: true, cache } }).send(message(['bob@dest.test']));
      assert.equal(r!.code, 0, r!.reply);
      assert.match(r!.reply, /local-policy: MTA-STS policy check failed/);
      assert.equal(plain.rcptSeen.length, before);
    });

    it('defers when the MX is not one the policy lists, without connecting', async () => {
      const before = plain.rcptSeen.length;
      const [r] = await stsTransport(plain.port, ['mail.elsewhere.test']).send(message(['bob@dest.test']));
      assert.equal(r!.code, 0);
      assert.match(r!.reply, /local-policy: MTA-STS policy check failed/);
      assert.equal(plain.rcptSeen.length, before);
    });
  });

  describe('DANE', () => {
    it('delivers when the certificate matches the published TLSA record, whatever CA signed it', async () => {
      const secure = await startReceiver({ key: certs.key, cert: certs.cert });
      try {
        const names: string[] = [];
        const t = transport(secure.port, { dane: { enabled: true, resolveTlsa: async (name) => { names.push(name); return [tlsa311(certs.cert)]; } } });
        const [r] = await t.send(message(['bob@dest.test']));
        assert.equal(r!.code, 250, r!.reply);
        assert.deepEqual(names, [`_${secure.port}._tcp.mx.dest.test`]);
        assert.equal(secure.received[0]!.secure, true);
      } finally {
        await secure.close();
      }
    });

    it('defers when the certificate does not match the TLSA record, and sends nothing', async () => {
      const other = await makeCertificates();
      const secure = await startReceiver({ key: certs.key, cert: certs.cert });
      try {
        const t = transport(secure.port, { dane: { enabled: true, resolveTlsa: async () => [tlsa311(other.cert)] } });
        const [r] = await t.send(message(['bob@dest.test']));
        assert.deepEqual(classifyReply(r!.code, r!.reply), { outcome: 'deferred', category: 'tls' });
        assert.match(r!.reply, /DANE/);
        assert.equal(secure.rcptSeen.length, 0);
      } finally {
        await secure.close();
      }
    });

    it('defers when TLSA records exist but the MX offers no STARTTLS', async () => {
      const noTls = await startReceiver({ starttls: false });
      try {
        const t = transport(noTls.port, { dane: { enabled: true, resolveTlsa: async () => [tlsa311(certs.cert)] } });
        const [r] = await t.send(message(['bob@dest.test']));
        assert.deepEqual(classifyReply(r!.code, r!.reply), { outcome: 'deferred', category: 'tls' });
        assert.equal(noTls.rcptSeen.length, 0);
      } finally {
        await noTls.close();
      }
    });
  });
});
