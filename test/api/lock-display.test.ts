import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness } from './harness.js';

test('a lock past its time that still waits for a password rotation is shown as in force, as the ingress treats it', async () => {
  const h = await startHarness();
  try {
    const t = await h.tenant('display');
    const now = h.clock.now();
    const at = (ms: number) => new Date(now.getTime() + ms).toISOString();
    const base = { tenantId: t.id, autoUnlocks: 0, firstSeenAt: at(-7200_000), lastSeenAt: at(-3600_000) };
    await h.stores.senders.save({ ...base, sender: 'waiting@x.test', lock: { reason: 'stolen password', lockedAt: at(-7200_000), until: at(-60_000), by: 'auto', requiresPasswordRotation: true } }, 0);
    await h.stores.senders.save({ ...base, sender: 'lapsed@x.test', lock: { reason: 'burst', lockedAt: at(-7200_000), until: at(-60_000), by: 'auto' } }, 0);
    const r = await h.call('GET', '/v1/senders', { token: t.token });
    assert.equal(r.status, 200);
    const locked = Object.fromEntries(r.body.items.map((s: any) => [s.sender, s.locked]));
    assert.deepEqual(locked, { 'waiting@x.test': true, 'lapsed@x.test': false });
  } finally { await h.stop(); }
});
