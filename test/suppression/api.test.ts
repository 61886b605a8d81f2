// The suppression routes over real HTTP: the real handler and node:http
// adapter on 127.0.0.1 port 0, the real SQLite stores (test/api/harness.ts),
// driven with fetch. The shared harness wires no suppression list, which is
// the "deployment without one" case; a second server on the same stores has it.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { createApi } from '../../api/handler.js';
import { hashToken } from '../../core/tenants/password.js';
import { startHttpServer } from '../../local/http-server.js';
import { expectProblem, httpCaller, OPERATOR_TOKEN, startHarness, type Harness } from '../api/harness.js';

let h: Harness;
let server: Awaited<ReturnType<typeof startHttpServer>>;
let call: Harness['call'];
let t1: { id: string; token: string };
let t2: { id: string; token: string };

before(async () => {
  h = await startHarness();
  const api = createApi({
    clock: h.clock, tenants: h.stores.tenants, messages: h.stores.messages, senders: h.stores.senders, spool: h.stores.spool,
    deliverQueue: h.stores.deliverQueue, operatorTokenHash: hashToken(OPERATOR_TOKEN), smtpHost: 'smtp.relay.test', smtpPort: 587,
    suppressions: h.stores.suppressions,
  });
  server = await startHttpServer({ api, host: '127.0.0.1', port: 0 });
  call = httpCaller(`http://127.0.0.1:${server.port}`);
  t1 = await h.tenant('Acme');
  t2 = await h.tenant('Other');
});
after(async () => {
  await server.close();
  await h.stop();
});

describe('the suppression API', () => {
  it('adds an address by hand (201), lower-cased, with the note as its detail', async () => {
    const r = await call('POST', '/v1/suppressions', { token: t1.token, body: { address: 'Bob@Example.NET', reason: 'asked to be removed by phone' } });
    assert.equal(r.status, 201);
    assert.deepEqual(r.body, { address: 'bob@example.net', reason: 'manual', detail: 'asked to be removed by phone', createdAt: h.clock.now().toISOString() });
  });

  it('keeps the entry in force when the address is added again (200)', async () => {
    h.clock.advance(1000);
    const r = await call('POST', '/v1/suppressions', { token: t1.token, body: { address: 'bob@example.net' } });
    assert.equal(r.status, 200);
    assert.equal(r.body.detail, 'asked to be removed by phone');
  });

  it('lists newest first, searches by part of the address and pages with a cursor', async () => {
    for (const a of ['carol@example.net', 'dave@other.test', 'erin@example.net']) {
      h.clock.advance(1000);
      assert.equal((await call('POST', '/v1/suppressions', { token: t1.token, body: { address: a } })).status, 201);
    }
    const all = await call('GET', '/v1/suppressions', { token: t1.token });
    assert.equal(all.status, 200);
    assert.deepEqual(all.body.items.map((e: any) => e.address), ['erin@example.net', 'dave@other.test', 'carol@example.net', 'bob@example.net']);
    assert.equal(all.body.cursor, undefined);

    const found = await call('GET', '/v1/suppressions?q=EXAMPLE.net', { token: t1.token });
    assert.deepEqual(found.body.items.map((e: any) => e.address), ['erin@example.net', 'carol@example.net', 'bob@example.net']);

    const page1 = await call('GET', '/v1/suppressions?limit=3', { token: t1.token });
    assert.equal(page1.body.items.length, 3);
    assert.equal(typeof page1.body.cursor, 'string');
    const page2 = await call('GET', `/v1/suppressions?limit=3&cursor=${encodeURIComponent(page1.body.cursor)}`, { token: t1.token });
    assert.deepEqual(page2.body.items.map((e: any) => e.address), ['bob@example.net']);
    assert.equal(page2.body.cursor, undefined);
  });

  it('shows a tenant only its own list, and answers 404 for another tenant\'s address', async () => {
    const r = await call('GET', '/v1/suppressions', { token: t2.token });
    assert.deepEqual(r.body.items, []);
    expectProblem(await call('DELETE', '/v1/suppressions/bob%40example.net', { token: t2.token }), 404, 'NOT_FOUND');
  });

  it('removes an address (204), then says 404 for it', async () => {
    assert.equal((await call('DELETE', '/v1/suppressions/Carol%40Example.net', { token: t1.token })).status, 204);
    expectProblem(await call('DELETE', '/v1/suppressions/carol@example.net', { token: t1.token }), 404, 'NOT_FOUND');
    const r = await call('GET', '/v1/suppressions?q=carol', { token: t1.token });
    assert.deepEqual(r.body.items, []);
  });

  it('refuses what is no address, unknown fields, a bad limit and a forged cursor with 400 problems', async () => {
    const bad = expectProblem(await call('POST', '/v1/suppressions', { token: t1.token, body: { address: 'not an address' } }), 400, 'VALIDATION');
    assert.match(bad.detail, /not a valid mailbox address/);
    const typo = expectProblem(await call('POST', '/v1/suppressions', { token: t1.token, body: { address: 'x@example.net', reasn: 'typo' } }), 400, 'VALIDATION');
    assert.ok(typo.errors?.some((e) => e.path === 'body'), JSON.stringify(typo.errors));
    expectProblem(await call('GET', '/v1/suppressions?limit=0', { token: t1.token }), 400, 'VALIDATION');
    expectProblem(await call('GET', '/v1/suppressions?cursor=forged', { token: t1.token }), 400, 'VALIDATION');
  });

  it('needs a tenant token: none is 401, the operator\'s is 403', async () => {
    expectProblem(await call('GET', '/v1/suppressions'), 401, 'UNAUTHORIZED');
    expectProblem(await call('GET', '/v1/suppressions', { token: OPERATOR_TOKEN }), 403, 'FORBIDDEN');
  });

  it('answers 404 problems where the deployment wires no suppression list', async () => {
    const r = await h.call('GET', '/v1/suppressions', { token: t1.token });
    assert.match(expectProblem(r, 404, 'NOT_FOUND').detail, /no suppression list/);
  });

  it('documents the three operations and their schemas in the OpenAPI document', async () => {
    const doc = (await call('GET', '/v1/openapi.json')).body;
    assert.ok(doc.paths['/v1/suppressions'].get);
    assert.ok(doc.paths['/v1/suppressions'].post.responses['201']);
    assert.deepEqual(doc.paths['/v1/suppressions/{address}'].delete.parameters.map((p: any) => p.name), ['address']);
    assert.deepEqual(doc.paths['/v1/suppressions'].get.parameters.map((p: any) => p.name), ['q', 'limit', 'cursor']);
    assert.ok(doc.components.schemas.Suppression && doc.components.schemas.SuppressionList && doc.components.schemas.CreateSuppressionRequest);
  });
});
