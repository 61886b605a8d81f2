// The one-off backfill of domain items' gsi2 keys (adapters/aws/dynamo/backfill-domain-tree.ts)
// and its command (scripts/migrate-dynamodb.ts), on DynamoDB Local started once for this file.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient, type DocumentClient } from '../../adapters/aws/dynamo/client.js';
import { backfillDomainTreeKeys } from '../../adapters/aws/dynamo/backfill-domain-tree.js';
import { key, tableDefinition } from '../../adapters/aws/dynamo/layout.js';
import { DynamoTenantStore } from '../../adapters/aws/dynamo/tenant-store.js';
import type { DomainRecord } from '../../core/model.js';
import { DUMMY_CREDENTIALS, startDynamoDbLocal, type Emulator } from '../aws/emulators.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const at = '2026-06-01T12:00:00.000Z';
const domain = (tenantId: string, name: string): DomainRecord => ({
  tenantId, domain: name, dkimSelector: 'rg1', dkimPrivateKey: 'PEM', dkimPublicKey: 'SPKI', createdAt: at,
});

let ddb: Emulator;
let client: DocumentClient;
let seq = 0;

async function freshTable(): Promise<{ db: DynamoDBDocumentClient; table: string; store: DynamoTenantStore }> {
  const table = `relayguard-backfill-${process.pid}-${++seq}`;
  await client.db.send(new CreateTableCommand(tableDefinition(table)));
  return { db: client.db, table, store: new DynamoTenantStore(client.db, table) };
}

/** A domain item as createDomain wrote it before listDomainsUnder existed: no gsi2 keys. */
async function putOldStyleDomain(db: DynamoDBDocumentClient, table: string, d: DomainRecord): Promise<void> {
  await db.send(new PutCommand({
    TableName: table,
    Item: { ...d, ...key.domain(d.domain), gsi1pk: `TENANT#${d.tenantId}#DOMAINS`, gsi1sk: d.domain.toLowerCase(), entity: 'domain' },
  }));
}

async function allItems(db: DynamoDBDocumentClient, table: string): Promise<Record<string, unknown>[]> {
  const out = await db.send(new ScanCommand({ TableName: table, ConsistentRead: true }));
  assert.equal(out.LastEvaluatedKey, undefined, 'the test tables fit in one scan page');
  return (out.Items ?? []).sort((a, b) => String(a.pk).localeCompare(String(b.pk)) || String(a.sk).localeCompare(String(b.sk)));
}

const names = (ds: DomainRecord[]) => ds.map((d) => `${d.tenantId}:${d.domain}`);

