// The message log in the single table. Listing a tenant's log newest-first is
// a Query on gsi1 (<receivedAt>#<id> sorts by time); messages still in the
// pipeline also carry gsi2 keys, a sparse index per sender that the lock
// flow reads to hold a compromised sender's queued mail. The item expires
// through TTL `retentionSeconds` after it was received. Status changes
// decided on a record read earlier (release, delete) are conditional puts on
// the status and updatedAt that were read.
import { GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { MessageQuery, MessageStore } from '../../../core/ports.js';
import { foreignCursor, isMessagePosition, pageSize } from '../../../core/paging.js';
import type { MessageRecord } from '../../../core/model.js';
import { GSI1, GSI2, TTL_ATTRIBUTE, isConditionalFailure, key, stripKeys } from './layout.js';
import { queryAll } from './query.js';

const PENDING = new Set(['accepted', 'queued', 'delivering']);
const PAGE = 100;
/**
 * A DynamoDB item holds at most 400 KB, and a receiving server's reply has no
 * length limit (multi-line replies run to pages). The log keeps the start of
 * each reply: REPLY_CHARS, or REPLY_CHARS_TIGHT when a message has so many
 * recipients that the item would still pass ITEM_BUDGET bytes.
 */
const REPLY_CHARS = 1000;
const REPLY_CHARS_TIGHT = 120;
const ITEM_BUDGET = 350 * 1024;
/** A filtered listing reads at most this many pages per call, then returns what it has with a cursor. */
const MAX_PAGES = 20;

export interface DynamoMessageStoreOptions {
  /** How long a message-log item lives after it was received. @default 30 days */
  retentionSeconds?: number;
}

export class DynamoMessageStore implements MessageStore {
  private readonly retentionSeconds: number;
  constructor(private readonly db: DynamoDBDocumentClient, private readonly table: string, opts: DynamoMessageStoreOptions = {}) {
    this.retentionSeconds = opts.retentionSeconds ?? 30 * 86400;
  }

  async get(id: string): Promise<MessageRecord | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: key.message(id), ConsistentRead: true }));
    return stripKeys<MessageRecord>(out.Item);
  }

  async put(r: MessageRecord): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.table, Item: this.itemOf(r) }));
  }

  async putIfUnchanged(r: MessageRecord, expected: Pick<MessageRecord, 'status' | 'updatedAt'>): Promise<boolean> {
    try {
      await this.db.send(new PutCommand({
        TableName: this.table, Item: this.itemOf(r),
        // A missing item fails the comparison too: a message the retention TTL removed is not written back.
        ConditionExpression: '#status = :status AND #updatedAt = :updatedAt',
        ExpressionAttributeNames: { '#status': 'status', '#updatedAt': 'updatedAt' },
        ExpressionAttributeValues: { ':status': expected.status, ':updatedAt': expected.updatedAt },
      }));
      return true;
    } catch (err) {
      if (isConditionalFailure(err)) return false;
      throw err;
    }
  }

  /** The record as its item: the fitted record, its keys, gsi1 for the log, gsi2 while pending, and the TTL. */
  private itemOf(r: MessageRecord): Record<string, unknown> {
    const sortKey = `${r.receivedAt}#${r.id}`;
    const item: Record<string, unknown> = {
      ...fitted(r),
      ...key.message(r.id),
      gsi1pk: `TENANT#${r.tenantId}#MSGS`,
      gsi1sk: sortKey,
      [TTL_ATTRIBUTE]: Math.floor(Date.parse(r.receivedAt) / 1000) + this.retentionSeconds,
      entity: 'message',
    };
    if (PENDING.has(r.status)) {
      item.gsi2pk = `TENANT#${r.tenantId}#PENDING#${r.sender}`;
      item.gsi2sk = sortKey;
    }
    return item;
  }

  async list(tenantId: string, q: MessageQuery): Promise<{ items: MessageRecord[]; cursor?: string }> {
    const limit = pageSize(q.limit);
    const values: Record<string, unknown> = { ':p': `TENANT#${tenantId}#MSGS` };
    let range = '';
    if (q.since && q.until) { range = ' AND gsi1sk BETWEEN :a AND :b'; values[':a'] = q.since; values[':b'] = q.until; }
    else if (q.since) { range = ' AND gsi1sk >= :a'; values[':a'] = q.since; }
    else if (q.until) { range = ' AND gsi1sk < :b'; values[':b'] = q.until; }
    const matches = filterOf(q);
    const items: MessageRecord[] = [];
    let start = q.cursor ? startKeyFromCursor(tenantId, q.cursor) : undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const out = await this.db.send(new QueryCommand({
        TableName: this.table, IndexName: GSI1, KeyConditionExpression: `gsi1pk = :p${range}`, ExpressionAttributeValues: values,
        ScanIndexForward: false, Limit: PAGE, ...(start ? { ExclusiveStartKey: start } : {}),
      }));
      for (const raw of out.Items ?? []) {
        const rec = stripKeys<MessageRecord>(raw)!;
        if (!matches(rec)) continue;
        items.push(rec);
        if (items.length > limit) {
          const last = items[limit - 1]!;
          return { items: items.slice(0, limit), cursor: cursorOf(last) };
        }
      }
      start = out.LastEvaluatedKey as Record<string, unknown> | undefined;
      if (!start) return { items };
    }
    // Read budget spent on a sparse filter: hand back a positional cursor so the caller can go on.
    return { items, cursor: Buffer.from(String(start!.gsi1sk)).toString('base64url') };
  }

  async listPendingBySender(tenantId: string, sender: string): Promise<MessageRecord[]> {
    const items = await queryAll(this.db, {
      TableName: this.table, IndexName: GSI2, KeyConditionExpression: 'gsi2pk = :p',
      ExpressionAttributeValues: { ':p': `TENANT#${tenantId}#PENDING#${sender}` },
    });
    return items.map((i) => stripKeys<MessageRecord>(i)!).filter((m) => PENDING.has(m.status));
  }
}

