// Builds both stacks into an app; shared by cdk/app.ts and the tests.
import type { App, Environment } from 'aws-cdk-lib';
import type { RelayguardConfig } from './config.js';
import { RelayguardDataStack } from './stacks/data-stack.js';
import { RelayguardServiceStack } from './stacks/service-stack.js';

export function buildRelayguard(app: App, config: RelayguardConfig, opts: { env?: Environment } = {}) {
  const data = new RelayguardDataStack(app, 'RelayguardData', {
    ...opts, description: 'Relayguard state: spool bucket, DynamoDB tables, SQS queues (retained)',
    storage: { retentionDays: config.retentionDays },
  });
  const service = new RelayguardServiceStack(app, 'RelayguardService', {
    ...opts, description: 'Relayguard services: SMTP ingress on Fargate, pipeline Lambdas, API, console, monitoring',
    storage: data.storage, config,
  });
  return { data, service };
}
