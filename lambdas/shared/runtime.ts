// What every pipeline Lambda shares, built once per cold start: Powertools
// logger and metrics, the AWS stores from the environment the CDK app sets,
// and the PipelineDeps the core functions take.
import { systemClock, type Transport } from '../../core/ports.js';
import { DEFAULT_PIPELINE_CONFIG, type PipelineDeps } from '../../core/pipeline/deps.js';
import { clientOptionsFromEnv, retentionSecondsFromEnv } from '../../adapters/aws/env.js';
import { openAwsStores, resourcesFromEnv, type AwsStores } from '../../adapters/aws/index.js';

export { logger, metrics } from './powertools.js';

let stores: AwsStores | undefined;

export function awsStores(): AwsStores {
  return (stores ??= openAwsStores(resourcesFromEnv(), clientOptionsFromEnv(), systemClock));
}

/** A transport for functions that never deliver (score): any use is a wiring bug. */
export const noTransport: Transport = {
  async send() { throw new Error('this function does not deliver mail'); },
};

export function pipelineDeps(transport: Transport = noTransport): PipelineDeps {
  const s = awsStores();
  return {
    clock: systemClock,
    config: { ...DEFAULT_PIPELINE_CONFIG, hostname: process.env.RELAY_HOSTNAME ?? DEFAULT_PIPELINE_CONFIG.hostname, retentionSeconds: retentionSecondsFromEnv() ?? DEFAULT_PIPELINE_CONFIG.retentionSeconds },
    spool: s.spool, tenants: s.tenants, messages: s.messages, senders: s.senders, suppressions: s.suppressions, campaigns: s.campaigns, intake: s.intake,
    scoreQueue: s.scoreQueue, deliverQueue: s.deliverQueue, transport,
  };
}

/** Receives after which SQS moves a job to the DLQ (the queue's maxReceiveCount). */
export function maxReceives(): number {
  return Number(process.env.MAX_RECEIVES ?? 5);
}
