// A sender path parameter names the key the ingress keeps reputation and
// locks under (core/policy/sender-key.ts senderKey). Every spelling of the
// same sender must reach that key: a lock stored under another spelling
// would be shown as "locked" while the sender's mail kept flowing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { SenderRecord } from '../../core/model.js';
import { senderKey } from '../../core/policy/sender-key.js';
import { expectProblem, startHarness, type Harness } from './harness.js';

let h: Harness;
before(async () => { h = await startHarness(); });
after(async () => { await h.stop(); });

const ipUser = { kind: 'ip-user', tenantId: 't', ipUserId: 'ip_1', cidr: '198.51.100.0/24' } as const;

async function seen(tenantId: string, sender: string): Promise<void> {
  const at = h.clock.now().toISOString();
  const rec: SenderRecord = { tenantId, sender, autoUnlocks: 0, firstSeenAt: at, lastSeenAt: at };
  assert.equal(await h.stores.senders.save(rec, 0), true);
}

describe('sender keys in paths', () => {
  test('a lock given an IDN sender in Unicode lands on the punycode key the ingress checks', async () => {
    const t = await h.tenant();
    const key = senderKey(ipUser, 'Carol@Bücher.example');
    assert.equal(key, 'carol@xn--bcher-kva.example');
    const r = await h.call('POST', `/v1/senders/${encodeURIComponent('Carol@Bücher.example')}/lock`, { token: t.token });
    assert.equal(r.status, 200);
    assert.equal(r.body.sender, key);
    assert.equal((await h.stores.senders.get(t.id, key))?.lock?.by, 'manual');
    assert.deepEqual((await h.stores.senders.list(t.id)).map((s) => s.sender), [key], 'no second record under the Unicode spelling');
  });

  test('a sender seen under an IDN is found by its Unicode spelling and with a trailing dot', async () => {
    const t = await h.tenant();
    const key = senderKey(ipUser, 'bob@bücher.example');
    await seen(t.id, key);
    for (const form of ['bob@b%C3%BCcher.example', 'BOB@xn--bcher-kva.example.', 'bob@B%C3%9CCHER.example.']) {
      const r = await h.call('GET', `/v1/senders/${form}`, { token: t.token });
      assert.equal(r.status, 200, form);
      assert.equal(r.body.sender, key, form);
    }
  });

  test("an IP user's null sender, as the sender list shows it, can be opened and locked", async () => {
    const t = await h.tenant();
    const key = senderKey(ipUser, '');
    assert.equal(key, '<>@198.51.100.0/24');
    await seen(t.id, key);
    const listed = (await h.call('GET', '/v1/senders', { token: t.token })).body.items.map((s: { sender: string }) => s.sender);
    assert.deepEqual(listed, [key]);
    const path = `/v1/senders/${encodeURIComponent(key)}`;
    assert.equal((await h.call('GET', path, { token: t.token })).status, 200);
    const lock = await h.call('POST', `${path}/lock`, { token: t.token, body: { reason: 'bounce storm' } });
    assert.equal(lock.status, 200);
    assert.equal((await h.stores.senders.get(t.id, key))?.lock?.reason, 'bounce storm');
  });

  test('a display form or a control character is still no sender', async () => {
    const t = await h.tenant();
    for (const bad of ['Alice <alice@example.com>', '<alice@example.com>', 'alice@example.com\u0007']) {
      expectProblem(await h.call('POST', `/v1/senders/${encodeURIComponent(bad)}/lock`, { token: t.token }), 400, 'VALIDATION');
    }
  });
});
