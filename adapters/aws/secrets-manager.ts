// The server secret from AWS Secrets Manager: one GetSecretValue call. Its
// own file, so only the functions that read a secret bundle this client.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SecretSource } from '../../core/notify/webhook-key.js';
import type { AwsClientOptions } from './clients.js';
import { sdkConfig } from './sdk-config.js';

/** The string value of secret `secretId` (its ARN or name); pointed at an emulator when `endpoints.secretsManager` is set. */
export function secretsManagerSecret(secretId: string, opts: AwsClientOptions = {}): SecretSource {
  const client = new SecretsManagerClient(sdkConfig(opts, opts.endpoints?.secretsManager));
  return {
    async read() {
      const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
      if (!out.SecretString) throw new Error(`secret ${secretId} has no string value`);
      return out.SecretString;
    },
  };
}
