// Local emulators speaking the real AWS protocols, started once per test file:
// DynamoDB Local (Java, fetched by scripts/fetch-dynamodb-local.sh), fauxqs
// for S3 and SQS, aws-ses-v2-local for SES. Every one gets a free port; S3,
// SQS and SES listen on 127.0.0.1 only. `stop()` ends each of them.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { freePort } from '../helpers/free-port.js';

export { freePort };
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { CreateTableCommand, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, PutBucketVersioningCommand } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { AwsClientOptions, AwsClients } from '../../adapters/aws/clients.js';
import { createAwsClients } from '../../adapters/aws/clients.js';
import { idempotencyTableDefinition, tableDefinition, TTL_ATTRIBUTE } from '../../adapters/aws/dynamo/layout.js';
import type { AwsResources } from '../../adapters/aws/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DUMMY_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

async function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`emulator exited with ${child.exitCode} before listening`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`emulator did not listen on ${port} within ${timeoutMs} ms`);
}

export interface Emulator { endpoint: string; stop(): Promise<void> }

/** DynamoDB Local, in memory. It cannot be told to bind loopback only; the tests only talk to 127.0.0.1. */
export async function startDynamoDbLocal(): Promise<Emulator> {
  const dir = execFileSync('bash', [join(root, 'scripts', 'fetch-dynamodb-local.sh')], { encoding: 'utf8', timeout: 180_000 }).trim();
  const port = await freePort();
  const child = spawn('java', ['-Xmx256m', '-Djava.library.path=./DynamoDBLocal_lib', '-jar', 'DynamoDBLocal.jar', '-inMemory', '-port', String(port)], {
    cwd: dir, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => { stderr += String(d); });
  try {
    await waitForPort(port, child, 30_000);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${(err as Error).message}\n${stderr}`);
  }
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 3000).unref();
    }),
  };
}

/** fauxqs (S3 + SQS) in this process, on 127.0.0.1. */
export async function startFauxqs(): Promise<Emulator> {
  const { buildApp } = await import('fauxqs');
  const app = buildApp({ logger: false, host: '127.0.0.1' });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () => Promise.race([app.close().then(() => undefined), new Promise<void>((r) => setTimeout(r, 3000).unref())]),
  };
}

export interface SesEmulator extends Emulator {
  /** What the emulator has "sent", oldest first. */
  sent(): Promise<{ from: string; destination: { to: string[] }; subject?: string; body?: { text?: string; html?: string }; at: number }[]>;
}

/** aws-ses-v2-local in this process, on 127.0.0.1. */
export async function startSesLocal(): Promise<SesEmulator> {
  // A CommonJS module with a default export: under ESM it may arrive wrapped once more.
  type Start = (c: { host: string; port: number }) => Promise<import('node:http').Server>;
  const mod = (await import('aws-ses-v2-local')) as unknown as { default: Start | { default: Start } };
  const fn: Start = typeof mod.default === 'function' ? mod.default : mod.default.default;
  const port = await freePort();
  const server = await fn({ host: '127.0.0.1', port });
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    async sent() {
      const res = await fetch(`${endpoint}/store`);
      return ((await res.json()) as { emails: never[] }).emails;
    },
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve());
      setTimeout(resolve, 3000).unref();
    }),
  };
}

export interface EmulatorSet {
  clientOptions: AwsClientOptions;
  stop(): Promise<void>;
}

/** Starts DynamoDB Local and fauxqs (and SES when asked) in parallel. */
export async function startEmulators(opts: { ses?: boolean } = {}): Promise<EmulatorSet & { ses?: SesEmulator }> {
  const [ddb, fq, ses] = await Promise.all([startDynamoDbLocal(), startFauxqs(), opts.ses ? startSesLocal() : Promise.resolve(undefined)]);
  return {
    clientOptions: {
      region: 'us-east-1',
      credentials: DUMMY_CREDENTIALS,
      endpoints: { dynamodb: ddb.endpoint, s3: fq.endpoint, sqs: fq.endpoint, ...(ses ? { ses: ses.endpoint } : {}) },
    },
    ...(ses ? { ses } : {}),
    async stop() { await Promise.all([ddb.stop(), fq.stop(), ses?.stop()]); },
  };
}

let seq = 0;

/**
 * Creates a fresh set of resources (table, bucket, score and deliver queues
 * each with a DLQ after `maxReceiveCount` receives) with unique names, the
 * same shape the CDK app creates; returns the names the adapters take.
 */
export async function createResources(clients: AwsClients, maxReceiveCount = 3): Promise<AwsResources & { idempotencyTableName: string; scoreDlqUrl: string; deliverDlqUrl: string }> {
  const n = `${process.pid}-${++seq}`;
  const tableName = `relayguard-${n}`;
  const idempotencyTableName = `relayguard-idem-${n}`;
  const raw = clients.dynamo;
  await raw.send(new CreateTableCommand(tableDefinition(tableName)));
  await raw.send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true } }));
  await raw.send(new CreateTableCommand(idempotencyTableDefinition(idempotencyTableName)));
  const bucketName = `relayguard-spool-${n}`;
  await clients.s3.send(new CreateBucketCommand({ Bucket: bucketName }));
  await clients.s3.send(new PutBucketVersioningCommand({ Bucket: bucketName, VersioningConfiguration: { Status: 'Enabled' } })).catch(() => {});
  const queue = async (name: string) => {
    const dlq = await clients.sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq-${n}` }));
    const attrs = await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl!, AttributeNames: ['QueueArn'] }));
    const q = await clients.sqs.send(new CreateQueueCommand({
      QueueName: `${name}-${n}`,
      Attributes: {
        VisibilityTimeout: '30',
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: attrs.Attributes!.QueueArn, maxReceiveCount }),
      },
    }));
    return { url: q.QueueUrl!, dlqUrl: dlq.QueueUrl! };
  };
  const [score, deliver] = await Promise.all([queue('score'), queue('deliver')]);
  return { tableName, idempotencyTableName, bucketName, scoreQueueUrl: score.url, deliverQueueUrl: deliver.url, scoreDlqUrl: score.dlqUrl, deliverDlqUrl: deliver.dlqUrl };
}

export { createAwsClients };
