// The webhook server secret's source on AWS. No Secrets Manager emulator is
// available offline, so the adapter (one GetSecretValue call through the real
// SDK v3 client) is run against a loopback stand-in that answers that one
// operation of the service's JSON protocol and records what it was asked;
// the wiring that uses the secret is covered end to end in pipeline-e2e.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { secretSourceFromEnv } from '../../adapters/aws/webhook-secret.js';
import { secretsManagerSecret } from '../../adapters/aws/secrets-manager.js';
import { DUMMY_CREDENTIALS } from './emulators.js';
import { startSecretsStandIn, type SecretsStandIn } from './secrets-stand-in.js';

const ARN = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:relayguard-webhook-AbCdEf';
const VALUE = 'k3TqT8o0sVvJm1YbE4x9w2ZrLhQ6nPcAaUdFgR5s7DiBfH0e';

let standIn: SecretsStandIn;
let endpoint = '';

before(async () => {
  standIn = await startSecretsStandIn({ [ARN]: VALUE });
  endpoint = standIn.endpoint;
});
after(() => standIn.close());

describe('the webhook server secret source', () => {
  test('WEBHOOK_SECRET_ARN is read from Secrets Manager with one GetSecretValue of that secret', async () => {
    standIn.asked.length = 0;
    const source = secretSourceFromEnv({
      WEBHOOK_SECRET_ARN: ARN, WEBHOOK_SECRET: 'ignored-when-an-arn-is-set', AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint,
    });
    // Credentials are not taken from the env given above: the SDK's default credential chain reads the process environment.
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: DUMMY_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: DUMMY_CREDENTIALS.secretAccessKey });
    assert.equal(await source.read(), VALUE);
    assert.deepEqual(standIn.asked, [{ target: 'secretsmanager.GetSecretValue', body: { SecretId: ARN } }]);
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
