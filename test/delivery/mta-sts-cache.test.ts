import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { createMtaStsCache } from '../../adapters/transport/mta-sts-cache.js';

describe('MTA-STS policy cache', () => {
  it('hands out a fresh policy without its expiry, so mailauth reuses it while the DNS id is unchanged', async () => {
    let now = 0;
    const cache = createMtaStsCache(() => now);
    await cache.set('dest.test', { id: 'a1', mode: 'enforce', mx: ['mx.dest.test'], maxAge: 600, expires: '2099-01-01T00:00:00Z' });
    const hit = await cache.get('dest.test');
    assert.ok(hit);
    assert.equal(hit.mode, 'enforce');
    assert.equal(hit.expires, undefined);
    now = 599_000;
    assert.ok(await cache.get('dest.test'));
    now = 600_000;
    assert.equal(await cache.get('dest.test'), false, 'past max_age the policy is fetched again');
  });

  it('does not keep "no policy" answers', async () => {
    const cache = createMtaStsCache(() => 0);
    await cache.set('plain.test', { id: false, mode: 'none' });
    assert.equal(await cache.get('plain.test'), false);
  });

  it('asks for a refresh after a day even while the id is unchanged and mail keeps flowing, and keeps the policy until max_age', async () => {
    let now = 0;
    const cache = createMtaStsCache(() => now);
    await cache.set('dest.test', { id: 'a1', mode: 'enforce', mx: ['mx.dest.test'], maxAge: 7 * 86400 });
    for (now = 3600_000; now < 86400_000; now += 3600_000) {
      const hit = await cache.get('dest.test');
      assert.ok(hit && hit.expires === undefined, 'reused as it is within the first day');
      // What mailauth hands back when it reuses a known policy (id unchanged): a copy with a new expiry.
      await cache.set('dest.test', Object.assign({}, hit, { expires: new Date(now + 7 * 86400_000).toISOString() }));
    }
    now = 86400_000;
    const due = await cache.get('dest.test');
    assert.ok(due && due.expires && new Date(due.expires) > new Date(), 'after a day, an expiry in the future makes mailauth fetch it again');
    // The refresh threw: mailauth hands back the known policy with the error. It still applies, and is tried again later.
    await cache.set('dest.test', Object.assign({ error: new Error('ECONNREFUSED') }, due));
    assert.equal((await cache.get('dest.test') as { expires?: string }).expires, undefined, 'no second fetch at once');
    now += 300_000;
    assert.ok((await cache.get('dest.test') as { expires?: string }).expires, 'tried again five minutes later');
    now = 7 * 86400_000;
    assert.equal(await cache.get('dest.test'), false, 'gone at max_age');
  });

  it('applies an unexpired cached policy when no live one is found, instead of "none"', async () => {
    const cache = createMtaStsCache(() => 0);
    await cache.set('dest.test', { id: 'a1', mode: 'enforce', mx: ['mx.dest.test'], maxAge: 86400 });
    // mailauth's answer when the _mta-sts TXT record is gone: mx-connect enforces the object it passes to set.
    const answer: Record<string, unknown> = { id: false, mode: 'none' };
    await cache.set('dest.test', answer);
    assert.equal(answer.mode, 'enforce');
    assert.deepEqual(answer.mx, ['mx.dest.test']);
    assert.equal((await cache.get('dest.test') as { mode?: string }).mode, 'enforce', 'and the cached policy stays');
  });
});
