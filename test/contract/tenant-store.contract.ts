// Contract: tenants, domains, SMTP users and IP users behave the same in SQLite and DynamoDB.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isDomainError } from '../../core/errors.js';
import type { DomainRecord, IpUser, SmtpUser, Tenant } from '../../core/model.js';
import { DEFAULT_TENANT_SETTINGS } from '../../core/settings.js';
import { hashToken } from '../../core/tenants/password.js';
import { rotateTenantToken, updateSettings, updateTenant } from '../../core/tenants/tenants.js';
import { TestClock, type StoresFactory } from './factory.js';

const at = '2026-06-01T12:00:00.000Z';
const tenant = (id: string, tokenHash = `hash-${id}`): Tenant => ({
  id, name: `Tenant ${id}`, tokenHash, ipUserQuota: 3, settings: { ...DEFAULT_TENANT_SETTINGS }, createdAt: at,
});
const domain = (tenantId: string, name: string): DomainRecord => ({
  tenantId, domain: name, dkimSelector: 'rg1', dkimPrivateKey: 'PEM', dkimPublicKey: 'SPKI', createdAt: at,
});
const user = (tenantId: string, username: string): SmtpUser => ({
  tenantId, username, kind: 'mailbox', passwordHash: 'scrypt$1$1$1$salt$hash', passwordVersion: 1, createdAt: at, passwordChangedAt: at,
});
const ipUser = (tenantId: string, id: string, cidr = '192.0.2.0/24'): IpUser => ({ id, tenantId, cidr, createdAt: at });

