// Contract: a tenant's suppression list keeps one entry per address, lists newest first and pages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isDomainError } from '../../core/errors.js';
import type { SuppressionEntry } from '../../core/model.js';
import { TestClock, type StoresFactory } from './factory.js';

const entry = (address: string, minute: number, over: Partial<SuppressionEntry> = {}): SuppressionEntry => ({
  tenantId: 't1', address, reason: 'hard-bounce', detail: '550 5.1.1 no such user',
  createdAt: new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString(), ...over,
});

export function suppressionStoreContract(factory: StoresFactory): void {
  test('a suppression is stored per tenant and address, replaced by a newer one and deleted once', async () => {
    const s = await factory(new TestClock());
    try {
      await s.suppressions.put(entry('bob@example.net', 1));
      await s.suppressions.put(entry('bob@example.net', 2, { detail: 'complaint' }));
      await s.suppressions.put(entry('bob@example.net', 3, { tenantId: 't2' }));
      assert.equal((await s.suppressions.get('t1', 'bob@example.net'))?.detail, 'complaint');
      assert.equal((await s.suppressions.list('t1', { limit: 10 })).items.length, 1, 'one entry per address');
      assert.equal(await s.suppressions.delete('t1', 'bob@example.net'), true);
      assert.equal(await s.suppressions.delete('t1', 'bob@example.net'), false);
      assert.equal(await s.suppressions.get('t1', 'bob@example.net'), undefined);
      assert.ok(await s.suppressions.get('t2', 'bob@example.net'), 'the other tenant keeps its entry');
    } finally { await s.close(); }
  });

  test('suppressions list newest first, page with a cursor and search by substring', async () => {
    const s = await factory(new TestClock());
    try {
      for (let i = 0; i < 5; i++) await s.suppressions.put(entry(`user${i}@example.net`, i));
      await s.suppressions.put(entry('a_b%c@example.org', 9));
      const p1 = await s.suppressions.list('t1', { limit: 3 });
      assert.deepEqual(p1.items.map((e) => e.address), ['a_b%c@example.org', 'user4@example.net', 'user3@example.net']);
      const p2 = await s.suppressions.list('t1', { limit: 3, cursor: p1.cursor! });
      assert.deepEqual(p2.items.map((e) => e.address), ['user2@example.net', 'user1@example.net', 'user0@example.net']);
      assert.equal(p2.cursor, undefined);
      assert.deepEqual((await s.suppressions.list('t1', { limit: 10, query: 'B%C' })).items.map((e) => e.address), ['a_b%c@example.org']);
      await assert.rejects(s.suppressions.list('t1', { limit: 3, cursor: 'garbage' }), (e) => isDomainError(e, 'VALIDATION'));
    } finally { await s.close(); }
  });
  test('looking up an address longer than any key can hold answers "not suppressed" instead of failing', async () => {
    const s = await factory(new TestClock());
    try {
      // The ingress accepts any RCPT TO of the form a@b.c; the deliver step looks every pending one up before sending.
      const long = `${'x'.repeat(1100)}@example.net`;
      assert.equal(await s.suppressions.get('t1', long), undefined);
      assert.equal(await s.suppressions.get('t1', `${'\u00e9'.repeat(600)}@example.net`), undefined, '600 two-byte characters are 1200 bytes');
      assert.equal(await s.suppressions.delete('t1', long), false);
    } finally { await s.close(); }
  });
}
