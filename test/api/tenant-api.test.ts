// The tenant-management part of the API, driven over real HTTP against the
// real local stores: the operator creates tenants, tenants manage domains,
// SMTP users and IP users, and never see each other's objects.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { verifyPassword } from '../../core/tenants/password.js';
import { Credentials, DomainCreated, IpUserList, TenantWithToken } from '../../api/schemas.js';
import { expectProblem, OPERATOR_TOKEN, startHarness, type Harness } from './harness.js';

let h: Harness;
before(async () => { h = await startHarness(); });
after(async () => { await h.stop(); });

describe('operator', () => {
  test('creates a tenant and gets its token once; only the token hash is stored', async () => {
    const r = await h.call('POST', '/v1/tenants', { token: OPERATOR_TOKEN, body: { name: 'Acme', ipUserQuota: 3 } });
    assert.equal(r.status, 201);
    TenantWithToken.parse(r.body);
    assert.match(r.body.token, /^rgt_/);
    const stored = await h.stores.tenants.getTenant(r.body.id);
    assert.equal(stored?.ipUserQuota, 3);
    assert.ok(!JSON.stringify(stored).includes(r.body.token), 'the clear token must not be stored');
    const list = await h.call('GET', '/v1/tenants', { token: OPERATOR_TOKEN });
    assert.ok(list.body.items.some((t: { id: string; token?: string }) => t.id === r.body.id && t.token === undefined));
  });

  test('changes the IP-user quota with PATCH', async () => {
    const t = await h.tenant('Quota Co', 1);
    const r = await h.call('PATCH', `/v1/tenants/${t.id}`, { token: OPERATOR_TOKEN, body: { ipUserQuota: 7 } });
    assert.equal(r.status, 200);
    assert.equal(r.body.ipUserQuota, 7);
    assert.equal((await h.call('GET', '/v1/me', { token: t.token })).body.ipUserQuota, 7);
    expectProblem(await h.call('PATCH', '/v1/tenants/t_nope', { token: OPERATOR_TOKEN, body: { ipUserQuota: 1 } }), 404, 'NOT_FOUND');
  });

  test('rotating a tenant token stops the old one at once', async () => {
    const t = await h.tenant();
    const r = await h.call('POST', `/v1/tenants/${t.id}/token`, { token: OPERATOR_TOKEN });
    assert.equal(r.status, 200);
    expectProblem(await h.call('GET', '/v1/me', { token: t.token }), 401, 'UNAUTHORIZED');
    assert.equal((await h.call('GET', '/v1/me', { token: r.body.token })).status, 200);
  });
});

describe('authentication', () => {
  test('a missing token is a 401 problem with a Bearer challenge', async () => {
    const r = await h.call('GET', '/v1/domains');
    expectProblem(r, 401, 'UNAUTHORIZED');
    assert.match(r.headers.get('www-authenticate') ?? '', /^Bearer/);
  });

  test('an unknown or malformed token is a 401 problem', async () => {
    expectProblem(await h.call('GET', '/v1/domains', { token: 'rgt_wrong' }), 401, 'UNAUTHORIZED');
    expectProblem(await h.call('GET', '/v1/domains', { headers: { authorization: 'Basic Zm9vOmJhcg==' } }), 401, 'UNAUTHORIZED');
    expectProblem(await h.call('POST', '/v1/tenants', { token: 'rgt_wrong', body: { name: 'x' } }), 401, 'UNAUTHORIZED');
  });

  test('a tenant token cannot manage tenants and the operator token cannot act as a tenant', async () => {
    const t = await h.tenant();
    expectProblem(await h.call('POST', '/v1/tenants', { token: t.token, body: { name: 'x' } }), 403, 'FORBIDDEN');
    expectProblem(await h.call('GET', '/v1/domains', { token: OPERATOR_TOKEN }), 403, 'FORBIDDEN');
  });
});