export function tenantStoreContract(factory: StoresFactory): void {
  test('a tenant is found by id and by its token hash, and a rotated token stops working', async () => {
    const s = await factory(new TestClock());
    try {
      await s.tenants.createTenant(tenant('t1'));
      await s.tenants.createTenant(tenant('t2'));
      assert.equal((await s.tenants.getTenant('t1'))?.name, 'Tenant t1');
      assert.equal((await s.tenants.getTenantByTokenHash('hash-t2'))?.id, 't2');
      assert.deepEqual((await s.tenants.listTenants()).map((t) => t.id), ['t1', 't2']);
      await s.tenants.updateTenant({ ...tenant('t1', 'hash-new'), name: 'Renamed' });
      assert.equal(await s.tenants.getTenantByTokenHash('hash-t1'), undefined);
      assert.equal((await s.tenants.getTenantByTokenHash('hash-new'))?.name, 'Renamed');
      assert.equal(await s.tenants.getTenant('nope'), undefined);
    } finally { await s.close(); }
  });

  test('concurrent changes of different tenant fields all stand: settings, token rotation and rename never undo each other', async () => {
    const clock = new TestClock();
    const s = await factory(clock);
    const other = await s.reopen();
    const a = { clock, tenants: s.tenants };
    const b = { clock, tenants: other.tenants };
    try {
      await s.tenants.createTenant(tenant('t1'));
      let oldHash = 'hash-t1';
      for (let round = 1; round <= 25; round++) {
        // Two API requests on two workers, each reading the tenant and then writing it, interleaved.
        const [, rotated] = await Promise.all([
          updateSettings(a, 't1', { senderHourlyLimit: 1000 + round }),
          rotateTenantToken(b, 't1'),
          updateSettings(b, 't1', { abuseContact: `abuse${round}@example.com` }),
          updateTenant(a, 't1', { name: `Round ${round}` }),
        ]);
        const stored = await s.tenants.getTenant('t1');
        const where = `round ${round}`;
        assert.equal(stored?.settings.senderHourlyLimit, 1000 + round, `${where}: the hourly limit change is kept`);
        assert.equal(stored?.settings.abuseContact, `abuse${round}@example.com`, `${where}: the abuse contact change is kept`);
        assert.equal(stored?.name, `Round ${round}`, `${where}: the rename is kept`);
        assert.equal(stored?.tokenHash, hashToken(rotated.token), `${where}: the rotated token is kept`);
        assert.equal((await other.tenants.getTenantByTokenHash(hashToken(rotated.token)))?.id, 't1', `${where}: the new token works`);
        assert.equal(await other.tenants.getTenantByTokenHash(oldHash), undefined, `${where}: the old token stopped working`);
        oldHash = hashToken(rotated.token);
      }
    } finally { await other.close(); await s.close(); }
  });

  test('a tenant change that throws writes nothing, and changing a missing tenant resolves undefined', async () => {
    const s = await factory(new TestClock());
    try {
      await s.tenants.createTenant(tenant('t1'));
      await assert.rejects(s.tenants.changeTenant('t1', () => { throw new Error('refused'); }), /refused/);
      assert.deepEqual(await s.tenants.getTenant('t1'), tenant('t1'));
      const renamed = await s.tenants.changeTenant('t1', (t) => ({ ...t, name: 'Renamed' }));
      assert.deepEqual(renamed, { ...tenant('t1'), name: 'Renamed' });
      assert.deepEqual(await s.tenants.getTenant('t1'), renamed, 'the store keeps no bookkeeping fields on the record');
      assert.equal(await s.tenants.changeTenant('nope', (t) => t), undefined);
      assert.equal(await s.tenants.getTenant('nope'), undefined);
    } finally { await s.close(); }
  });

  test('a domain belongs to one tenant: a second registration fails with DOMAIN_TAKEN', async () => {
    const s = await factory(new TestClock());
    try {
      await s.tenants.createDomain(domain('t1', 'example.com'));
      await s.tenants.createDomain(domain('t1', 'example.org'));
      await assert.rejects(s.tenants.createDomain(domain('t2', 'example.com')), (e) => isDomainError(e, 'DOMAIN_TAKEN'));
      assert.equal((await s.tenants.getDomain('EXAMPLE.com'))?.tenantId, 't1');
      assert.deepEqual((await s.tenants.listDomains('t1')).map((d) => d.domain), ['example.com', 'example.org']);
      assert.deepEqual(await s.tenants.listDomains('t2'), []);
    } finally { await s.close(); }
  });

  test('the domains under a domain are found across tenants; the domain itself and look-alike names are not', async () => {
    const s = await factory(new TestClock());
    try {
      for (const [t, d] of [['t1', 'example.com'], ['t1', 'mail.example.com'], ['t2', 'a.b.example.com'], ['t3', 'badexample.com'], ['t3', 'example.org']] as const) {
        await s.tenants.createDomain(domain(t, d));
      }
      assert.deepEqual((await s.tenants.listDomainsUnder('example.com')).map((d) => [d.tenantId, d.domain]), [['t2', 'a.b.example.com'], ['t1', 'mail.example.com']]);
      assert.deepEqual((await s.tenants.listDomainsUnder('B.example.com')).map((d) => d.domain), ['a.b.example.com']);
      assert.deepEqual(await s.tenants.listDomainsUnder('a.b.example.com'), []);
      assert.deepEqual(await s.tenants.listDomainsUnder('%ample.com'), [], 'LIKE wildcards in the input are literal');
    } finally { await s.close(); }
  });

  test('a tenant can delete only its own domains', async () => {
    const s = await factory(new TestClock());
    try {
      await s.tenants.createDomain(domain('t1', 'example.com'));
      assert.equal(await s.tenants.deleteDomain('t2', 'example.com'), false);
      assert.ok(await s.tenants.getDomain('example.com'));
      assert.equal(await s.tenants.deleteDomain('t1', 'example.com'), true);
      assert.equal(await s.tenants.getDomain('example.com'), undefined);
      assert.equal(await s.tenants.deleteDomain('t1', 'example.com'), false);
    } finally { await s.close(); }
  });

  test('a username is unique across tenants, found in any case, updated and deleted by its owner', async () => {
    const s = await factory(new TestClock());
    try {
      await s.tenants.createUser(user('t1', 'alice@example.com'));
      await s.tenants.createUser(user('t1', 'bob@example.com'));
      await assert.rejects(s.tenants.createUser(user('t2', 'alice@example.com')), (e) => isDomainError(e, 'USER_EXISTS'));
      assert.equal((await s.tenants.getUser('Alice@Example.com'))?.tenantId, 't1');
      await s.tenants.updateUser({ ...user('t1', 'alice@example.com'), passwordVersion: 2 });
      assert.equal((await s.tenants.getUser('alice@example.com'))?.passwordVersion, 2);
      assert.deepEqual((await s.tenants.listUsers('t1')).map((u) => u.username), ['alice@example.com', 'bob@example.com']);
      assert.equal(await s.tenants.deleteUser('t2', 'alice@example.com'), false);
      assert.equal(await s.tenants.deleteUser('t1', 'alice@example.com'), true);
      assert.equal(await s.tenants.getUser('alice@example.com'), undefined);
    } finally { await s.close(); }
  });

  test('concurrent IP-user creations never exceed the quota, and a deletion frees a slot', async () => {
    const s = await factory(new TestClock());
    const other = await s.reopen();
    try {
      const results = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) => (i % 2 ? s : other).tenants.createIpUser(ipUser('t1', `ip${i}`), 3)),
      );
      const ok = results.filter((r) => r.status === 'fulfilled').length;
      assert.equal(ok, 3, 'exactly the quota');
      for (const r of results) if (r.status === 'rejected') assert.ok(isDomainError(r.reason, 'QUOTA_EXCEEDED'), String(r.reason));
      const mine = await s.tenants.listIpUsers('t1');
      assert.equal(mine.length, 3);
      assert.equal(await s.tenants.deleteIpUser('t1', mine[0]!.id), true);
      assert.equal(await s.tenants.deleteIpUser('t1', mine[0]!.id), false);
      await s.tenants.createIpUser(ipUser('t1', 'ip-late'), 3);
      await s.tenants.createIpUser(ipUser('t2', 'ip-t2', '198.51.100.0/24'), 3);
      const all = await s.tenants.listAllIpUsers();
      assert.equal(all.length, 4);
      assert.ok(all.some((u) => u.tenantId === 't2' && u.cidr === '198.51.100.0/24'));
    } finally { await other.close(); await s.close(); }
  });
}
