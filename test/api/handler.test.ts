// The transport-free entry point as the API Gateway Lambda will call it: no
// HTTP server, just ApiRequest in and ApiResponse out.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openLocalStores, type LocalStores } from '../../adapters/local/index.js';
import { createApi, type Api, type ApiRequest } from '../../api/handler.js';
import { systemClock } from '../../core/ports.js';
import { hashToken } from '../../core/tenants/password.js';

let dir: string;
let stores: LocalStores;
let api: Api;
const errors: unknown[] = [];
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'rg-handler-'));
  stores = openLocalStores(dir);
  api = createApi({
    clock: systemClock, tenants: stores.tenants, messages: stores.messages, senders: stores.senders, spool: stores.spool,
    deliverQueue: stores.deliverQueue, operatorTokenHash: hashToken('op-token'), smtpHost: 'smtp.relay.test', smtpPort: 587,
    onError: (err) => errors.push(err),
  });
});
after(() => { stores.close(); rmSync(dir, { recursive: true, force: true }); });

const req = (method: string, path: string, o: Partial<ApiRequest> = {}): ApiRequest => ({ method, path, query: {}, headers: {}, body: undefined, ...o });

test('header names are matched in any case and responses are plain JSON-serialisable data', async () => {
  const r = await api(req('POST', '/v1/tenants', { headers: { AUTHORIZATION: 'bearer op-token' }, body: { name: 'Lambda Co' } }));
  assert.equal(r.status, 201);
  assert.equal(r.headers['content-type'], 'application/json');
  assert.deepEqual(JSON.parse(JSON.stringify(r.body)), r.body);
});

test('percent-encoded path segments are decoded, and a trailing slash is ignored', async () => {
  const t = (await api(req('POST', '/v1/tenants', { headers: { authorization: 'Bearer op-token' }, body: { name: 'Enc' } }))).body as { token: string };
  const auth = { authorization: `Bearer ${t.token}` };
  await api(req('POST', '/v1/domains', { headers: auth, body: { domain: 'enc.example' } }));
  await api(req('POST', '/v1/users', { headers: auth, body: { username: 'a.b@enc.example' } }));
  const r = await api(req('POST', '/v1/users/a.b%40enc.example/password/', { headers: auth }));
  assert.equal(r.status, 200);
  assert.equal((r.body as { username: string }).username, 'a.b@enc.example');
  const bad = await api(req('GET', '/v1/users/%E0%A4%A', { headers: auth }));
  assert.equal(bad.status, 404, 'an undecodable segment matches no route');
});

test('an unexpected failure is a 500 problem without internals, reported to onError', async () => {
  const broken = createApi({
    clock: systemClock, tenants: Object.assign(Object.create(stores.tenants), { getTenantByTokenHash: async () => { throw new Error('disk on fire at /var/lib/x'); } }),
    messages: stores.messages, senders: stores.senders, spool: stores.spool, deliverQueue: stores.deliverQueue,
    operatorTokenHash: hashToken('op-token'), smtpHost: 'h', smtpPort: 587, onError: (err) => errors.push(err),
  });
  const before = errors.length;
  const r = await broken(req('GET', '/v1/me', { headers: { authorization: 'Bearer x' } }));
  assert.equal(r.status, 500);
  assert.equal(r.headers['content-type'], 'application/problem+json');
  assert.ok(!JSON.stringify(r.body).includes('disk on fire'));
  assert.equal(errors.length, before + 1);
});
