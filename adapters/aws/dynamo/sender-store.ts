// Per-sender lock/reputation state and hourly counters in the single table.
// `save` is a compare-and-set on `version` (a conditional put), and
// `increment` is one UpdateItem with ADD, which DynamoDB applies atomically:
// two Lambdas scoring mail of the same sender never lose an update.
// A counter item whose TTL has passed but which DynamoDB has not swept yet
// (deletion can lag by hours) is reset, not continued, like the SQLite store.
// Known recipients are counter items too (see below). `incrementOnce` moves
// a message's counters once, behind a marker item it claims first (see there).
import { setTimeout as sleep } from 'node:timers/promises';
import { BatchGetCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Clock, SenderStore } from '../../../core/ports.js';
import type { SenderRecord } from '../../../core/model.js';
import type { CountedOnce, CounterIncrement, KnownRecipientEntry } from '../../../core/reputation/ports.js';
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
/**
 * Tries of one counter write (each lost because another writer restarted the
 * expired bucket first), and of reading back the counters a BatchGetItem left
 * unprocessed, before giving up.
 */
const MAX_ATTEMPTS = 10;

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
    const { names, values, adds } = addExpression(deltas);
    const Key = key.counter(tenantId, sender, bucket);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const nowSec = Math.floor(this.clock.now().getTime() / 1000);
      try {
        const out = await this.db.send(new UpdateCommand({
          TableName: this.table, Key,
          UpdateExpression: `SET #ttl = if_not_exists(#ttl, :ttl) ADD ${adds}`,
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

  /**
   * The marker first, then the counters: a conditional Put claims the
   * message's marker (no marker there, or only an expired one DynamoDB has not
   * swept yet); only the call that claims it adds the increments, each the
   * plain ADD update `increment` makes, in parallel. A retry, or a concurrent
   * run of the same message, finds the marker, adds nothing and reads the
   * counters back; a concurrent run can read them before the claiming run's
   * updates land, and then sees the message uncounted, never counted twice.
   *
   * Not one transaction, on purpose: every message of a sender touches the
   * same minute, hour and day items, and a transaction on an item conflicts
   * with any other write to it (TransactionConflict), so a newsletter scored
   * by many functions at once would spend its time backing off, at twice the
   * write price. The cost of the order chosen: a run that dies after claiming
   * the marker and before its increments land leaves that message uncounted.
   * An undercount of one message can never lock an honest sender; a message
   * counted twice could, which is what the marker is for.
   *
   * Round trips: the marker, then the increments (one round, in parallel),
   * against one round before; one more write unit (the marker) per message.
   */
  async incrementOnce(tenantId: string, once: { sender: string; bucket: string }, increments: CounterIncrement[], onceTtlSeconds: number): Promise<CountedOnce> {
    const nowSec = Math.floor(this.clock.now().getTime() / 1000);
    try {
      await this.db.send(new PutCommand({
        TableName: this.table,
        Item: { ...key.counter(tenantId, once.sender, once.bucket), [TTL_ATTRIBUTE]: nowSec + onceTtlSeconds, entity: 'counter' },
        ConditionExpression: 'attribute_not_exists(pk) OR #ttl <= :now',
        ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE }, ExpressionAttributeValues: { ':now': nowSec },
      }));
    } catch (err) {
      if (!isConditionalFailure(err)) throw err;
      const keys = increments.map((i) => key.counter(tenantId, i.sender, i.bucket));
      return { counted: false, values: await this.readCounters(keys, increments, nowSec) };
    }
    const values = await Promise.all(increments.map((i) => this.increment(tenantId, i.sender, i.bucket, i.deltas, i.ttlSeconds)));
    return { counted: true, values };
  }

  /** The named counters of each item as they are now (consistent reads); an item past its TTL reads as zeros, as `increment` would restart it. */
  private async readCounters(keys: { pk: string; sk: string }[], increments: CounterIncrement[], nowSec: number): Promise<Record<string, number>[]> {
    const found = new Map<string, Record<string, unknown>>();
    let pending: Record<string, unknown>[] = keys;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= MAX_ATTEMPTS) throw new Error(`counters of ${keys[0]?.pk} could not be read back`);
      if (attempt > 0) await backoff(attempt);
      const out = await this.db.send(new BatchGetCommand({ RequestItems: { [this.table]: { Keys: pending, ConsistentRead: true } } }));
      for (const item of out.Responses?.[this.table] ?? []) found.set(`${String(item.pk)}\u0000${String(item.sk)}`, item);
      pending = out.UnprocessedKeys?.[this.table]?.Keys ?? [];
    }
    return keys.map((k, i) => {
      const item = found.get(`${k.pk}\u0000${k.sk}`);
      const live = item && !(Number(item[TTL_ATTRIBUTE]) <= nowSec);
      return pickCounters(live ? item : {}, increments[i]!.deltas);
    });
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

/** `ADD` of each delta to its counter attribute, with `#ttl` named for the rest of the expression. */
function addExpression(deltas: Record<string, number>): { names: Record<string, string>; values: Record<string, unknown>; adds: string } {
  const names: Record<string, string> = { '#ttl': TTL_ATTRIBUTE };
  const values: Record<string, unknown> = {};
  const adds: string[] = [];
  Object.entries(deltas).forEach(([name, delta], i) => {
    names[`#c${i}`] = COUNTER_PREFIX + name;
    values[`:d${i}`] = delta;
    adds.push(`#c${i} :d${i}`);
  });
  return { names, values, adds: adds.join(', ') };
}

/** The pause before try `attempt + 1` of a read-back: up to 20 ms, then 40, 80 … (capped at 320 ms), at random within that, so reads throttled together are not retried together. */
function backoff(attempt: number): Promise<void> {
  return sleep(Math.random() * 10 * 2 ** Math.min(attempt, 5));
}

function pickCounters(attrs: Record<string, unknown>, deltas: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of Object.keys(deltas)) out[name] = Number(attrs[COUNTER_PREFIX + name] ?? 0);
  return out;
}
