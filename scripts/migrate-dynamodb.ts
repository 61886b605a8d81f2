// `npm run migrate:dynamodb` — the one-off data migrations of the DynamoDB
// table, for an operator to run after deploying (docs/aws.md). Today one:
// the gsi2 keys of domain items written before listDomainsUnder existed
// (adapters/aws/dynamo/backfill-domain-tree.ts). Safe to run again and while
// the gateway serves mail.
//
// Reads the environment the functions read: TABLE_NAME (required), AWS_REGION,
// and AWS_ENDPOINT_URL_DYNAMODB for DynamoDB Local; credentials come from the
// usual AWS chain (profile, SSO, environment) and need Scan and UpdateItem on the table.
// Prints one JSON line per scan page and a last one with the totals.
import { clientOptionsFromEnv } from '../adapters/aws/env.js';
import { createDocumentClient } from '../adapters/aws/dynamo/client.js';
import { backfillDomainTreeKeys } from '../adapters/aws/dynamo/backfill-domain-tree.js';

async function main(): Promise<void> {
  const table = process.env.TABLE_NAME;
  if (!table) throw new Error('environment variable TABLE_NAME is required: the Relayguard table\'s name (docs/aws.md, "Data migrations")');
  const { db, destroy } = createDocumentClient(clientOptionsFromEnv());
  try {
    const totals = await backfillDomainTreeKeys(db, table, {
      onPage: (t) => console.log(JSON.stringify({ event: 'MIGRATE_DOMAIN_TREE_PAGE', table, ...t })),
    });
    console.log(JSON.stringify({ event: 'MIGRATE_DOMAIN_TREE_DONE', table, ...totals }));
  } finally {
    destroy();
  }
}

main().catch((err: unknown) => {
  console.error(JSON.stringify({ event: 'MIGRATE_FAILED', error: err instanceof Error ? err.message : String(err) }));
  process.exitCode = 1;
});