/** The record with its recipients' replies cut so the item fits DynamoDB's item size limit. */
function fitted(r: MessageRecord): MessageRecord {
  const cut = (max: number): MessageRecord => ({
    ...r,
    recipients: r.recipients.map((rcpt) => (rcpt.reply && rcpt.reply.length > max ? { ...rcpt, reply: `${rcpt.reply.slice(0, max)}...` } : rcpt)),
  });
  const bounded = cut(REPLY_CHARS);
  return Buffer.byteLength(JSON.stringify(bounded)) <= ITEM_BUDGET ? bounded : cut(REPLY_CHARS_TIGHT);
}

function cursorOf(m: MessageRecord): string {
  return Buffer.from(`${m.receivedAt}#${m.id}`).toString('base64url');
}

function startKeyFromCursor(tenantId: string, cursor: string): Record<string, unknown> {
  const sortKey = Buffer.from(cursor, 'base64url').toString();
  const [at, id, ...rest] = sortKey.split('#');
  // Checked here: DynamoDB would refuse a start key that matches no key shape with a ValidationException (a 500), or start anywhere.
  if (rest.length || !isMessagePosition(at, id)) throw foreignCursor();
  return { ...key.message(id), gsi1pk: `TENANT#${tenantId}#MSGS`, gsi1sk: sortKey };
}

/** The same filters as the SQLite store: exact sender/verdict/status, any-case recipient, substring subject. */
function filterOf(q: MessageQuery): (m: MessageRecord) => boolean {
  const sender = q.sender?.toLowerCase();
  const rcpt = q.recipient?.toLowerCase();
  const subject = q.subject?.toLowerCase();
  return (m) =>
    (!sender || m.sender === sender) &&
    (!q.verdict || m.verdict?.verdict === q.verdict) &&
    (!q.status || m.status === q.status) &&
    (!rcpt || m.envelope.rcptTo.some((r) => r.toLowerCase() === rcpt)) &&
    (!subject || (m.subject ?? '').toLowerCase().includes(subject));
}
