// The API Gateway token authorizer on DynamoDB Local: the handler as the
// runtime calls it (stores from the environment). API Gateway answers 401
// only for the error message "Unauthorized" and 500 for any other, so an
// unknown token must be "Unauthorized" and a failing token lookup must not.
import { after, before, describe, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent, Context } from 'aws-lambda';
import { CreateTableCommand, DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { createDocumentClient, type DocumentClient } from '../../adapters/aws/dynamo/client.js';
import { tableDefinition } from '../../adapters/aws/dynamo/layout.js';
import { DynamoTenantStore } from '../../adapters/aws/dynamo/tenant-store.js';
import { DEFAULT_TENANT_SETTINGS } from '../../core/settings.js';
import { hashToken } from '../../core/tenants/password.js';
import { DUMMY_CREDENTIALS, startDynamoDbLocal, type Emulator } from './emulators.js';
import { lambdaContext } from './lambda-context.js';

const methodArn = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/v1/messages';
const event = (authorizationToken: string): APIGatewayTokenAuthorizerEvent => ({ type: 'TOKEN', authorizationToken, methodArn });

let ddb: Emulator;
let admin: DocumentClient;
let table: string;
let handler: (e: APIGatewayTokenAuthorizerEvent, c: Context) => Promise<APIGatewayAuthorizerResult>;
let logger: typeof import('../../lambdas/shared/powertools.js').logger;

/** The message of what the handler threw: "Unauthorized" is API Gateway's 401, anything else its 500. */
async function rejection(token: string): Promise<string> {
  const err = await handler(event(token), lambdaContext('relayguard-authorizer')).then(
    () => assert.fail('the authorizer allowed the request'),
    (e: unknown) => e as Error,
  );
  return err.message;
}

describe('API Gateway token authorizer (DynamoDB Local)', () => {
  before(async () => {
    ddb = await startDynamoDbLocal();
    admin = createDocumentClient({ region: 'us-east-1', credentials: DUMMY_CREDENTIALS, endpoints: { dynamodb: ddb.endpoint } });
    table = `relayguard-authz-${process.pid}`;
    await admin.db.send(new CreateTableCommand(tableDefinition(table)));
    await new DynamoTenantStore(admin.db, table).createTenant({
      id: 't1', name: 'T1', tokenHash: hashToken('tenant-token'), ipUserQuota: 1, settings: { ...DEFAULT_TENANT_SETTINGS }, createdAt: new Date().toISOString(),
    });
    Object.assign(process.env, {
      AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_ENDPOINT_URL_DYNAMODB: ddb.endpoint,
      TABLE_NAME: table, OPERATOR_TOKEN_SHA256: hashToken('op-token'), POWERTOOLS_LOG_LEVEL: 'CRITICAL',
    });
    ({ handler } = await import('../../lambdas/authorizer.js'));
    ({ logger } = await import('../../lambdas/shared/powertools.js'));
  }, { timeout: 120_000 });
  after(async () => { admin?.destroy(); await ddb?.stop(); }, { timeout: 30_000 });

  test('a tenant token is allowed for the whole stage, and the operator token as the operator', async () => {
    const out = await handler(event('Bearer tenant-token'), lambdaContext());
    assert.equal(out.principalId, 'tenant:t1');
    assert.deepEqual(out.context, { role: 'tenant', tenantId: 't1' });
    assert.deepEqual(out.policyDocument.Statement, [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/*' }]);
    assert.equal((await handler(event('Bearer op-token'), lambdaContext())).principalId, 'operator');
  });

  test('an unknown, malformed or missing token is "Unauthorized" (401) and logs nothing', async () => {
    const logged = mock.method(logger, 'error');
    try {
      for (const token of ['Bearer wrong', 'tenant-token', 'Basic dXNlcjpwYXNz', '']) assert.equal(await rejection(token), 'Unauthorized', `token ${JSON.stringify(token)}`);
      assert.equal(logged.mock.callCount(), 0);
    } finally {
      logged.mock.restore();
    }
  });

  test('a token lookup on a table that is gone is a 500, never "Unauthorized", and is logged as AUTHORIZER_FAILED', async () => {
    await admin.db.send(new DeleteTableCommand({ TableName: table }));
    const logged = mock.method(logger, 'error');
    try {
      for (const token of ['Bearer tenant-token', 'Bearer wrong']) {
        const message = await rejection(token);
        assert.notEqual(message, 'Unauthorized', `token ${JSON.stringify(token)}`);
        assert.match(message, /^AUTHORIZER_FAILED/);
      }
      assert.equal(logged.mock.callCount(), 2);
      const [code, fields] = logged.mock.calls[0]!.arguments as [string, { error: Error }];
      assert.equal(code, 'AUTHORIZER_FAILED');
      assert.match(fields.error.name, /ResourceNotFoundException/);
      // The operator token is compared with its hash before any lookup: still allowed.
      assert.equal((await handler(event('Bearer op-token'), lambdaContext())).principalId, 'operator');
      // A malformed token needs no lookup: still the 401.
      assert.equal(await rejection('Basic dXNlcjpwYXNz'), 'Unauthorized');
    } finally {
      logged.mock.restore();
    }
  });

  test('a token lookup while DynamoDB is unreachable is a 500, never "Unauthorized"', { timeout: 60_000 }, async () => {
    await ddb.stop();
    const logged = mock.method(logger, 'error');
    try {
      assert.match(await rejection('Bearer tenant-token'), /^AUTHORIZER_FAILED/);
      assert.equal(logged.mock.callCount(), 1);
      assert.equal(logged.mock.calls[0]!.arguments[0], 'AUTHORIZER_FAILED');
    } finally {
      logged.mock.restore();
    }
  });
});