describe('domains', () => {
  test('adding a domain creates its domain user, shows the password once and returns the DNS records', async () => {
    const t = await h.tenant();
    const r = await h.call('POST', '/v1/domains', { token: t.token, body: { domain: 'Shop.Example.COM.' } });
    assert.equal(r.status, 201);
    DomainCreated.parse(r.body);
    assert.equal(r.body.domain, 'shop.example.com');
    assert.match(r.body.dkimSelector, /^rg\d{6}$/);
    assert.equal(r.body.domainUser.username, 'shop.example.com');
    assert.equal(r.body.domainUser.kind, 'domain');

    const stored = await h.stores.tenants.getUser('shop.example.com');
    assert.ok(stored && (await verifyPassword(r.body.domainUser.password, stored.passwordHash)), 'the shown password logs in');
    assert.ok(!JSON.stringify(stored).includes(r.body.domainUser.password));

    const got = await h.call('GET', '/v1/domains/shop.example.com', { token: t.token });
    assert.equal(got.status, 200);
    assert.ok(!JSON.stringify(got.body).includes(r.body.domainUser.password), 'the password is never shown again');
    const dkim = got.body.dnsRecords.find((d: { name: string }) => d.name === `${r.body.dkimSelector}._domainkey.shop.example.com`);
    assert.match(dkim.value, /^v=DKIM1; k=rsa; p=[A-Za-z0-9+/=]{300,}$/);
    assert.ok(dkim.strings.every((s: string) => s.length <= 255) && dkim.strings.join('') === dkim.value);
    const spf = got.body.dnsRecords.find((d: { name: string; value: string }) => d.name === 'shop.example.com' && d.value.startsWith('v=spf1'));
    assert.match(spf.value, /a:smtp\.relay\.test/);
    const users = await h.call('GET', '/v1/users', { token: t.token });
    assert.deepEqual(users.body.items.map((u: { username: string }) => u.username), ['shop.example.com']);
  });

  test('a domain registered by any tenant, or a subdomain of it, cannot be added by another', async () => {
    const a = await h.tenant();
    const b = await h.tenant();
    assert.equal((await h.call('POST', '/v1/domains', { token: a.token, body: { domain: 'taken.example' } })).status, 201);
    expectProblem(await h.call('POST', '/v1/domains', { token: b.token, body: { domain: 'TAKEN.example' } }), 409, 'DOMAIN_TAKEN');
    expectProblem(await h.call('POST', '/v1/domains', { token: b.token, body: { domain: 'mail.taken.example' } }), 409, 'DOMAIN_TAKEN');
    assert.equal((await h.call('POST', '/v1/domains', { token: a.token, body: { domain: 'mail.taken.example' } })).status, 201, 'the owner may add its own subdomains');
  });

  test('nor a parent of another tenant\'s domain: its senders could use that subdomain', async () => {
    const a = await h.tenant();
    const b = await h.tenant();
    assert.equal((await h.call('POST', '/v1/domains', { token: a.token, body: { domain: 'news.parent.example' } })).status, 201);
    const p = expectProblem(await h.call('POST', '/v1/domains', { token: b.token, body: { domain: 'parent.example' } }), 409, 'DOMAIN_TAKEN');
    assert.doesNotMatch(p.detail ?? '', /news/, 'the other tenant\'s subdomain is not named');
    assert.equal((await h.call('POST', '/v1/domains', { token: b.token, body: { domain: 'otherparent.example' } })).status, 201, 'a look-alike name is no parent');
    assert.equal((await h.call('POST', '/v1/domains', { token: a.token, body: { domain: 'parent.example' } })).status, 201, 'the owner of the subdomain may add its parent');
  });

  test('an invalid domain name is a 400 problem naming the field', async () => {
    const t = await h.tenant();
    expectProblem(await h.call('POST', '/v1/domains', { token: t.token, body: { domain: 'not a domain' } }), 400, 'VALIDATION');
    const p = expectProblem(await h.call('POST', '/v1/domains', { token: t.token, body: { domian: 'typo.example' } }), 400, 'VALIDATION');
    assert.ok(p.errors?.some((e) => e.path === 'body.domain'), JSON.stringify(p));
  });

  test('deleting a domain removes its domain user and its mailbox users', async () => {
    const t = await h.tenant();
    await h.call('POST', '/v1/domains', { token: t.token, body: { domain: 'gone.example' } });
    await h.call('POST', '/v1/users', { token: t.token, body: { username: 'ann@gone.example' } });
    assert.equal((await h.call('DELETE', '/v1/domains/gone.example', { token: t.token })).status, 204);
    assert.deepEqual((await h.call('GET', '/v1/users', { token: t.token })).body.items, []);
    expectProblem(await h.call('GET', '/v1/domains/gone.example', { token: t.token }), 404, 'NOT_FOUND');
  });
});

