// The OpenAPI document against the running server: every operation it lists
// is called over real HTTP without a token, with the other kind of token,
// with an unknown one, with a body that is not JSON and with a valid token,
// and every status the server answers must be one the operation declares.
// Error answers must be problem+json; success bodies must match the declared
// schema. The Lambda adapter must treat a request's body as the local one.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { allRoutes } from '../../api/routes.js';
import { toApiRequest } from '../../lambdas/api.js';
import { OPERATOR_TOKEN, startHarness, type Harness, type Reply } from './harness.js';

let h: Harness;
let doc: any;
let tenantToken: string;
before(async () => {
  h = await startHarness();
  doc = (await h.call('GET', '/v1/openapi.json')).body;
  tenantToken = (await h.tenant('Walker')).token;
});
after(async () => { await h.stop(); });

const routes = allRoutes(() => ({}));
const operations = () => Object.entries<Record<string, any>>(doc.paths)
  .flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ path, method: method.toUpperCase(), op })));

function assertDeclared(where: string, op: any, r: Reply): void {
  assert.ok(Object.hasOwn(op.responses, String(r.status)), `${where}: answered ${r.status}, which the document does not declare (${Object.keys(op.responses).join(', ')}); ${JSON.stringify(r.body)}`);
  if (r.status < 400) return;
  assert.match(r.headers.get('content-type') ?? '', /^application\/problem\+json/, `${where}: ${r.status} is not problem+json`);
  if (r.headers.get('content-length') === '0' || r.body === '') return;
  for (const k of ['type', 'title', 'detail']) assert.equal(typeof r.body[k], 'string', `${where}: problem without ${k}`);
  assert.equal(r.body.status, r.status, `${where}: problem status`);
}

test('every status the server answers for an operation is declared in the document', async () => {
  const ops = operations();
  assert.ok(ops.length >= 30);
  for (const { path, method, op } of ops) {
    const url = path.replace(/\{\w+\}/g, 'nothing-here');
    const secured = op.security.length > 0;
    const wrongKind = op.security[0]?.operatorToken ? tenantToken : OPERATOR_TOKEN;
    const rightKind = op.security[0]?.operatorToken ? OPERATOR_TOKEN : tenantToken;
    const calls: [string, Parameters<Harness['call']>[2]][] = [['as sent', {}]];
    if (secured) calls.push(['no token', {}], ['unknown token', { token: 'rgt_unknown' }], ['other kind of token', { token: wrongKind }], ['valid token', { token: rightKind }]);
    if (method === 'POST' || method === 'PATCH') {
      calls.push(['a text body', { ...(secured ? { token: rightKind } : {}), rawBody: 'hello', headers: { 'content-type': 'text/plain' } }]);
      calls.push(['an empty JSON object', { ...(secured ? { token: rightKind } : {}), body: {} }]);
    }
    for (const [what, opts] of calls) {
      assertDeclared(`${method} ${path} (${what})`, op, await h.call(method, url, opts));
    }
  }
});

test('success answers to the operations without inputs match their declared schemas', async () => {
  let checked = 0;
  for (const route of routes) {
    if (route.method !== 'GET' || route.params || route.path === '/v1/openapi.json') continue;
    const token = route.auth === 'operator' ? OPERATOR_TOKEN : route.auth === 'tenant' ? tenantToken : undefined;
    const r = await h.call('GET', route.path, token ? { token } : {});
    if (r.status >= 400) continue; // an optional part the harness does not wire (suppressions); the test above covers its status
    const schema = route.responses[r.status]?.schema;
    assert.ok(schema, `GET ${route.path}: ${r.status} has no declared schema`);
    const parsed = schema.safeParse(r.body);
    assert.ok(parsed.success, `GET ${route.path}: ${JSON.stringify(parsed.error?.issues)}`);
    checked++;
  }
  assert.ok(checked >= 8, `checked ${checked}`);
});

test('the Lambda ignores the body of a GET, HEAD or DELETE and answers HEAD as GET, as the local adapter does', async () => {
  const event = (httpMethod: string) => ({
    httpMethod, path: '/v1/me', queryStringParameters: null, isBase64Encoded: false,
    headers: { authorization: `Bearer ${tenantToken}`, 'content-type': 'text/plain' }, body: 'hello',
  }) as unknown as APIGatewayProxyEvent;
  const local = await h.call('DELETE', '/v1/ip-users/ip_none', { token: tenantToken, rawBody: 'hello', headers: { 'content-type': 'text/plain' } });
  assert.equal(local.status, 404, 'the local adapter does not read a DELETE body');
  for (const method of ['GET', 'DELETE', 'HEAD']) {
    const req = toApiRequest(event(method));
    assert.ok(!('status' in req), `${method}: the Lambda answered ${'status' in req ? req.status : ''} for a body the local adapter never reads`);
    assert.equal(req.body, undefined);
    if (method === 'HEAD') assert.equal(req.method, 'GET', 'HEAD is answered as GET, as locally');
  }
  const post = toApiRequest({ ...event('POST'), path: '/v1/domains' });
  assert.ok('status' in post && post.status === 415, 'a POST body is still decoded');
});
