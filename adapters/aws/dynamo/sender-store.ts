// Per-sender lock/reputation state and hourly counters in the single table.
// `save` is a compare-and-set on `version` (a conditional put), and
// `increment` is one UpdateItem with ADD, which DynamoDB applies atomically:
// two Lambdas scoring mail of the same sender never lose an update.
// A counter item whose TTL has passed but which DynamoDB has not swept yet
// (deletion can lag by hours) is reset, not continued, like the SQLite store.
// Known recipients are counter items too (see below).
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Clock, SenderStore } from '../../../core/ports.js';
import type { SenderRecord } from '../../../core/model.js';
import type { KnownRecipientEntry } from '../../../core/reputation/ports.js';
import { TTL_ATTRIBUTE, isConditionalFailure, key, stripKeys } from './layout.js';
import { byGsi1, queryAll } from './query.js';

const COUNTER_PREFIX = 'c_';
/**
 * A known recipient is the counter item of its bucket (`CTR#r:<hash>`) with
 * `lastContact` (epoch seconds) and the TTL attribute as its expiry: a refresh
 * rewrites both, so DynamoDB sweeps the item only once the sender has stopped
 * writing to the recipient. An item of the old first-contact counter has
 * `c_n` and a TTL but no `lastContact`; writing the entry replaces it.
 */
const LAST_CONTACT = 'lastContact';

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

  /** Eventually consistent reads unless `latest` (half the read cost; the compare-and-set in putKnownRecipient catches a stale one). */
  async getKnownRecipients(tenantId: string, sender: string, keys: string[], latest = false): Promise<(KnownRecipientEntry | undefined)[]> {
    return Promise.all(keys.map(async (k) => {
      const out = await this.db.send(new GetCommand({
        TableName: this.table, Key: key.counter(tenantId, sender, k), ConsistentRead: latest,
        ProjectionExpression: '#ttl, #lc', ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE, '#lc': LAST_CONTACT },
      }));
      if (!out.Item) return undefined;
      const expiresAt = Number(out.Item[TTL_ATTRIBUTE]) * 1000;
      const last = out.Item[LAST_CONTACT];
      return last === undefined ? { expiresAt } : { lastContactAt: Number(last) * 1000, expiresAt };
    }));
  }

  /** One conditional put on the entry as read: its TTL and last contact (or their absence) must be unchanged. */
  async putKnownRecipient(tenantId: string, sender: string, k: string, entry: Required<KnownRecipientEntry>, expected: KnownRecipientEntry | undefined): Promise<boolean> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    let condition = 'attribute_not_exists(pk)';
    if (expected) {
      names['#ttl'] = TTL_ATTRIBUTE;
      names['#lc'] = LAST_CONTACT;
      values[':ttl'] = Math.floor(expected.expiresAt / 1000);
      condition = '#ttl = :ttl AND attribute_not_exists(#lc)';
      if (expected.lastContactAt !== undefined) {
        values[':lc'] = Math.floor(expected.lastContactAt / 1000);
        condition = '#ttl = :ttl AND #lc = :lc';
      }
    }
    try {
      await this.db.send(new PutCommand({
        TableName: this.table,
        Item: {
          ...key.counter(tenantId, sender, k), entity: 'counter',
          [TTL_ATTRIBUTE]: Math.floor(entry.expiresAt / 1000), [LAST_CONTACT]: Math.floor(entry.lastContactAt / 1000),
        },
        ConditionExpression: condition,
        ...(expected ? { ExpressionAttributeNames: names, ExpressionAttributeValues: values } : {}),
      }));
      return true;
    } catch (err) {
      if (isConditionalFailure(err)) return false;
      throw err;
    }
  }
}

function pickCounters(attrs: Record<string, unknown>, deltas: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of Object.keys(deltas)) out[name] = Number(attrs[COUNTER_PREFIX + name] ?? 0);
  return out;
}