describe('mailbox users', () => {
  test('adds a user in one of the tenant domains and rotates its password', async () => {
    const t = await h.tenant();
    await h.call('POST', '/v1/domains', { token: t.token, body: { domain: 'mail.example' } });
    const r = await h.call('POST', '/v1/users', { token: t.token, body: { username: 'Alice@Mail.Example' } });
    assert.equal(r.status, 201);
    Credentials.parse(r.body);
    assert.deepEqual([r.body.username, r.body.kind, r.body.passwordVersion], ['alice@mail.example', 'mailbox', 1]);

    h.clock.advance(1000);
    const rot = await h.call('POST', `/v1/users/${encodeURIComponent('alice@mail.example')}/password`, { token: t.token });
    assert.equal(rot.status, 200);
    assert.equal(rot.body.passwordVersion, 2);
    assert.notEqual(rot.body.password, r.body.password);
    const stored = await h.stores.tenants.getUser('alice@mail.example');
    assert.ok(await verifyPassword(rot.body.password, stored!.passwordHash), 'the new password works');
    assert.ok(!(await verifyPassword(r.body.password, stored!.passwordHash)), 'the old password no longer works');

    expectProblem(await h.call('POST', '/v1/users', { token: t.token, body: { username: 'alice@mail.example' } }), 409, 'USER_EXISTS');
    assert.equal((await h.call('DELETE', '/v1/users/alice@mail.example', { token: t.token })).status, 204);
    expectProblem(await h.call('GET', '/v1/users/alice@mail.example', { token: t.token }), 404, 'NOT_FOUND');
  });

  test('rejects an address outside the tenant domains, including another tenant domain', async () => {
    const a = await h.tenant();
    const b = await h.tenant();
    await h.call('POST', '/v1/domains', { token: a.token, body: { domain: 'a-only.example' } });
    await h.call('POST', '/v1/domains', { token: b.token, body: { domain: 'b-only.example' } });
    const p = expectProblem(await h.call('POST', '/v1/users', { token: a.token, body: { username: 'eve@b-only.example' } }), 400, 'VALIDATION');
    assert.match(p.detail, /a-only\.example/, 'the detail lists the domains that would work');
    expectProblem(await h.call('POST', '/v1/users', { token: a.token, body: { username: 'no-at-sign' } }), 400, 'VALIDATION');
  });

  test('a domain user cannot be deleted on its own', async () => {
    const t = await h.tenant();
    await h.call('POST', '/v1/domains', { token: t.token, body: { domain: 'keep.example' } });
    expectProblem(await h.call('DELETE', '/v1/users/keep.example', { token: t.token }), 403, 'FORBIDDEN');
  });
});

