// The API Gateway adapter (lambdas/api.ts toApiRequest) answers a request
// body exactly as the local node:http adapter does: the same status and the
// same problem body for an oversized body, a body that is not JSON, and a
// malformed one. Each case is sent to both, the local one over real HTTP, on
// the same real stores.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, test } from 'node:test';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { createApi, type Api } from '../../api/handler.js';
import { hashToken } from '../../core/tenants/password.js';
import { toApiRequest } from '../../lambdas/api.js';
import { OPERATOR_TOKEN, startHarness, type Harness } from './harness.js';

let h: Harness;
let api: Api;
before(async () => {
  h = await startHarness();
  api = createApi({
    clock: h.clock, tenants: h.stores.tenants, messages: h.stores.messages, senders: h.stores.senders, spool: h.stores.spool,
    deliverQueue: h.stores.deliverQueue, operatorTokenHash: hashToken(OPERATOR_TOKEN), smtpHost: 'smtp.relay.test', smtpPort: 587,
  });
});
after(async () => { await h.stop(); });

async function viaLambda(body: string, contentType: string | undefined, base64 = false): Promise<number> {
  const event = {
    httpMethod: 'POST', path: '/v1/tenants', queryStringParameters: null, isBase64Encoded: base64,
    headers: { Authorization: `Bearer ${OPERATOR_TOKEN}`, ...(contentType ? { 'Content-Type': contentType } : {}) },
    body: base64 ? Buffer.from(body).toString('base64') : body,
  } as unknown as APIGatewayProxyEvent;
  const req = toApiRequest(event);
  return 'status' in req ? req.status : (await api(req)).status;
}

const CASES: { what: string; body: string; type?: string; status: number }[] = [
  { what: 'JSON', body: '{"name":"Same Co"}', type: 'application/json; charset=utf-8', status: 201 },
  { what: 'JSON without a content type', body: '{"name":"Same Co"}', status: 201 },
  { what: 'a +json media type', body: '{"name":"Same Co"}', type: 'application/merge-patch+json', status: 201 },
  { what: 'a form body', body: 'name=Same+Co', type: 'application/x-www-form-urlencoded', status: 415 },
  { what: 'JSON declared as text', body: '{"name":"Same Co"}', type: 'text/plain', status: 415 },
  { what: 'malformed JSON', body: '{"name":', type: 'application/json', status: 400 },
  { what: 'a blank body', body: '  ', type: 'application/json', status: 400 },
  { what: 'a body over 1 MiB', body: JSON.stringify({ name: 'x'.repeat(1024 * 1024) }), type: 'application/json', status: 413 },
];

for (const c of CASES) {
  test(`${c.what}: ${c.status} from the local adapter and from the Lambda`, async () => {
    const local = await h.call('POST', '/v1/tenants', { token: OPERATOR_TOKEN, rawBody: c.body, headers: c.type ? { 'content-type': c.type } : {} });
    assert.equal(local.status, c.status, 'local adapter');
    assert.equal(await viaLambda(c.body, c.type), c.status, 'Lambda');
    assert.equal(await viaLambda(c.body, c.type, true), c.status, 'Lambda, base64 body');
  });
}

test('the Lambda answers 413 and 415 as problems with their own status', () => {
  const event = (body: string, type: string) => ({ httpMethod: 'POST', path: '/v1/tenants', headers: { 'content-type': type }, body, isBase64Encoded: false }) as unknown as APIGatewayProxyEvent;
  const form = toApiRequest(event('a=b', 'application/x-www-form-urlencoded'));
  assert.ok('status' in form);
  assert.equal(form.headers['content-type'], 'application/problem+json');
  assert.deepEqual([form.status, (form.body as { status: number }).status, (form.body as { code: string }).code], [415, 415, 'VALIDATION']);
  const big = toApiRequest(event(`"${'x'.repeat(1024 * 1024)}"`, 'application/json'));
  assert.ok('status' in big);
  assert.deepEqual([big.status, (big.body as { code: string }).code], [413, 'MESSAGE_TOO_BIG']);
});

/** What both adapters answer before any route runs, field for field (api/json-body.ts). */
const PROBLEMS: { what: string; body: string; type: string; status: number; problem: Record<string, unknown> }[] = [
  {
    what: 'a form body', body: 'name=Same+Co', type: 'application/x-www-form-urlencoded', status: 415,
    problem: {
      type: 'https://relayguard.dev/errors/validation', title: 'Unsupported media type', status: 415,
      detail: 'Send JSON with Content-Type: application/json (got application/x-www-form-urlencoded)', code: 'VALIDATION',
    },
  },
  {
    what: 'malformed JSON', body: '{"name":', type: 'application/json', status: 400,
    problem: { type: 'https://relayguard.dev/errors/validation', title: 'Invalid request', status: 400, detail: 'The request body is not valid JSON', code: 'VALIDATION' },
  },
  {
    what: 'a body over 1 MiB', body: JSON.stringify({ name: 'x'.repeat(1024 * 1024) }), type: 'application/json', status: 413,
    problem: { type: 'https://relayguard.dev/errors/message_too_big', title: 'Message too big', status: 413, detail: 'Request bodies are limited to 1048576 bytes', code: 'MESSAGE_TOO_BIG' },
  },
];

function lambdaProblem(body: string, type: string): { status: number; contentType: string | undefined; body: unknown } {
  const req = toApiRequest({
    httpMethod: 'POST', path: '/v1/tenants', queryStringParameters: null, isBase64Encoded: false,
    headers: { Authorization: `Bearer ${OPERATOR_TOKEN}`, 'Content-Type': type }, body,
  } as unknown as APIGatewayProxyEvent);
  assert.ok('status' in req, 'the Lambda answers before any route runs');
  return { status: req.status, contentType: req.headers['content-type'], body: req.body };
}

/** A POST whose body is sent chunked, without Content-Length: the local adapter only learns its size while reading. */
function postChunked(body: string, type: string): Promise<{ status: number; contentType: string | undefined; body: unknown }> {
  const url = new URL('/v1/tenants', h.base);
  return new Promise((done, fail) => {
    const req = request({
      host: url.hostname, port: Number(url.port), path: url.pathname, method: 'POST',
      headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': type, 'transfer-encoding': 'chunked' },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c) => { text += c; })
        .on('end', () => done({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], body: JSON.parse(text) }));
    });
    // The server may answer 413 and close before the whole body is written.
    req.on('error', (err: NodeJS.ErrnoException) => { if (err.code !== 'EPIPE' && err.code !== 'ECONNRESET') fail(err); });
    for (let i = 0; i < body.length; i += 64 * 1024) req.write(body.slice(i, i + 64 * 1024));
    req.end();
  });
}

for (const c of PROBLEMS) {
  test(`${c.what}: the local adapter answers the Lambda's exact problem body`, async () => {
    const expected = { status: c.status, contentType: 'application/problem+json', body: c.problem };
    assert.deepEqual(lambdaProblem(c.body, c.type), expected, 'Lambda');
    const local = await h.call('POST', '/v1/tenants', { token: OPERATOR_TOKEN, rawBody: c.body, headers: { 'content-type': c.type } });
    assert.deepEqual({ status: local.status, contentType: local.headers.get('content-type') ?? undefined, body: local.body }, expected, 'local adapter, Content-Length');
    assert.deepEqual(await postChunked(c.body, c.type), expected, 'local adapter, chunked');
  });
}
