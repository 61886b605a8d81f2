// The setup the deadline tests of the Lambdas share: the emulators (DynamoDB
// Local, fauxqs), a scripted receiving server on loopback as the direct-MX
// smarthost, the Lambdas' environment pointing at both, and the stores.
// The Lambdas are imported by the tests after `openDirectMxLambdaHarness`
// has set the environment they read at import.
import type { AwsStores } from '../../adapters/aws/index.js';
import { openAwsStores } from '../../adapters/aws/index.js';
import { systemClock } from '../../core/ports.js';
import type { MessageRecord, Signal } from '../../core/model.js';
import { sampleMessage } from '../delivery/helpers.js';
import { scriptedMx, type ScriptedMx, type StallAt } from '../helpers/stalling-smtp.js';
import { createAwsClients, createResources, startEmulators } from './emulators.js';
import { settleWithin } from '../helpers/settle-within.js';

export interface DirectMxLambdaHarness {
  stores: AwsStores;
  mx: ScriptedMx;
  resources: Awaited<ReturnType<typeof createResources>>;
  close(): Promise<void>;
}

export async function openDirectMxLambdaHarness(stallAt: StallAt, mxOptions: { stallOnlyFor?: RegExp } = {}): Promise<DirectMxLambdaHarness> {
  const emu = await startEmulators();
  const admin = createAwsClients(emu.clientOptions);
  const resources = await createResources(admin, 3);
  admin.destroy();
  const mx = await scriptedMx(stallAt, mxOptions);
  const ep = emu.clientOptions.endpoints!;
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL_DYNAMODB: ep.dynamodb, AWS_ENDPOINT_URL_S3: ep.s3, AWS_ENDPOINT_URL_SQS: ep.sqs,
    TABLE_NAME: resources.tableName, SPOOL_BUCKET: resources.bucketName, SCORE_QUEUE_URL: resources.scoreQueueUrl, DELIVER_QUEUE_URL: resources.deliverQueueUrl,
    IDEMPOTENCY_TABLE: resources.idempotencyTableName, RELAY_HOSTNAME: 'relay.test', MAX_RECEIVES: '3',
    DELIVERY_MODE: 'direct-mx', SMARTHOST: `127.0.0.1:${mx.port}`,
    POWERTOOLS_LOG_LEVEL: 'CRITICAL', POWERTOOLS_METRICS_NAMESPACE: 'RelayguardTest', POWERTOOLS_METRICS_DISABLED: 'true',
  });
  const stores = openAwsStores(resources, emu.clientOptions, systemClock);
  return {
    stores, mx, resources,
    async close() {
      await mx.close();
      stores.close();
      await emu.stop();
    },
  };
}

export interface StoredMessage {
  id: string;
  tenantId: string;
  sender: string;
  rcpt: string;
  subject: string;
  /** 'accepted': waiting to be scored; 'queued': scored clean, waiting for its first attempt. */
  status: 'accepted' | 'queued';
  ingressSignals?: Signal[];
}

/** A message of a mailbox user as the ingress leaves it: its body in the spool, its record in the store. */
export async function storeMessage(stores: AwsStores, m: StoredMessage): Promise<MessageRecord> {
  const raw = Buffer.from(sampleMessage(m.sender, m.rcpt, m.subject));
  const { size } = await stores.spool.put(m.id, (async function* () { yield raw; })());
  const now = new Date().toISOString();
  const record: MessageRecord = {
    id: m.id, tenantId: m.tenantId, spoolKey: m.id, envelope: { mailFrom: m.sender, rcptTo: [m.rcpt] },
    clientIp: '192.0.2.10', identity: { kind: 'smtp-user', tenantId: m.tenantId, username: m.sender, userKind: 'mailbox' },
    sender: m.sender, size, receivedAt: now, status: m.status,
    recipients: [{ rcpt: m.rcpt, state: 'pending', attempts: 0 }], updatedAt: now,
    ...(m.ingressSignals ? { ingressSignals: m.ingressSignals } : {}),
  };
  await stores.messages.put(record);
  return record;
}

/** `run` must settle within `ms`, the time the fake runtime said was left; otherwise this rejects. */
export function withinRemainingTime<T>(run: Promise<T>, ms: number): Promise<T> {
  return settleWithin(run, ms, 'the handler outlived the time the runtime gave it');
}
