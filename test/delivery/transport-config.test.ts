import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { transportFromEnv } from '../../adapters/transport/index.js';
import { sampleMessage, startReceiver, tableResolver } from './helpers.js';

describe('transportFromEnv', () => {
  it('relays everything through SMARTHOST when it is set', async () => {
    const relay = await startReceiver();
    try {
      const t = transportFromEnv({ SMARTHOST: `127.0.0.1:${relay.port}` }, 'gw.relayguard.test');
      const results = await t.send({ mailFrom: 'alice@example.com', rcptTo: ['bob@anywhere.test', 'carol@elsewhere.test'], raw: Buffer.from(sampleMessage()) });
      assert.deepEqual(results.map((r) => r.code), [250, 250]);
      assert.deepEqual(relay.received[0]!.rcptTo, ['bob@anywhere.test', 'carol@elsewhere.test'], 'one session for every domain');
    } finally {
      await relay.close();
    }
  });

  it('delivers by MX when SMARTHOST is not set', async () => {
    const mx = await startReceiver();
    try {
      const t = transportFromEnv({ DELIVERY_DANE: 'false', DELIVERY_MTA_STS: 'false' }, 'gw.relayguard.test', {
        port: mx.port,
        blockLocalAddresses: false,
        resolve: tableResolver({ 'dest.test MX': [{ exchange: 'mx.dest.test', priority: 1 }], 'mx.dest.test A': ['127.0.0.1'] }),
      });
      const [r] = await t.send({ mailFrom: 'alice@example.com', rcptTo: ['bob@dest.test'], raw: Buffer.from(sampleMessage()) });
      assert.equal(r!.code, 250);
      assert.equal(r!.mx, 'mx.dest.test');
    } finally {
      await mx.close();
    }
  });

  it('fails fast on a malformed setting, naming the key and the value', () => {
    assert.throws(() => transportFromEnv({ SMARTHOST: 'relay:0' }, 'gw'), /SMARTHOST must be host:port.*relay:0/);
    assert.throws(() => transportFromEnv({ DELIVERY_DANE: 'maybe' }, 'gw'), /DELIVERY_DANE must be true or false; got "maybe"/);
  });
});
