// The node:http adapter and the handler's edges: JSON parsing and limits,
// unknown routes, methods, the health check, the console's static files.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { problemResponse } from '../../api/problem.js';
import { startHttpServer } from '../../local/http-server.js';
import { expectProblem, startHarness, type Harness } from './harness.js';

let h: Harness;
let staticDir: string;
before(async () => {
  staticDir = mkdtempSync(join(tmpdir(), 'rg-console-'));
  mkdirSync(join(staticDir, 'assets'));
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Relayguard console</title>');
  writeFileSync(join(staticDir, 'assets', 'app-1234.js'), 'console.log("console")');
  writeFileSync(join(tmpdir(), 'rg-outside-secret.txt'), 'do-not-serve-9f3c');
  h = await startHarness({ staticDir });
});
after(async () => {
  await h.stop();
  rmSync(staticDir, { recursive: true, force: true });
  rmSync(join(tmpdir(), 'rg-outside-secret.txt'), { force: true });
});

/** A raw request, for paths fetch would normalise away. */
function rawGet(port: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((done, fail) => {
    const req = request({ host: '127.0.0.1', port: Number(port), path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c) => { body += c; }).on('end', () => done({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', fail).end();
  });
}

/** The status line and body for a request line sent as is (node:http would refuse to send a malformed target). */
function rawRequestLine(port: string, line: string): Promise<{ statusLine: string; body: string }> {
  return new Promise((done, fail) => {
    const socket = connect(Number(port), '127.0.0.1', () => socket.write(`${line}\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`));
    let text = '';
    socket.setEncoding('utf8').on('data', (c) => { text += c; }).on('error', fail)
      .on('end', () => done({ statusLine: text.split('\r\n')[0]!, body: text.slice(text.indexOf('\r\n\r\n') + 4) }));
  });
}

describe('JSON requests', () => {
  test('a malformed JSON body is a 400 problem', async () => {
    const t = await h.tenant();
    const p = expectProblem(await h.call('POST', '/v1/domains', { token: t.token, rawBody: '{"domain": "x.example",' }), 400, 'VALIDATION');
    assert.match(p.detail, /not valid JSON/);
  });

  test('a missing body on a route that needs one is a 400 problem', async () => {
    const t = await h.tenant();
    const p = expectProblem(await h.call('POST', '/v1/domains', { token: t.token }), 400, 'VALIDATION');
    assert.match(p.detail, /JSON body/);
  });

  test('a body over 1 MB is refused with 413', async () => {
    const t = await h.tenant();
    const r = await h.call('POST', '/v1/domains', { token: t.token, body: { domain: 'x'.repeat(1024 * 1024 + 10) } });
    expectProblem(r, 413, 'MESSAGE_TOO_BIG');
  });

  test('a body that is not JSON is refused with 415', async () => {
    const t = await h.tenant();
    const r = await h.call('POST', '/v1/domains', { token: t.token, rawBody: 'domain=x.example', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(r.status, 415);
    assert.equal(r.body.code, 'VALIDATION');
  });
});

describe('routing', () => {
  test('an unknown route is a 404 problem', async () => {
    const p = expectProblem(await h.call('GET', '/v1/nothing-here'), 404, 'NOT_FOUND');
    assert.match(p.detail, /openapi\.json/);
  });

  test('a known path with the wrong method is a 405 problem listing the allowed methods', async () => {
    const r = await h.call('PUT', '/v1/domains');
    assert.equal(r.status, 405);
    assert.equal(r.headers.get('allow'), 'POST, GET');
    assert.equal(r.body.code, 'METHOD_NOT_ALLOWED');
  });

  test('a request target that is no URL path is a 400 problem, not a 500', async () => {
    const port = new URL(h.base).port;
    for (const target of ['//[', 'http://[']) {
      const r = await rawRequestLine(port, `GET ${target} HTTP/1.1`);
      assert.match(r.statusLine, /^HTTP\/1\.1 400 /, target);
      assert.equal(JSON.parse(r.body).code, 'VALIDATION', target);
    }
  });

  test('the health check answers without a token', async () => {
    const r = await h.call('GET', '/healthz');
    assert.equal(r.status, 200);
    assert.equal(r.body.status, 'ok');
  });

  test('responses say nosniff and API responses are not cached', async () => {
    const r = await h.call('GET', '/healthz');
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(r.headers.get('cache-control'), 'no-store');
  });
});

describe('console files', () => {
  test('serves files from the console build and index.html for client-side routes', async () => {
    const asset = await fetch(`${h.base}/assets/app-1234.js`);
    assert.equal(asset.status, 200);
    assert.match(asset.headers.get('content-type') ?? '', /javascript/);
    assert.equal(await asset.text(), 'console.log("console")');
    for (const path of ['/', '/quarantine/m123']) {
      const page = await fetch(h.base + path);
      assert.equal(page.status, 200, path);
      assert.match(await page.text(), /Relayguard console/);
    }
    assert.equal((await fetch(`${h.base}/assets/missing.js`)).status, 404, 'a missing asset is not answered with index.html');
  });

  test('never serves a file outside the console folder', async () => {
    const port = new URL(h.base).port;
    for (const path of ['/../rg-outside-secret.txt', '/%2e%2e/rg-outside-secret.txt', '/assets/..%2f..%2frg-outside-secret.txt']) {
      const r = await rawGet(port, path);
      assert.ok(!r.body.includes('do-not-serve-9f3c'), `${path} leaked a file: ${r.status}`);
    }
  });

  test('API paths are never answered with console files', async () => {
    expectProblem(await h.call('GET', '/v1/unknown'), 404, 'NOT_FOUND');
  });
});

test('an API that throws is answered with the API handler\'s own 500 problem, not a second shape', async () => {
  const server = await startHttpServer({ port: 0, api: async () => { throw new Error('a bug behind the handler'); } });
  const error = console.error;
  console.error = () => undefined;
  try {
    const res = await fetch(`http://127.0.0.1:${server.port}/v1/tenants`);
    assert.equal(res.status, 500);
    assert.equal(res.headers.get('content-type'), 'application/problem+json');
    assert.deepEqual(await res.json(), problemResponse(new Error('any')).body);
  } finally {
    console.error = error;
    await server.close();
  }
});
