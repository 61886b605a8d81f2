// The store contract against the AWS adapters, through the real AWS SDK v3
// clients, on DynamoDB Local and fauxqs (S3 + SQS) started once for this file.
import { after, before, describe } from 'node:test';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { openAwsStores, type AwsResources } from '../../adapters/aws/index.js';
import type { ScoreJob } from '../../core/ports.js';
import { createAwsClients, createResources, startEmulators, type EmulatorSet } from '../aws/emulators.js';
import { storesContract } from './suite.js';
import type { ContractStores, TestClock } from './factory.js';

let emulators: EmulatorSet;

function open(res: AwsResources, clock: TestClock): ContractStores {
  // The contract's messages carry fixed dates months back; with the default 30-day retention their TTL would
  // already have passed, and DynamoDB Local may delete expired items whenever its sweeper runs.
  const s = openAwsStores({ ...res, retentionSeconds: 20 * 365 * 86400 }, emulators.clientOptions, clock);
  return {
    ...s,
    async receiveScoreJobs() {
      const out = await s.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: res.scoreQueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      return (out.Messages ?? []).map((m) => JSON.parse(m.Body!) as ScoreJob);
    },
    reopen: async () => open(res, clock),
    close: async () => s.close(),
  };
}

describe('AWS adapters (DynamoDB Local, fauxqs S3 and SQS)', () => {
  before(async () => { emulators = await startEmulators(); }, { timeout: 120_000 });
  after(async () => { await emulators?.stop(); }, { timeout: 30_000 });
  storesContract(async (clock) => {
    const admin = createAwsClients(emulators.clientOptions);
    try {
      return open(await createResources(admin), clock);
    } finally { admin.destroy(); }
  });
});