describe('IP users', () => {
  test('normalises CIDRs and stops at the quota with a 409 problem', async () => {
    const t = await h.tenant('Hosting', 2);
    const a = await h.call('POST', '/v1/ip-users', { token: t.token, body: { cidr: '198.51.100.77/28' } });
    assert.equal(a.status, 201);
    assert.equal(a.body.cidr, '198.51.100.64/28');
    const b = await h.call('POST', '/v1/ip-users', { token: t.token, body: { cidr: '2001:DB8:0:0::1/64' } });
    assert.equal(b.body.cidr, '2001:db8::/64');
    const p = expectProblem(await h.call('POST', '/v1/ip-users', { token: t.token, body: { cidr: '203.0.113.9' } }), 409, 'QUOTA_EXCEEDED');
    assert.match(p.detail, /2 IP users/);
    const list = await h.call('GET', '/v1/ip-users', { token: t.token });
    IpUserList.parse(list.body);
    assert.equal(list.body.quota, 2);
    assert.deepEqual(list.body.items.map((i: { cidr: string }) => i.cidr).sort(), ['198.51.100.64/28', '2001:db8::/64']);

    assert.equal((await h.call('DELETE', `/v1/ip-users/${a.body.id}`, { token: t.token })).status, 204);
    assert.equal((await h.call('POST', '/v1/ip-users', { token: t.token, body: { cidr: '203.0.113.9' } })).body.cidr, '203.0.113.9/32');
  });

  test('a malformed, too wide or overlapping CIDR is refused with a problem', async () => {
    const t = await h.tenant('Hosting 2', 10);
    for (const cidr of ['300.1.2.3/32', '10.0.0.0/33', 'example.com', '1.2.3/24', 'fe80::1%eth0']) {
      expectProblem(await h.call('POST', '/v1/ip-users', { token: t.token, body: { cidr } }), 400, 'VALIDATION');
    }
    const wide = expectProblem(await h.call('POST', '/v1/ip-users', { token: t.token, body: { cidr: '0.0.0.0/0' } }), 400, 'VALIDATION');
    assert.match(wide.detail, /too wide/);
    await h.call('POST', '/v1/ip-users', { token: t.token, body: { cidr: '192.0.2.0/24' } });
    expectProblem(await h.call('POST', '/v1/ip-users', { token: t.token, body: { cidr: '192.0.2.128/25' } }), 409, 'CONFLICT');
    const other = await h.tenant();
    const clash = expectProblem(await h.call('POST', '/v1/ip-users', { token: other.token, body: { cidr: '192.0.2.5' } }), 409, 'CONFLICT');
    assert.match(clash.detail, /another tenant/);
  });
});

describe('isolation', () => {
  test("a tenant gets 404 for every other tenant's object", async () => {
    const a = await h.tenant();
    const b = await h.tenant();
    await h.call('POST', '/v1/domains', { token: a.token, body: { domain: 'private-a.example' } });
    await h.call('POST', '/v1/users', { token: a.token, body: { username: 'boss@private-a.example' } });
    const ip = await h.call('POST', '/v1/ip-users', { token: a.token, body: { cidr: '203.0.113.200' } });

    const attempts: [string, string][] = [
      ['GET', '/v1/domains/private-a.example'],
      ['DELETE', '/v1/domains/private-a.example'],
      ['GET', '/v1/users/boss@private-a.example'],
      ['POST', '/v1/users/boss@private-a.example/password'],
      ['POST', '/v1/users/private-a.example/password'],
      ['DELETE', '/v1/users/boss@private-a.example'],
      ['DELETE', `/v1/ip-users/${ip.body.id}`],
    ];
    for (const [method, path] of attempts) {
      expectProblem(await h.call(method, path, { token: b.token }), 404, 'NOT_FOUND');
    }
    assert.deepEqual((await h.call('GET', '/v1/domains', { token: b.token })).body.items, []);
    assert.deepEqual((await h.call('GET', '/v1/users', { token: b.token })).body.items, []);
    assert.deepEqual((await h.call('GET', '/v1/ip-users', { token: b.token })).body.items, []);
    assert.equal((await h.call('GET', '/v1/domains/private-a.example', { token: a.token })).status, 200, "the owner's objects are untouched");
    assert.equal((await h.call('GET', '/v1/users/boss@private-a.example', { token: a.token })).body.passwordVersion, 1);
  });
});
