// One-off migration: domain items written before listDomainsUnder existed
// carry no gsi2 keys (layout.ts domainTreeKeys), so the overlap check run
// when a domain is added cannot see them. This scans the table for domain
// items without the keys and adds them.
//
// Safe to run twice and beside live writes: each update is conditioned on
// the item still existing and still lacking the keys, so a domain deleted
// (or deleted and registered again, with keys) since the scan is left alone,
// and a second run finds nothing to do. It only ever adds the two key
// attributes; the domain's own fields are not rewritten.
import { ScanCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { domainTreeKeys, isConditionalFailure, key } from './layout.js';

const DOMAIN_PK_PREFIX = 'DOMAIN#';
const DOMAIN_SK = key.domain('x').sk;

export interface DomainTreeBackfillReport {
  /** Items the scan read (every entity: a Scan reads the whole table). */
  scanned: number;
  /** Domain items found without gsi2 keys. */
  missing: number;
  /** Of those, the ones this run gave keys. */
  updated: number;
  /** Of those, the ones left alone: deleted, or given keys by another writer, since the scan read them. */
  skipped: number;
}

export interface DomainTreeBackfillOptions {
  /**
   * Called after each scan page with the totals so far (a large table takes many pages).
   * @default - nothing is reported until the end
   */
  readonly onPage?: (totals: DomainTreeBackfillReport) => void;
  /**
   * Items read per scan page.
   * @default - DynamoDB's own page size (1 MB)
   */
  readonly pageSize?: number;
}

/** Adds the gsi2 keys to every domain item that lacks them; see the file comment. */
export async function backfillDomainTreeKeys(
  db: DynamoDBDocumentClient,
  table: string,
  opts: DomainTreeBackfillOptions = {},
): Promise<DomainTreeBackfillReport> {
  const totals: DomainTreeBackfillReport = { scanned: 0, missing: 0, updated: 0, skipped: 0 };
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(new ScanCommand({
      TableName: table,
      FilterExpression: 'begins_with(#pk, :prefix) AND #sk = :sk AND attribute_not_exists(#gsi2pk)',
      ProjectionExpression: '#pk, #sk, #domain',
      ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk', '#gsi2pk': 'gsi2pk', '#domain': 'domain' },
      ExpressionAttributeValues: { ':prefix': DOMAIN_PK_PREFIX, ':sk': DOMAIN_SK },
      ...(opts.pageSize ? { Limit: opts.pageSize } : {}),
      ...(start ? { ExclusiveStartKey: start } : {}),
    }));
    totals.scanned += page.ScannedCount ?? 0;
    for (const item of page.Items ?? []) {
      totals.missing++;
      if (await addKeys(db, table, item)) totals.updated++;
      else totals.skipped++;
    }
    opts.onPage?.({ ...totals });
    start = page.LastEvaluatedKey as Record<string, unknown> | undefined;
  } while (start);
  return totals;
}

/** True when the keys were added; false when the item is gone or already has them. */
async function addKeys(db: DynamoDBDocumentClient, table: string, item: Record<string, unknown>): Promise<boolean> {
  const pk = String(item.pk);
  // createDomain derives the keys from the record's `domain`; the key holds the same name lower-cased.
  const domain = typeof item.domain === 'string' ? item.domain : pk.slice(DOMAIN_PK_PREFIX.length);
  const { gsi2pk, gsi2sk } = domainTreeKeys(domain);
  try {
    await db.send(new UpdateCommand({
      TableName: table,
      Key: { pk, sk: item.sk },
      UpdateExpression: 'SET #gsi2pk = :gpk, #gsi2sk = :gsk',
      ConditionExpression: 'attribute_exists(#pk) AND attribute_not_exists(#gsi2pk)',
      ExpressionAttributeNames: { '#pk': 'pk', '#gsi2pk': 'gsi2pk', '#gsi2sk': 'gsi2sk' },
      ExpressionAttributeValues: { ':gpk': gsi2pk, ':gsk': gsi2sk },
    }));
    return true;
  } catch (err) {
    if (isConditionalFailure(err)) return false;
    throw err;
  }
}
