// The single-table layout: every key Relayguard writes to DynamoDB, in one
// place, so the stores, the CDK table and the tests agree on it.
//
// Why one table: every access pattern is known up front and keyed; the
// transactions we need (IP-user quota counter + item) stay inside one table;
// and there is one set of backups, PITR, alarms and grants to get right.
//
//   entity            pk                          sk               gsi1pk / gsi1sk                        gsi2pk / gsi2sk (sparse)
//   tenant            TENANT#<id>                 TENANT           TENANTS / <id>
//   token → tenant    TOKEN#<sha256>              TOKEN
//   domain            DOMAIN#<domain>             DOMAIN           TENANT#<id>#DOMAINS / <domain>         DOMAINTREE#<top label> / <labels reversed>.
//   SMTP user         USER#<username>             USER             TENANT#<id>#USERS / <username>
//   IP user           TENANT#<id>                 IPUSER#<id>      IPUSERS / <tenant>#<id>
//   IP-user count     TENANT#<id>                 IPUSERCOUNT
//   suppression       TENANT#<id>                 SUPP#<address>   TENANT#<id>#SUPPRESSIONS / <createdAt>#<address>
//   message           MSG#<id>                    MSG              TENANT#<id>#MSGS / <receivedAt>#<id>    TENANT#<id>#PENDING#<sender> / <receivedAt>#<id>
//   sender state      SENDER#<tenant>#<sender>    STATE            TENANT#<id>#SENDERS / <sender>
//   sender counters   SENDER#<tenant>#<sender>    CTR#<bucket>     (expire through TTL)
//   campaign member   CAMPAIGN#<content key>      M#<tenant>#<sender>  (expire through TTL)
//
// Items expire through the TTL attribute `ttl` (epoch seconds): counters and
// message-log entries. Tenant and sender-state items carry a `version` that
// every write checks and increments (compare-and-set). Entity fields are stored
// as top-level attributes next to these key attributes, which `stripKeys`
// removes on the way out.

export const TTL_ATTRIBUTE = 'ttl';
export const GSI1 = 'gsi1';
export const GSI2 = 'gsi2';

const KEY_ATTRS = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', TTL_ATTRIBUTE, 'version', 'entity'] as const;

export function stripKeys<T>(item: Record<string, unknown> | undefined): T | undefined {
  if (!item) return undefined;
  const out: Record<string, unknown> = { ...item };
  for (const k of KEY_ATTRS) delete out[k];
  return out as T;
}

/**
 * gsi2 keys of a domain item: the labels reversed (com.example.mail.), under
 * its top-level label, so the domains under one are a begins_with query —
 * what adding a domain checks for overlaps with other tenants'. Domains
 * written before these keys existed get them from the one-off backfill
 * (backfill-domain-tree.ts, `npm run migrate:dynamodb`).
 */
export function domainTreeKeys(domain: string): { gsi2pk: string; gsi2sk: string } {
  const labels = domain.toLowerCase().split('.').reverse();
  return { gsi2pk: `DOMAINTREE#${labels[0]}`, gsi2sk: `${labels.join('.')}.` };
}

export const key = {
  tenant: (id: string) => ({ pk: `TENANT#${id}`, sk: 'TENANT' }),
  token: (hash: string) => ({ pk: `TOKEN#${hash}`, sk: 'TOKEN' }),
  domain: (domain: string) => ({ pk: `DOMAIN#${domain.toLowerCase()}`, sk: 'DOMAIN' }),
  user: (username: string) => ({ pk: `USER#${username.toLowerCase()}`, sk: 'USER' }),
  ipUser: (tenantId: string, id: string) => ({ pk: `TENANT#${tenantId}`, sk: `IPUSER#${id}` }),
  ipUserCount: (tenantId: string) => ({ pk: `TENANT#${tenantId}`, sk: 'IPUSERCOUNT' }),
  message: (id: string) => ({ pk: `MSG#${id}`, sk: 'MSG' }),
  sender: (tenantId: string, sender: string) => ({ pk: `SENDER#${tenantId}#${sender}`, sk: 'STATE' }),
  counter: (tenantId: string, sender: string, bucket: string) => ({ pk: `SENDER#${tenantId}#${sender}`, sk: `CTR#${bucket}` }),
};

/** The table definition the tests create on DynamoDB Local; cdk/ declares the same. */
export function tableDefinition(tableName: string) {
  const s = (name: string) => ({ AttributeName: name, AttributeType: 'S' as const });
  const gsi = (name: string) => ({
    IndexName: name,
    KeySchema: [
      { AttributeName: `${name}pk`, KeyType: 'HASH' as const },
      { AttributeName: `${name}sk`, KeyType: 'RANGE' as const },
    ],
    Projection: { ProjectionType: 'ALL' as const },
  });
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [s('pk'), s('sk'), s('gsi1pk'), s('gsi1sk'), s('gsi2pk'), s('gsi2sk')],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' as const },
      { AttributeName: 'sk', KeyType: 'RANGE' as const },
    ],
    GlobalSecondaryIndexes: [gsi(GSI1), gsi(GSI2)],
  };
}

/** The Powertools idempotency table: records which deliver jobs already ran. */
export function idempotencyTableDefinition(tableName: string) {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' as const }],
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' as const }],
  };
}

export function isConditionalFailure(err: unknown): boolean {
  const name = (err as { name?: string }).name;
  return name === 'ConditionalCheckFailedException';
}

/** Why each item of a cancelled transaction was refused (`None` for the ones that were fine); undefined for any other error. */
export function cancellationCodes(err: unknown): string[] | undefined {
  if ((err as { name?: string }).name !== 'TransactionCanceledException') return undefined;
  const reasons = (err as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  return reasons.map((r) => r.Code ?? 'None');
}

/** A transaction cancelled because one of its conditions failed; `index` says which item. */
export function cancelledConditions(err: unknown): number[] | undefined {
  return cancellationCodes(err)?.flatMap((code, i) => (code === 'ConditionalCheckFailed' ? [i] : []));
}
