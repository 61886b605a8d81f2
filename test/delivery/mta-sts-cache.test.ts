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
});