describe('DynamoDB backfill of the domain tree keys (DynamoDB Local)', () => {
  before(async () => {
    ddb = await startDynamoDbLocal();
    client = createDocumentClient({ region: 'us-east-1', credentials: DUMMY_CREDENTIALS, endpoints: { dynamodb: ddb.endpoint } });
  }, { timeout: 120_000 });
  after(async () => { client?.destroy(); await ddb?.stop(); }, { timeout: 30_000 });

  test('old domain items get their gsi2 keys, so listDomainsUnder sees them, and a second run changes nothing', async () => {
    const { db, table, store } = await freshTable();
    await store.createTenant({ id: 't1', name: 'T1', tokenHash: 'h1', ipUserQuota: 1, settings: { quarantineThreshold: 5, rejectThreshold: 10, monitorOnly: false, senderHourlyLimit: 1 }, createdAt: at });
    await store.createDomain(domain('t1', 'mail.example.com'));
    for (const [t, d] of [['t2', 'a.example.com'], ['t3', 'news.shop.example.com'], ['t3', 'example.org']] as const) {
      await putOldStyleDomain(db, table, domain(t, d));
    }
    assert.deepEqual(names(await store.listDomainsUnder('example.com')), ['t1:mail.example.com'], 'before: the old items are invisible to the overlap check');

    const first = await backfillDomainTreeKeys(db, table);
    assert.deepEqual({ ...first, scanned: undefined }, { scanned: undefined, missing: 3, updated: 3, skipped: 0 });
    assert.ok(first.scanned >= 6, `the scan read the whole table (${first.scanned} items)`);
    assert.deepEqual(names(await store.listDomainsUnder('example.com')), ['t2:a.example.com', 't1:mail.example.com', 't3:news.shop.example.com']);
    assert.deepEqual(names(await store.listDomainsUnder('shop.example.com')), ['t3:news.shop.example.com']);
    assert.deepEqual(await store.getDomain('news.shop.example.com'), domain('t3', 'news.shop.example.com'), 'the record itself is unchanged');

    const afterFirst = await allItems(db, table);
    const second = await backfillDomainTreeKeys(db, table);
    assert.deepEqual({ ...second, scanned: undefined }, { scanned: undefined, missing: 0, updated: 0, skipped: 0 });
    assert.deepEqual(await allItems(db, table), afterFirst, 'the second run wrote nothing');
  });

  test('a domain deleted, or deleted and registered again, between the scan and the update is left as the live write left it', async () => {
    const { db, table, store } = await freshTable();
    for (const d of ['gone.example.com', 'moved.example.com', 'kept.example.com']) await putOldStyleDomain(db, table, domain('t1', d));
    // The live writes land right after the backfill's scan page is read, before its updates.
    let raced = false;
    const racing = Object.create(db, {
      send: {
        value: async (command: Parameters<DynamoDBDocumentClient['send']>[0]) => {
          const out = await db.send(command as ScanCommand);
          if (command instanceof ScanCommand && !raced) {
            raced = true;
            await db.send(new DeleteCommand({ TableName: table, Key: key.domain('gone.example.com') }));
            assert.equal(await store.deleteDomain('t1', 'moved.example.com'), true);
            await store.createDomain(domain('t9', 'moved.example.com'));
          }
          return out;
        },
      },
    }) as DynamoDBDocumentClient;

    const report = await backfillDomainTreeKeys(racing, table);
    assert.ok(raced);
    assert.deepEqual({ ...report, scanned: undefined }, { scanned: undefined, missing: 3, updated: 1, skipped: 2 });
    assert.equal(await store.getDomain('gone.example.com'), undefined, 'a deleted domain is not brought back as a bare key item');
    assert.equal((await allItems(db, table)).filter((i) => i.pk === 'DOMAIN#gone.example.com').length, 0);
    assert.deepEqual(await store.getDomain('moved.example.com'), domain('t9', 'moved.example.com'));
    assert.deepEqual(names(await store.listDomainsUnder('example.com')), ['t1:kept.example.com', 't9:moved.example.com']);
  });

  test('two runs at once give every old item its keys exactly once', async () => {
    const { db, table, store } = await freshTable();
    const domains = Array.from({ length: 30 }, (_, i) => `host${String(i).padStart(2, '0')}.example.net`);
    for (const d of domains) await putOldStyleDomain(db, table, domain('t1', d));
    const [a, b] = await Promise.all([backfillDomainTreeKeys(db, table, { pageSize: 7 }), backfillDomainTreeKeys(db, table, { pageSize: 5 })]);
    assert.equal(a.updated + b.updated, domains.length, `updates: ${a.updated} + ${b.updated}`);
    assert.deepEqual((await store.listDomainsUnder('example.net')).map((d) => d.domain), domains);
  });

  test('the migrate:dynamodb command (scripts/migrate-dynamodb.ts) backfills the table named by TABLE_NAME, and refuses to start without it', async () => {
    const { db, table, store } = await freshTable();
    await putOldStyleDomain(db, table, domain('t1', 'old.example.com'));
    const run = promisify(execFile);
    const env = {
      PATH: process.env.PATH, HOME: process.env.HOME, AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_DYNAMODB: ddb.endpoint,
      AWS_ACCESS_KEY_ID: DUMMY_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: DUMMY_CREDENTIALS.secretAccessKey,
    };
    const script = join(root, 'scripts', 'migrate-dynamodb.ts');
    const lastLine = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;

    const first = await run(process.execPath, ['--import', 'tsx', script], { cwd: root, env: { ...env, TABLE_NAME: table }, timeout: 60_000 });
    assert.deepEqual({ ...lastLine(first.stdout), scanned: undefined }, { event: 'MIGRATE_DOMAIN_TREE_DONE', table, scanned: undefined, missing: 1, updated: 1, skipped: 0 });
    assert.deepEqual(names(await store.listDomainsUnder('example.com')), ['t1:old.example.com']);
    const second = await run(process.execPath, ['--import', 'tsx', script], { cwd: root, env: { ...env, TABLE_NAME: table }, timeout: 60_000 });
    assert.equal(lastLine(second.stdout).updated, 0);

    await assert.rejects(run(process.execPath, ['--import', 'tsx', script], { cwd: root, env, timeout: 60_000 }), (err: { code?: number; stderr?: string }) => {
      assert.equal(err.code, 1);
      assert.match(err.stderr ?? '', /MIGRATE_FAILED.*TABLE_NAME is required/);
      return true;
    });
  });
});
