// Per-sender lock/reputation state and hourly counters in the single table.
// `save` is a compare-and-set on `version` (a conditional put), and
// `increment` is one UpdateItem with ADD, which DynamoDB applies atomically:
// two Lambdas scoring mail of the same sender never lose an update.
// A counter item whose TTL has passed but which DynamoDB has not swept yet
// (deletion can lag by hours) is reset, not continued, like the SQLite store.
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Clock, SenderStore } from '../../../core/ports.js';
import type { SenderRecord } from '../../../core/model.js';
import { TTL_ATTRIBUTE, isConditionalFailure, key, stripKeys } from './layout.js';
import { byGsi1, queryAll } from './query.js';

const COUNTER_PREFIX = 'c_';

export class DynamoSenderStore implements SenderStore {
  constructor(private readonly db: DynamoDBDocumentClient, private readonly table: string, private readonly clock: Clock) {}

  async get(tenantId: string, sender: string) {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: key.sender(tenantId, sender), ConsistentRead: true }));
    if (!out.Item) return undefined;
    return { ...stripKeys<SenderRecord>(out.Item)!, version: Number(out.Item.version) };
  }

  async list(tenantId: string): Promise<SenderRecord[]> {
    const items = await queryAll(this.db, byGsi1(this.table, `TENANT#${tenantId}#SENDERS`));
    return items.map((i) => stripKeys<SenderRecord>(i)!).sort((a, b) => a.sender.localeCompare(b.sender));
  }

  async save(record: SenderRecord, expectedVersion: number): Promise<boolean> {
    const { version: _ignored, ...clean } = record as SenderRecord & { version?: number };
    try {
      await this.db.send(new PutCommand({
        TableName: this.table,
        Item: {
          ...clean, ...key.sender(record.tenantId, record.sender), version: expectedVersion + 1,
          gsi1pk: `TENANT#${record.tenantId}#SENDERS`, gsi1sk: record.sender, entity: 'sender',
        },
        ...(expectedVersion === 0
          ? { ConditionExpression: 'attribute_not_exists(pk)' }
          : { ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': expectedVersion } }),
      }));
      return true;
    } catch (err) {
      if (isConditionalFailure(err)) return false;
      throw err;
    }
  }

  async increment(tenantId: string, sender: string, bucket: string, deltas: Record<string, number>, ttlSeconds: number): Promise<Record<string, number>> {
    const names: Record<string, string> = { '#ttl': TTL_ATTRIBUTE };
    const values: Record<string, unknown> = {};
    const adds: string[] = [];
    Object.entries(deltas).forEach(([name, delta], i) => {
      names[`#c${i}`] = COUNTER_PREFIX + name;
      values[`:d${i}`] = delta;
      adds.push(`#c${i} :d${i}`);
    });
    const Key = key.counter(tenantId, sender, bucket);
    for (let attempt = 0; attempt < 10; attempt++) {
      const nowSec = Math.floor(this.clock.now().getTime() / 1000);
      try {
        const out = await this.db.send(new UpdateCommand({
          TableName: this.table, Key,
          UpdateExpression: `SET #ttl = if_not_exists(#ttl, :ttl) ADD ${adds.join(', ')}`,
          ConditionExpression: 'attribute_not_exists(#ttl) OR #ttl > :now',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: { ...values, ':ttl': nowSec + ttlSeconds, ':now': nowSec },
          ReturnValues: 'ALL_NEW',
        }));
        return pickCounters(out.Attributes ?? {}, deltas);
      } catch (err) {
        if (!isConditionalFailure(err)) throw err;
      }
      // The item outlived its TTL: start the bucket afresh, unless another writer just did.
      const fresh: Record<string, unknown> = { ...Key, [TTL_ATTRIBUTE]: nowSec + ttlSeconds, entity: 'counter' };
      for (const [name, delta] of Object.entries(deltas)) fresh[COUNTER_PREFIX + name] = delta;
      try {
        await this.db.send(new PutCommand({
          TableName: this.table, Item: fresh,
          ConditionExpression: '#ttl <= :now', ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE }, ExpressionAttributeValues: { ':now': nowSec },
        }));
        return { ...deltas };
      } catch (err) {
        if (!isConditionalFailure(err)) throw err;
      }
    }
    throw new Error(`counter ${Key.pk} ${Key.sk} kept changing under us`);
  }
}

function pickCounters(attrs: Record<string, unknown>, deltas: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of Object.keys(deltas)) out[name] = Number(attrs[COUNTER_PREFIX + name] ?? 0);
  return out;
}
