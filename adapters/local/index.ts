// Wiring of the embedded storage: one SQLite file and one spool folder in
// DATA_DIR. Two connections: the intake's, on its committer thread
// (group-committed accepts, fsynced before SMTP says 250), and `work`
// (worker and API updates).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock, type Clock, type DeliverJob, type Intake, type MessageStore, type ScoreJob, type SenderStore, type SpoolStore, type SuppressionStore, type TenantStore } from '../../core/ports.js';
import { openDb, type Db } from './sqlite.js';
import { FsSpool } from './spool-fs.js';
import { SqliteQueue, type LocalQueue } from './queue-sqlite.js';
import { SqliteTenantStore } from './tenant-store.js';
import { SqliteMessageStore } from './message-store.js';
import { SqliteSenderStore } from './sender-store.js';
import { SqliteSuppressionStore } from './suppression-store.js';
import { GroupCommitIntake } from './intake-sqlite.js';
import { SqliteCampaignIndex } from './campaign-index.js';
import type { CampaignIndex } from '../../core/reputation/ports.js';

export type { LocalQueue, ReceivedJob } from './queue-sqlite.js';

export interface LocalStores {
  spool: SpoolStore;
  tenants: TenantStore;
  messages: MessageStore;
  senders: SenderStore;
  /** The tenants' suppression lists (core/suppression). */
  suppressions: SuppressionStore;
  intake: Intake & { stats: { batches: number; messages: number }; warm(): Promise<void> };
  scoreQueue: LocalQueue<ScoreJob>;
  deliverQueue: LocalQueue<DeliverJob>;
  campaigns: CampaignIndex;
  /** The worker connection, for small local extras (kv settings). */
  db: Db;
  close(): void;
}

export function openLocalStores(dataDir: string, clock: Clock = systemClock): LocalStores {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'relayguard.db');
  const work = openDb(file);
  const spool = new FsSpool(join(dataDir, 'spool'), work);
  const messages = new SqliteMessageStore(work);
  // The intake commits on its own thread and connection, fsyncing the WAL itself before SMTP says 250.
  const intake = new GroupCommitIntake(file, spool, clock);
  return {
    spool,
    tenants: new SqliteTenantStore(work),
    messages,
    senders: new SqliteSenderStore(work, clock),
    suppressions: new SqliteSuppressionStore(work),
    intake,
    scoreQueue: new SqliteQueue<ScoreJob>(work, 'score', clock),
    deliverQueue: new SqliteQueue<DeliverJob>(work, 'deliver', clock),
    campaigns: new SqliteCampaignIndex(work),
    db: work,
    close() {
      void intake.close();
      work.close();
    },
  };
}
