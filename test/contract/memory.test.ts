// The parts of the store contract the in-memory adapters implement (sender
// state, counters and known recipients, the message log and its releases, the campaign index)
// — the adapters the compromise simulation and the reputation tests run on,
// so their figures rest on the same behaviour as SQLite and DynamoDB. The other ports
// come from the embedded adapters, which the contract covers in local.test.ts.
import { describe } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLocalStores } from '../../adapters/local/index.js';
import { MemoryCampaignIndex } from '../../adapters/memory/campaign-index.js';
import { MemoryMessageStore } from '../../adapters/memory/message-store.js';
import { MemorySenderStore } from '../../adapters/memory/sender-store.js';
import { messageStoreContract } from './message-store.contract.js';
import { releaseOnceContract } from './release-once.contract.js';
import { senderStoreContract } from './sender-store.contract.js';
import { knownRecipientsContract } from './known-recipients.contract.js';
import { countedOnceContract } from './counted-once.contract.js';
import { outcomeOnceContract } from './outcome-once.contract.js';
import { campaignIndexContract } from './campaign-index.contract.js';
import type { ContractStores, StoresFactory, TestClock } from './factory.js';

interface Memory { senders: MemorySenderStore; messages: MemoryMessageStore; campaigns: MemoryCampaignIndex }

/** "Another handle" on memory stores is the same objects: one process, one heap. */
function open(dir: string, clock: TestClock, mem: Memory, owner: boolean): ContractStores {
  const s = openLocalStores(dir, clock);
  return {
    ...s,
    ...mem,
    receiveScoreJobs: async () => (await s.scoreQueue.receive(10, 30)).map((r) => r.job),
    reopen: async () => open(dir, clock, mem, false),
    close: async () => {
      s.close();
      if (owner) rmSync(dir, { recursive: true, force: true });
    },
  };
}

const factory: StoresFactory = async (clock) => open(mkdtempSync(join(tmpdir(), 'rg-contract-mem-')), clock,
  { senders: new MemorySenderStore(clock), messages: new MemoryMessageStore(), campaigns: new MemoryCampaignIndex() }, true);

describe('memory adapters (senders, message log, campaign index)', () => {
  senderStoreContract(factory);
  knownRecipientsContract(factory);
  countedOnceContract(factory);
  outcomeOnceContract(factory);
  messageStoreContract(factory);
  releaseOnceContract(factory);
  campaignIndexContract(factory);
});
