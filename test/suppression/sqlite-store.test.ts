// The SQLite suppression store on a real database file: per-tenant keys,
// replace on put, delete, newest-first pages with a stable cursor, search.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openLocalStores, type LocalStores } from '../../adapters/local/index.js';
import type { SuppressionEntry } from '../../core/model.js';
import { isDomainError } from '../../core/errors.js';

let dir: string;
let stores: LocalStores;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'rg-suppr-'));
  stores = openLocalStores(dir);
});
after(() => {
  stores.close();
  rmSync(dir, { recursive: true, force: true });
});

function entry(tenantId: string, address: string, createdAt: string, extra: Partial<SuppressionEntry> = {}): SuppressionEntry {
  return { tenantId, address, reason: 'hard-bounce', detail: '550 5.1.1 user unknown', createdAt, ...extra };
}

describe('SQLite suppression store', () => {
  it('keeps entries per tenant: one tenant never sees another tenant\'s address', async () => {
    await stores.suppressions.put(entry('t1', 'bob@dest.test', '2026-11-28T10:00:00.000Z', { messageId: 'm1' }));
    assert.deepEqual(await stores.suppressions.get('t1', 'bob@dest.test'), entry('t1', 'bob@dest.test', '2026-11-28T10:00:00.000Z', { messageId: 'm1' }));
    assert.equal(await stores.suppressions.get('t2', 'bob@dest.test'), undefined);
    assert.deepEqual((await stores.suppressions.list('t2', { limit: 10 })).items, []);
  });

  it('keeps the first entry on a second put of the same address', async () => {
    const first = await stores.suppressions.put(entry('t1', 'carol@dest.test', '2026-11-28T10:00:00.000Z'));
    const second = await stores.suppressions.put(entry('t1', 'carol@dest.test', '2026-11-28T11:00:00.000Z', { reason: 'complaint', detail: 'abuse' }));
    assert.equal(first.added, true);
    assert.equal(second.added, false);
    assert.equal(second.entry.reason, first.entry.reason);
    const got = await stores.suppressions.get('t1', 'carol@dest.test');
    assert.equal(got?.reason, first.entry.reason);
    assert.notEqual(got?.reason, 'complaint');
    assert.equal((await stores.suppressions.list('t1', { limit: 100, query: 'carol' })).items.length, 1);
  });

  it('deletes an entry and says whether there was one', async () => {
    await stores.suppressions.put(entry('t1', 'gone@dest.test', '2026-11-28T10:00:00.000Z'));
    assert.equal(await stores.suppressions.delete('t2', 'gone@dest.test'), false);
    assert.equal(await stores.suppressions.delete('t1', 'gone@dest.test'), true);
    assert.equal(await stores.suppressions.delete('t1', 'gone@dest.test'), false);
    assert.equal(await stores.suppressions.get('t1', 'gone@dest.test'), undefined);
  });

  it('lists newest first in pages whose cursor neither skips nor repeats entries with the same time', async () => {
    for (let i = 0; i < 7; i++) {
      // Pairs share a timestamp, so the cursor has to break ties by address.
      await stores.suppressions.put(entry('t3', `user${i}@page.test`, `2026-11-28T10:0${Math.floor(i / 2)}:00.000Z`));
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 10; page++) {
      const res = await stores.suppressions.list('t3', { limit: 3, ...(cursor ? { cursor } : {}) });
      seen.push(...res.items.map((e) => e.address));
      cursor = res.cursor;
      if (!cursor) break;
    }
    assert.deepEqual(seen, ['user6@page.test', 'user4@page.test', 'user5@page.test', 'user2@page.test', 'user3@page.test', 'user0@page.test', 'user1@page.test']);
  });

  it('searches by substring, literally, whatever the case', async () => {
    await stores.suppressions.put(entry('t4', 'a_b%c@x.test', '2026-11-28T10:00:00.000Z'));
    await stores.suppressions.put(entry('t4', 'axbyc@x.test', '2026-11-28T10:00:01.000Z'));
    assert.deepEqual((await stores.suppressions.list('t4', { limit: 10, query: 'A_B%' })).items.map((e) => e.address), ['a_b%c@x.test']);
    assert.equal((await stores.suppressions.list('t4', { limit: 10, query: 'x.test' })).items.length, 2);
  });

  it('refuses a cursor it did not give out with a validation error', async () => {
    await assert.rejects(stores.suppressions.list('t1', { limit: 10, cursor: 'not-a-cursor' }), (err) => isDomainError(err, 'VALIDATION'));
  });
});
