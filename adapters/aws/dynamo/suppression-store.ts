// The tenants' suppression lists in the single table: one item per
// (tenant, address) in the tenant's partition, listed newest first through
// gsi1 (<createdAt>#<address>), searched by substring like the SQLite store.
// Adding is a put conditioned on the key being free: the first entry stands.
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DomainError } from '../../../core/errors.js';
import type { SuppressionQuery, SuppressionStore } from '../../../core/ports.js';
import { foreignCursor, pageSize } from '../../../core/paging.js';
import type { SuppressionEntry } from '../../../core/model.js';
import { GSI1, isConditionalFailure, stripKeys } from './layout.js';

const PAGE = 200;
const MAX_PAGES = 20;

/**
 * A DynamoDB sort key holds at most 1024 bytes: SUPP#<address> in the table,
 * <createdAt>#<address> in gsi1. Longer addresses (no real mailbox has one:
 * RFC 5321 allows 254 characters, but the ingress takes any a@b.c) cannot be
 * on the list, so looking one up answers "not suppressed" rather than failing
 * the deliver step, and adding one is refused.
 */
const MAX_ADDRESS_BYTES = 1024 - 'SUPP#'.length - '0000-00-00T00:00:00.000Z#'.length;
const keyable = (address: string) => Buffer.byteLength(address) <= MAX_ADDRESS_BYTES;
function assertKeyable(address: string): void {
  if (!keyable(address)) throw new DomainError('VALIDATION', `address too long for the suppression list (${Buffer.byteLength(address)} bytes)`);
}

const keyOf = (tenantId: string, address: string) => ({ pk: `TENANT#${tenantId}`, sk: `SUPP#${address}` });
const listPk = (tenantId: string) => `TENANT#${tenantId}#SUPPRESSIONS`;
const itemOf = (entry: SuppressionEntry) => ({
  ...entry, ...keyOf(entry.tenantId, entry.address), gsi1pk: listPk(entry.tenantId), gsi1sk: `${entry.createdAt}#${entry.address}`, entity: 'suppression',
});

/** Tries of put: another try is needed only when the entry that refused the put was deleted before it could be read. */
const ADD_ATTEMPTS = 3;

export class DynamoSuppressionStore implements SuppressionStore {
  constructor(private readonly db: DynamoDBDocumentClient, private readonly table: string) {}

  async get(tenantId: string, address: string): Promise<SuppressionEntry | undefined> {
    if (!keyable(address)) return undefined;
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: keyOf(tenantId, address) }));
    return stripKeys<SuppressionEntry>(out.Item);
  }

  async put(entry: SuppressionEntry): Promise<{ entry: SuppressionEntry; added: boolean }> {
    assertKeyable(entry.address);
    for (let attempt = 1; attempt <= ADD_ATTEMPTS; attempt++) {
      try {
        await this.db.send(new PutCommand({ TableName: this.table, Item: itemOf(entry), ConditionExpression: 'attribute_not_exists(pk)' }));
        return { entry, added: true };
      } catch (err) {
        if (!isConditionalFailure(err)) throw err;
      }
      const out = await this.db.send(new GetCommand({ TableName: this.table, Key: keyOf(entry.tenantId, entry.address), ConsistentRead: true }));
      const existing = stripKeys<SuppressionEntry>(out.Item);
      if (existing) return { entry: existing, added: false };
    }
    throw new DomainError('CONFLICT', `the suppression of ${entry.address} was added and removed during each of ${ADD_ATTEMPTS} tries to add it`);
  }

  async delete(tenantId: string, address: string): Promise<boolean> {
    if (!keyable(address)) return false;
    const out = await this.db.send(new DeleteCommand({ TableName: this.table, Key: keyOf(tenantId, address), ReturnValues: 'ALL_OLD' }));
    return !!out.Attributes;
  }

  async list(tenantId: string, q: SuppressionQuery): Promise<{ items: SuppressionEntry[]; cursor?: string }> {
    const limit = pageSize(q.limit);
    const needle = q.query?.toLowerCase();
    let start: Record<string, unknown> | undefined;
    if (q.cursor) {
      const sortKey = decodeCursor(q.cursor);
      if (!sortKey) throw foreignCursor();
      const address = sortKey.slice(sortKey.indexOf('#') + 1);
      start = { ...keyOf(tenantId, address), gsi1pk: listPk(tenantId), gsi1sk: sortKey };
    }
    const items: SuppressionEntry[] = [];
    for (let page = 0; page < MAX_PAGES; page++) {
      const out = await this.db.send(new QueryCommand({
        TableName: this.table, IndexName: GSI1, KeyConditionExpression: 'gsi1pk = :p', ExpressionAttributeValues: { ':p': listPk(tenantId) },
        ScanIndexForward: false, Limit: PAGE, ...(start ? { ExclusiveStartKey: start } : {}),
      }));
      for (const raw of out.Items ?? []) {
        const e = stripKeys<SuppressionEntry>(raw)!;
        if (needle && !e.address.includes(needle)) continue;
        items.push(e);
        if (items.length > limit) {
          const last = items[limit - 1]!;
          return { items: items.slice(0, limit), cursor: encodeCursor(`${last.createdAt}#${last.address}`) };
        }
      }
      start = out.LastEvaluatedKey as Record<string, unknown> | undefined;
      if (!start) return { items };
    }
    return { items, cursor: encodeCursor(String(start!.gsi1sk)) };
  }
}

function encodeCursor(sortKey: string): string {
  return Buffer.from(JSON.stringify(['s', sortKey])).toString('base64url');
}

function decodeCursor(cursor: string): string | undefined {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as unknown;
    if (Array.isArray(v) && v[0] === 's' && typeof v[1] === 'string') return v[1];
  } catch {
    // fall through
  }
  return undefined;
}
