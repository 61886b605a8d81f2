// Domains of two tenants must never nest (core/tenants/domains.ts): that
// holds also when the two are added at the same moment, where each request's
// overlap check runs before the other's insert.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
before(async () => { h = await startHarness(); });
after(async () => { await h.stop(); });

test('a domain and its subdomain added at once by two tenants are not both kept', async () => {
  const a = await h.tenant('A');
  const b = await h.tenant('B');
  for (let round = 0; round < 3; round++) {
    const parent = `race${round}.example`;
    const child = `mail.race${round}.example`;
    const [p, c] = await Promise.all([
      h.call('POST', '/v1/domains', { token: a.token, body: { domain: parent } }),
      h.call('POST', '/v1/domains', { token: b.token, body: { domain: child } }),
    ]);
    assert.ok(!(p.status === 201 && c.status === 201), `round ${round}: both ${parent} and ${child} were accepted`);
    for (const r of [p, c]) if (r.status !== 201) assert.equal(r.body.code, 'DOMAIN_TAKEN');
    const kept = [await h.stores.tenants.getDomain(parent), await h.stores.tenants.getDomain(child)].filter(Boolean);
    assert.ok(kept.length <= 1, `round ${round}: both domains are stored`);
    // A withdrawn domain leaves no domain user behind.
    for (const name of [parent, child]) {
      if (!(await h.stores.tenants.getDomain(name))) assert.equal(await h.stores.tenants.getUser(name), undefined, name);
    }
  }
});
