// The whole contract: one list of behaviours every adapter set must show.
// test/contract/local.test.ts and aws.test.ts run it against their factories.
import { spoolAndIntakeContract } from './spool-intake.contract.js';
import { tenantStoreContract } from './tenant-store.contract.js';
import { messageStoreContract } from './message-store.contract.js';
import { releaseOnceContract } from './release-once.contract.js';
import { senderStoreContract } from './sender-store.contract.js';
import { knownRecipientsContract } from './known-recipients.contract.js';
import { countedOnceContract } from './counted-once.contract.js';
import { outcomeOnceContract } from './outcome-once.contract.js';
import { suppressionStoreContract } from './suppression-store.contract.js';
import { campaignIndexContract } from './campaign-index.contract.js';
import type { StoresFactory } from './factory.js';

export function storesContract(factory: StoresFactory): void {
  spoolAndIntakeContract(factory);
  tenantStoreContract(factory);
  messageStoreContract(factory);
  releaseOnceContract(factory);
  senderStoreContract(factory);
  knownRecipientsContract(factory);
  countedOnceContract(factory);
  outcomeOnceContract(factory);
  suppressionStoreContract(factory);
  campaignIndexContract(factory);
}
