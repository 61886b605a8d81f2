// The OpenAPI document is generated from the route table and the schemas the
// handler validates with; these tests check it is a usable OpenAPI 3.1
// document that lists every route and whose references all resolve.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { allRoutes } from '../../api/routes.js';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
let doc: any;
before(async () => {
  h = await startHarness();
  const r = await h.call('GET', '/v1/openapi.json');
  assert.equal(r.status, 200);
  doc = r.body;
});
after(async () => { await h.stop(); });

const REQUIRED: [string, string][] = [
  ['get', '/healthz'], ['post', '/v1/tenants'], ['get', '/v1/tenants'], ['patch', '/v1/tenants/{id}'],
  ['post', '/v1/domains'], ['get', '/v1/domains'], ['get', '/v1/domains/{domain}'], ['delete', '/v1/domains/{domain}'],
  ['post', '/v1/users'], ['get', '/v1/users'], ['post', '/v1/users/{username}/password'], ['delete', '/v1/users/{username}'],
  ['post', '/v1/ip-users'], ['get', '/v1/ip-users'], ['delete', '/v1/ip-users/{id}'],
  ['get', '/v1/senders'], ['post', '/v1/senders/{sender}/lock'], ['post', '/v1/senders/{sender}/unlock'],
  ['get', '/v1/messages'], ['get', '/v1/messages/{id}'], ['post', '/v1/messages/{id}/release'], ['delete', '/v1/messages/{id}'],
  ['get', '/v1/settings'], ['patch', '/v1/settings'], ['get', '/v1/me'], ['get', '/v1/stats'], ['get', '/v1/openapi.json'],
];

test('the document is an OpenAPI 3.1 object with both bearer schemes', () => {
  assert.equal(typeof doc, 'object');
  assert.equal(doc.openapi, '3.1.0');
  assert.equal(typeof doc.info.title, 'string');
  assert.equal(doc.components.securitySchemes.tenantToken.scheme, 'bearer');
  assert.equal(doc.components.securitySchemes.operatorToken.scheme, 'bearer');
});

test('the document passes the OpenAPI 3.1 schema', async () => {
  const validator = new Validator();
  const res = await validator.validate(structuredClone(doc));
  assert.ok(res.valid, JSON.stringify(res.errors, null, 1)?.slice(0, 2000));
  assert.equal(validator.version, '3.1');
});

test('the validator used above rejects a broken document', async () => {
  const broken = structuredClone(doc);
  broken.paths['/v1/domains'].get.responses = 'none';
  assert.equal((await new Validator().validate(broken)).valid, false);
});

test('every route of the table, and every route the issue requires, is in the document', () => {
  const table = allRoutes(() => ({})).map((r) => [r.method.toLowerCase(), r.path] as [string, string]);
  for (const [method, path] of [...table, ...REQUIRED]) {
    assert.ok(doc.paths[path]?.[method], `${method.toUpperCase()} ${path} is missing`);
  }
  const documented = Object.values(doc.paths).reduce((n: number, ops) => n + Object.keys(ops as object).length, 0);
  assert.equal(documented, table.length, 'the document lists nothing the table does not serve');
});

test('each operation has a unique id, its path parameters, a security rule and problem responses', () => {
  const ids = new Set<string>();
  for (const [path, ops] of Object.entries<Record<string, any>>(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const where = `${method.toUpperCase()} ${path}`;
      assert.ok(op.operationId && !ids.has(op.operationId), `${where}: operationId`);
      ids.add(op.operationId);
      const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      assert.deepEqual(op.parameters.filter((p: any) => p.in === 'path').map((p: any) => p.name), names, `${where}: path parameters`);
      assert.ok(Array.isArray(op.security), `${where}: security`);
      if (op.security.length) assert.ok(op.responses['401'], `${where}: documents 401`);
      assert.ok(Object.keys(op.responses).some((s) => s.startsWith('2')), `${where}: a success response`);
    }
  }
});

test('every operation with a body documents the 413 and 415 the server answers it with', async () => {
  const withBody = Object.entries<Record<string, any>>(doc.paths)
    .flatMap(([path, ops]) => Object.entries(ops).filter(([, op]) => op.requestBody).map(([method, op]) => ({ path, method, op })));
  assert.ok(withBody.length >= 8);
  for (const { path, method, op } of withBody) {
    const url = path.replace(/\{\w+\}/g, 'x');
    const where = `${method.toUpperCase()} ${path}`;
    const form = await h.call(method.toUpperCase(), url, { rawBody: 'a=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(form.status, 415, where);
    assert.ok(op.responses['415']?.content['application/problem+json'], `${where}: documents 415`);
    const big = await h.call(method.toUpperCase(), url, { body: { pad: 'x'.repeat(1024 * 1024) } });
    assert.equal(big.status, 413, where);
    assert.ok(op.responses['413']?.content['application/problem+json'], `${where}: documents 413`);
  }
});

test('every $ref points at a schema in components', () => {
  const refs: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) { if (k === '$ref') refs.push(x as string); else walk(x); }
    }
  };
  walk(doc);
  assert.ok(refs.length > 20);
  for (const ref of refs) {
    const m = /^#\/components\/schemas\/(\w+)$/.exec(ref);
    assert.ok(m && doc.components.schemas[m[1]!], `dangling $ref ${ref}`);
  }
});

test('request bodies carry the same constraints the handler enforces', () => {
  const create = doc.components.schemas.CreateIpUserRequest;
  assert.deepEqual(create.required, ['cidr']);
  assert.equal(create.additionalProperties, false);
  const limit = doc.paths['/v1/messages'].get.parameters.find((p: any) => p.name === 'limit');
  assert.deepEqual([limit.in, limit.required, limit.schema.minimum, limit.schema.maximum], ['query', false, 1, 500]);
});
