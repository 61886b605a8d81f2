// Reads AWS client options from the environment; no SDK import, so functions
// that need only DynamoDB do not pull the other clients into their bundles.
import type { AwsClientOptions } from './clients.js';

/**
 * Client options from the environment. On AWS this is just the region; the
 * SDK's standard per-service endpoint variables (AWS_ENDPOINT_URL_DYNAMODB,
 * _S3, _SQS, _SESV2, _SECRETS_MANAGER) point the handlers at emulators in the end-to-end test.
 */
export function clientOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): AwsClientOptions {
  const endpoints = {
    ...(env.AWS_ENDPOINT_URL_DYNAMODB ? { dynamodb: env.AWS_ENDPOINT_URL_DYNAMODB } : {}),
    ...(env.AWS_ENDPOINT_URL_S3 ? { s3: env.AWS_ENDPOINT_URL_S3 } : {}),
    ...(env.AWS_ENDPOINT_URL_SQS ? { sqs: env.AWS_ENDPOINT_URL_SQS } : {}),
    ...(env.AWS_ENDPOINT_URL_SESV2 ? { ses: env.AWS_ENDPOINT_URL_SESV2 } : {}),
    ...(env.AWS_ENDPOINT_URL_SECRETS_MANAGER ? { secretsManager: env.AWS_ENDPOINT_URL_SECRETS_MANAGER } : {}),
  };
  return { ...(env.AWS_REGION ? { region: env.AWS_REGION } : {}), ...(Object.keys(endpoints).length ? { endpoints } : {}) };
}

/** Message-log retention from RETENTION_DAYS (days, set by the CDK app); undefined when unset, so the default applies. */
export function retentionSecondsFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  return env.RETENTION_DAYS ? Number(env.RETENTION_DAYS) * 86400 : undefined;
}
