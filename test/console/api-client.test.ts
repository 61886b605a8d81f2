// The console's API client turns every failure into words a person can act
// on: problem+json details, bare HTTP statuses, unreachable servers, and
// routes a deployment does not have (HTML where JSON was expected).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ApiClient, ApiError, itemsOf } from '../../console/src/api/client.js';
import { freePort, ROOT } from './support.js';

/** The ApiError a call fails with; fails the test when the call succeeds or throws anything else. */
async function failure(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ApiError, `expected an ApiError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the call to fail');
}

describe('console API client', () => {
  let server: Server;
  let base = '';
  const seen: { method: string; url: string; auth?: string; body: string }[] = [];

  before(async () => {
    server = createServer(async (req, res) => {
      let body = '';
      for await (const c of req) body += c;
      seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, body });
      const path = new URL(req.url!, 'http://x').pathname.replace(/^\/stage/, '');
      if (path === '/v1/domains' && req.method === 'POST') {
        res.writeHead(409, { 'content-type': 'application/problem+json' });
        res.end(JSON.stringify({ type: 'x', title: 'Domain already registered', status: 409, detail: 'example.com is already registered', code: 'DOMAIN_TAKEN' }));
      } else if (path === '/v1/suppressions') {
        res.writeHead(404, { 'content-type': 'application/problem+json' });
        res.end(JSON.stringify({ title: 'Not found', status: 404, detail: 'No route GET /v1/suppressions; GET /v1/openapi.json lists them', code: 'NOT_FOUND' }));
      } else if (path === '/v1/messages/nope') {
        res.writeHead(404, { 'content-type': 'application/problem+json' });
        res.end(JSON.stringify({ title: 'Not found', status: 404, detail: 'No message nope', code: 'NOT_FOUND' }));
      } else if (path === '/v1/html') {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<!doctype html><p>console</p>');
      } else if (path === '/v1/throttled') {
        res.writeHead(429, { 'content-type': 'application/json' });
        res.end('{"message":"Too Many Requests"}');
      } else if (path === '/v1/bare') {
        res.writeHead(503);
        res.end();
      } else if (path === '/v1/users/a%40b.test/password') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ username: 'a@b.test', password: 'pw' }));
      } else {
        res.writeHead(204);
        res.end();
      }
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/stage`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((ok) => server.close(() => ok()));
  });

  it('sends the bearer token in the header and the query in the URL, under the configured base path', async () => {
    const api = new ApiClient(base, () => 'rgt_secret');
    await api.get('/v1/messages', { sender: 'a+b@x.test', verdict: undefined, limit: 50 });
    const last = seen.at(-1)!;
    assert.equal(last.url, '/stage/v1/messages?sender=a%2Bb%40x.test&limit=50');
    assert.equal(last.auth, 'Bearer rgt_secret');
    assert.ok(!last.url.includes('rgt_secret'));
  });

  it('turns a problem+json answer into its title and detail', async () => {
    const api = new ApiClient(base, () => 't');
    const err = await failure(api.post('/v1/domains', { domain: 'example.com' }));
    assert.equal(err.message, 'Domain already registered: example.com is already registered');
    assert.equal(err.code, 'DOMAIN_TAKEN');
    assert.equal(err.notAvailable, false);
    assert.equal(seen.at(-1)!.body, '{"domain":"example.com"}');
  });

  it('tells a missing route (not available) from a missing record (not found)', async () => {
    const api = new ApiClient(base, () => 't');
    const missingRoute = await failure(api.get('/v1/suppressions'));
    const missingRecord = await failure(api.get('/v1/messages/nope'));
    const html = await failure(api.get('/v1/html'));
    assert.equal(missingRoute.notAvailable, true);
    assert.equal(missingRecord.notAvailable, false);
    assert.equal(missingRecord.message, 'Not found: No message nope');
    assert.equal(html.notAvailable, true);
  });

  it('words API Gateway\'s own answers, which carry a message instead of a problem', async () => {
    const api = new ApiClient(base, () => 't');
    const err = await failure(api.get('/v1/throttled'));
    assert.equal(err.message, 'Too many requests; wait a moment and try again: Too Many Requests');
    assert.equal(err.status, 429);
  });

  it('words a bare status and an unreachable server', async () => {
    const api = new ApiClient(base, () => 't');
    const bare = await failure(api.get('/v1/bare'));
    assert.equal(bare.message, 'The gateway is temporarily unavailable');
    const port = await freePort();
    const down = new ApiClient(`http://127.0.0.1:${port}`, () => 't');
    const err = await failure(down.get('/v1/me'));
    assert.equal(err.status, 0);
    assert.match(err.message, /^Could not reach the API: GET http:\/\/127\.0\.0\.1:\d+\/v1\/me failed/);
  });

  it('signs out on a 401 for the stored token', async () => {
    let signedOut = 0;
    const api = new ApiClient(base, () => 't', () => { signedOut++; });
    const unauthorized = createServer((_req, res) => { res.writeHead(401, { 'content-type': 'application/problem+json' }); res.end('{"title":"Missing or invalid token","status":401,"detail":"Unknown token","code":"UNAUTHORIZED"}'); });
    await new Promise<void>((ok) => unauthorized.listen(0, '127.0.0.1', ok));
    try {
      const other = new ApiClient(`http://127.0.0.1:${(unauthorized.address() as AddressInfo).port}`, () => 't', () => { signedOut++; });
      const err = await failure(other.get('/v1/me'));
      assert.equal(err.message, 'Missing or invalid token: Unknown token');
      assert.equal(signedOut, 1);
      await api.get('/v1/anything');
      assert.equal(signedOut, 1);
    } finally {
      unauthorized.closeAllConnections();
      await new Promise<void>((ok) => unauthorized.close(() => ok()));
    }
  });

  it('escapes path segments and reads lists in either shape', async () => {
    const api = new ApiClient(base, () => 't');
    const creds = await api.post<{ username: string }>(`/v1/users/${encodeURIComponent('a@b.test')}/password`);
    assert.equal(creds.username, 'a@b.test');
    assert.deepEqual(itemsOf([1, 2]), [1, 2]);
    assert.deepEqual(itemsOf({ items: [3] }), [3]);
    assert.deepEqual(itemsOf(undefined), []);
  });
});

describe('console source', () => {
  it('type-checks under its own tsconfig with the DOM types', () => {
    const res = spawnSync(process.execPath, [`${ROOT}/node_modules/typescript/bin/tsc`, '--noEmit', '-p', `${ROOT}/console/tsconfig.json`], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(res.status, 0, `${res.stdout}${res.stderr}`);
  });
});
