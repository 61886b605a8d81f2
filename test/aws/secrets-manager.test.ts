// The webhook server secret's source on AWS. No Secrets Manager emulator is
// available offline, so the adapter (one GetSecretValue call through the real
// SDK v3 client) is run against a loopback stand-in that answers that one
// operation of the service's JSON protocol and records what it was asked;
// the wiring that uses the secret is covered end to end in pipeline-e2e.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { secretSourceFromEnv, webhookSigning } from '../../adapters/aws/webhook-secret.js';
import { startWebhookReceiver } from '../helpers/webhook-receiver.js';
import type { Tenant } from '../../core/model.js';
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

describe('the AWS webhook notifier', () => {
  const tenant = (webhookUrl: string) => ({ id: 't1', name: 'T1', settings: { webhookUrl } }) as unknown as Tenant;
  const source = () => ({ read: async () => VALUE });

  test('on AWS (no emulator endpoints) a tenant webhook pointing at loopback or a private address of the VPC is refused', async () => {
    const receiver = await startWebhookReceiver();
    try {
      const notifier = webhookSigning(source, { AWS_REGION: 'eu-west-1', WEBHOOK_SECRET_ARN: ARN }).notifier({ maxAttempts: 3, timeoutMs: 1000 });
      await assert.rejects(notifier.notify(tenant(receiver.url), { type: 'sender.locked', detail: {} }), /webhook destination refused: 127\.0\.0\.1 is a loopback address/);
      await assert.rejects(notifier.notify(tenant('http://10.0.12.34:8080/hook'), { type: 'sender.locked', detail: {} }), /webhook destination refused/);
      assert.equal(notifier.last?.attempts, 1, 'refused at once, not retried');
      assert.deepEqual(receiver.posts, []);
    } finally { await receiver.close(); }
  });

  test('only WEBHOOK_ALLOW_PRIVATE_NETWORKS=true lets a run reach a receiver on loopback; emulator endpoints alone do not', async () => {
    const receiver = await startWebhookReceiver();
    try {
      await webhookSigning(source, { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' }).notifier().notify(tenant(receiver.url), { type: 'sender.locked', detail: {} });
      assert.equal(receiver.posts.length, 1);
      for (const env of [{ AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000' }, { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'false' }, { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'yes please' }]) {
        const denied = webhookSigning(source, env).notifier();
        await assert.rejects(denied.notify(tenant(receiver.url), { type: 'sender.locked', detail: {} }), /webhook destination refused/, JSON.stringify(env));
      }
      assert.equal(receiver.posts.length, 1);
    } finally { await receiver.close(); }
  });
});
