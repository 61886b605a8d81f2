// Contract: a tenant's suppression list keeps one entry per address (the first one stands), lists newest first and pages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isDomainError } from '../../core/errors.js';
import type { SuppressionEntry } from '../../core/model.js';
import { addSuppression, recordComplaint } from '../../core/suppression/index.js';
import { TestClock, type StoresFactory } from './factory.js';

const entry = (address: string, minute: number, over: Partial<SuppressionEntry> = {}): SuppressionEntry => ({
  tenantId: 't1', address, reason: 'hard-bounce', detail: '550 5.1.1 no such user',
  createdAt: new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString(), ...over,
});

export function suppressionStoreContract(factory: StoresFactory): void {
  test('a suppression is stored per tenant and address, the first entry stands against a later put, and it is deleted once', async () => {
    const s = await factory(new TestClock());
    try {
      const first = entry('bob@example.net', 1);
      assert.deepEqual(await s.suppressions.put(first), { entry: first, added: true });
      assert.deepEqual(await s.suppressions.put(entry('bob@example.net', 2, { reason: 'complaint', detail: 'complaint' })), { entry: first, added: false });
      await s.suppressions.put(entry('bob@example.net', 3, { tenantId: 't2' }));
      assert.deepEqual(await s.suppressions.get('t1', 'bob@example.net'), first);
      assert.equal((await s.suppressions.list('t1', { limit: 10 })).items.length, 1, 'one entry per address');
      assert.equal(await s.suppressions.delete('t1', 'bob@example.net'), true);
      assert.equal(await s.suppressions.delete('t1', 'bob@example.net'), false);
      assert.equal(await s.suppressions.get('t1', 'bob@example.net'), undefined);
      assert.ok(await s.suppressions.get('t2', 'bob@example.net'), 'the other tenant keeps its entry');
      const again = entry('bob@example.net', 4, { reason: 'manual', detail: 'added again' });
      assert.deepEqual(await s.suppressions.put(again), { entry: again, added: true }, 'after a delete the address can be added again');
    } finally { await s.close(); }
  });

  test('concurrent adds of one address keep exactly one entry: the one reported as created, which every other caller is given', async () => {
    const clock = new TestClock();
    const s = await factory(clock);
    const other = await s.reopen();
    const a = { clock, suppressions: s.suppressions };
    const b = { clock, suppressions: other.suppressions };
    try {
      for (let round = 1; round <= 20; round++) {
        const address = `dup${round}@example.net`;
        // The tenant adds the address by hand on one worker while a complaint about it arrives on another.
        const [manual, complaint, manual2] = await Promise.all([
          addSuppression(a, 't1', address, `note ${round}`),
          recordComplaint(b, { tenantId: 't1', address, messageId: `m${round}`, detail: `abuse ${round}` }),
          addSuppression(b, 't1', address, `second note ${round}`),
        ]);
        const stored = await s.suppressions.get('t1', address);
        const where = `round ${round}`;
        const created = [manual, manual2].filter((r) => r.created);
        assert.ok(created.length <= 1, `${where}: at most one manual add reports "created"`);
        assert.deepEqual(manual.entry, stored, `${where}: the first manual add is given the entry that stands`);
        assert.deepEqual(manual2.entry, stored, `${where}: the second manual add is given the entry that stands`);
        assert.deepEqual(complaint, stored, `${where}: the complaint is given the entry that stands`);
        if (created.length === 0) assert.equal(stored?.reason, 'complaint', `${where}: no manual add created it, so the complaint did`);
        assert.equal((await s.suppressions.list('t1', { limit: 100, query: address })).items.length, 1, `${where}: one entry`);
      }
    } finally { await other.close(); await s.close(); }
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
