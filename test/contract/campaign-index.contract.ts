// Contract: the campaign index names every sender of the same content within the window, and no member is lost between concurrent workers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CampaignMember } from '../../core/reputation/ports.js';
import { TestClock, type StoresFactory } from './factory.js';

const names = (ms: CampaignMember[]) => ms.map((m) => `${m.tenantId}/${m.sender}`).sort();
const t0 = Date.UTC(2026, 5, 1, 12, 0, 0);

export function campaignIndexContract(factory: StoresFactory): void {
  test('a campaign index returns the members seen with a key inside the window, across tenants', async () => {
    const s = await factory(new TestClock());
    try {
      assert.deepEqual(names(await s.campaigns.note('fp:1', { tenantId: 't1', sender: 'a@x.test' }, new Date(t0), 60)), ['t1/a@x.test']);
      assert.deepEqual(names(await s.campaigns.note('fp:1', { tenantId: 't2', sender: 'b@y.test' }, new Date(t0 + 30_000), 60)), ['t1/a@x.test', 't2/b@y.test']);
      assert.deepEqual(names(await s.campaigns.note('fp:1', { tenantId: 't1', sender: 'c@x.test' }, new Date(t0 + 75_000), 60)), ['t1/c@x.test', 't2/b@y.test'], 'a is outside the window');
      assert.deepEqual(names(await s.campaigns.note('fp:2', { tenantId: 't1', sender: 'a@x.test' }, new Date(t0 + 75_000), 60)), ['t1/a@x.test'], 'keys are independent');
    } finally { await s.close(); }
  });

  test('two workers noting one key at once lose no member', async () => {
    const s = await factory(new TestClock());
    const other = await s.reopen();
    try {
      const at = new Date(t0);
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? s : other).campaigns.note('fp:hot', { tenantId: 't1', sender: `s${i}@x.test` }, at, 3600)));
      for (let i = 0; i < 10; i++) {
        for (let j = i + 1; j < 10; j++) {
          const seen = names(results[i]!).includes(`t1/s${j}@x.test`) || names(results[j]!).includes(`t1/s${i}@x.test`);
          assert.ok(seen, `s${i} and s${j} never saw each other`);
        }
      }
      assert.equal((await s.campaigns.note('fp:hot', { tenantId: 't1', sender: 'late@x.test' }, at, 3600)).length, 11);
    } finally { await other.close(); await s.close(); }
  });
}
