// Synthesizes the Relayguard app once per configuration for the CDK tests:
// no bundling (asset placeholders), no CloudFormation schema validation, so a
// synth takes seconds. Templates are shared by every assertion in a file.
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { parseConfig } from '../../cdk/config.js';
import { buildRelayguard } from '../../cdk/relayguard.js';

process.env.CDK_VALIDATION = 'false';

export interface Synthesized {
  app: App;
  data: Template;
  service: Template;
}

export function synthRelayguard(context: Record<string, unknown> = {}, account?: string): Synthesized {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const { data, service } = buildRelayguard(app, parseConfig(context), { env: { region: 'eu-west-1', ...(account ? { account } : {}) } });
  return { app, data: Template.fromStack(data), service: Template.fromStack(service) };
}
