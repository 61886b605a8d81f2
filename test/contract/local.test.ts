// The store contract against the embedded adapters (SQLite + spool folder).
import { describe } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLocalStores } from '../../adapters/local/index.js';
import { storesContract } from './suite.js';
import type { ContractStores, TestClock } from './factory.js';

function open(dir: string, clock: TestClock, owner: boolean): ContractStores {
  const s = openLocalStores(dir, clock);
  return {
    ...s,
    receiveScoreJobs: async () => (await s.scoreQueue.receive(10, 30)).map((r) => r.job),
    reopen: async () => open(dir, clock, false),
    close: async () => {
      s.close();
      if (owner) rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe('local adapters (SQLite, spool folder)', () => {
  storesContract(async (clock) => open(mkdtempSync(join(tmpdir(), 'rg-contract-')), clock, true));
});
