// The webhook server secret's source on AWS. No Secrets Manager emulator is
// available offline, so the adapter (one GetSecretValue call through the real
// SDK v3 client) is run against a loopback stand-in that answers that one
// operation of the service's JSON protocol and records what it was asked;
// the wiring that uses the secret is covered end to end in pipeline-e2e.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { secretSourceFromEnv } from '../../adapters/aws/webhook-secret.js';
import { secretsManagerSecret } from '../../adapters/aws/secrets-manager.js';
import { DUMMY_CREDENTIALS } from './emulators.js';

const ARN = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:relayguard-webhook-AbCdEf';
const VALUE = 'k3TqT8o0sVvJm1YbE4x9w2ZrLhQ6nPcAaUdFgR5s7DiBfH0e';

let server: Server;
let endpoint = '';
const asked: { target: string; body: any }[] = [];

before(async () => {
  server = createServer((req, res) => {
    let text = '';
    req.on('data', (d) => (text += d));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const body = JSON.parse(text || '{}');
      asked.push({ target, body });
      res.setHeader('content-type', 'application/x-amz-json-1.1');
      if (target === 'secretsmanager.GetSecretValue' && body.SecretId === ARN) {
        res.end(JSON.stringify({ ARN, Name: 'relayguard-webhook', SecretString: VALUE, VersionId: 'v1', VersionStages: ['AWSCURRENT'] }));
        return;
      }
      res.statusCode = 400;
      res.setHeader('x-amzn-errortype', 'ResourceNotFoundException');
      res.end(JSON.stringify({ __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

describe('the webhook server secret source', () => {
  test('WEBHOOK_SECRET_ARN is read from Secrets Manager with one GetSecretValue of that secret', async () => {
    asked.length = 0;
    const source = secretSourceFromEnv({
      WEBHOOK_SECRET_ARN: ARN, WEBHOOK_SECRET: 'ignored-when-an-arn-is-set', AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint,
      AWS_ACCESS_KEY_ID: DUMMY_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: DUMMY_CREDENTIALS.secretAccessKey,
    });
    // The SDK's default credential chain reads the process environment.
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: DUMMY_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: DUMMY_CREDENTIALS.secretAccessKey });
    assert.equal(await source.read(), VALUE);
    assert.deepEqual(asked, [{ target: 'secretsmanager.GetSecretValue', body: { SecretId: ARN } }]);
  });

  test('a secret that does not exist fails with the service\'s error, not an empty key', async () => {
    const source = secretsManagerSecret(`${ARN}-gone`, { region: 'us-east-1', credentials: DUMMY_CREDENTIALS, endpoints: { secretsManager: endpoint } });
    await assert.rejects(source.read(), (err: Error) => err.name === 'ResourceNotFoundException');
  });

  test('WEBHOOK_SECRET gives the secret itself, for runs against emulators', async () => {
    assert.equal(await secretSourceFromEnv({ WEBHOOK_SECRET: 'from-env' }).read(), 'from-env');
  });

  test('with neither variable set the function refuses to guess, naming what the CDK app sets', () => {
    assert.throws(() => secretSourceFromEnv({}), /WEBHOOK_SECRET_ARN is required/);
  });
});
