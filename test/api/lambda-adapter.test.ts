// The API Gateway adapter (lambdas/api.ts toApiRequest) answers a request
// body exactly as the local node:http adapter does: the same status for an
// oversized body, a body that is not JSON, and a malformed one. Each case is
// sent to both, the local one over real HTTP, on the same real stores.
import assert from 'node:assert/strict';
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
