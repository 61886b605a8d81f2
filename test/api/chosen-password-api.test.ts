// POST /v1/users with a chosen password (the console's CSV import) and the
// SMTP port /v1/me tells tenants to use, over real HTTP on the real stores.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Credentials, Me, Settings } from '../../api/schemas.js';
import { verifyPassword } from '../../core/tenants/password.js';
import { expectProblem, startHarness, type Harness } from './harness.js';

let h: Harness;
let t: { id: string; token: string };
before(async () => {
  h = await startHarness({ publicSmtpPort: 2525 });
  t = await h.tenant();
  assert.equal((await h.call('POST', '/v1/domains', { token: t.token, body: { domain: 'import.example' } })).status, 201);
});
after(async () => { await h.stop(); });

describe('chosen passwords', () => {
  test('a mailbox user created with a strong chosen password logs in with it; it is returned on create only', async () => {
    const r = await h.call('POST', '/v1/users', { token: t.token, body: { username: 'Alice@Import.example', password: 'Chosen-Pass-123' } });
    assert.equal(r.status, 201);
    Credentials.parse(r.body);
    assert.deepEqual([r.body.username, r.body.password], ['alice@import.example', 'Chosen-Pass-123']);
    const stored = await h.stores.tenants.getUser('alice@import.example');
    assert.ok(stored && (await verifyPassword('Chosen-Pass-123', stored.passwordHash)));
    assert.ok(!JSON.stringify(stored).includes('Chosen-Pass-123'), 'only the hash is stored');
    const got = await h.call('GET', '/v1/users/alice@import.example', { token: t.token });
    assert.equal(got.body.password, undefined);
  });

  test('without a password one is still generated', async () => {
    const r = await h.call('POST', '/v1/users', { token: t.token, body: { username: 'gen@import.example' } });
    assert.equal(r.status, 201);
    assert.equal(r.body.password.length, 24);
  });

  const weak: [string, string, RegExp][] = [
    ['shorter than 12 characters', 'Short-1', /12/],
    ['the username', 'bob@import.example', /username/],
    ['containing the username', 'xBOB@IMPORT.EXAMPLE1', /username/],
    ['the local part', 'Bob', /12/],
    ['one kind of character only', 'abcdefghijklmnop', /one kind of character/],
    ['digits only', '123456789012345', /one kind of character/],
    ['with a control character', 'Good-Pass-12\u0000x', /control character/],
  ];
  for (const [what, password, why] of weak) {
    test(`a chosen password ${what} is a 400 problem that states the rule`, async () => {
      const p = expectProblem(await h.call('POST', '/v1/users', { token: t.token, body: { username: 'bob@import.example', password } }), 400, 'VALIDATION');
      assert.match(p.detail, why);
      assert.match(p.detail, /at least two kinds of characters/);
      assert.equal(await h.stores.tenants.getUser('bob@import.example'), undefined, 'nothing was created');
    });
  }

  test('a local part long enough to pass the length rule is still refused as the password', async () => {
    const p = expectProblem(await h.call('POST', '/v1/users', { token: t.token, body: { username: 'Longmailbox12@import.example', password: 'longmailbox12' } }), 400, 'VALIDATION');
    assert.match(p.detail, /username/);
  });

  test('the OpenAPI document offers the password field with its rule, which is how the console finds it', async () => {
    const doc = (await h.call('GET', '/v1/openapi.json')).body;
    const password = doc.components.schemas.CreateUserRequest.properties.password;
    assert.deepEqual([password.type, password.minLength, password.maxLength], ['string', 12, 128]);
    assert.match(password.description, /at least two kinds of characters/);
    assert.deepEqual(doc.components.schemas.CreateUserRequest.required, ['username']);
  });
});

describe('SMTP endpoint', () => {
  test('/v1/me and /v1/settings show the public SMTP port when one is configured', async () => {
    const me = await h.call('GET', '/v1/me', { token: t.token });
    Me.parse(me.body);
    assert.deepEqual(me.body.smtp, { host: 'smtp.relay.test', port: 2525 });
    const settings = await h.call('GET', '/v1/settings', { token: t.token });
    Settings.parse(settings.body);
    assert.equal(settings.body.smtp.port, 2525);
  });
});
