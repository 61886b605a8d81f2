// Group commit for accepted mail. Each accept() joins the current batch; one
// SQLite transaction records the whole batch's small message bodies, log
// entries and score jobs, after one fsync per spool folder that gained a
// large message's file. Every caller's promise resolves only after the
// commit is on disk: SMTP then says 250.
//
// The commit's fsync runs off the event loop. The connection commits with
// synchronous=NORMAL (SQLite writes the WAL frames, no fsync), then we
// fdatasync the WAL file ourselves through libuv's thread pool: fsync is per
// file, not per descriptor, so that makes the frames durable exactly as
// synchronous=FULL would, while the SMTP sessions keep being served. (A
// checkpoint that moves frames out of the WAL first syncs the database file
// in NORMAL mode, so frames checkpointed meanwhile are durable too.)
import { promises as fsp } from 'node:fs';
import type { Intake, ScoreJob } from '../../core/ports.js';
import type { MessageRecord } from '../../core/model.js';
import type { Db } from './sqlite.js';
import type { SqliteMessageStore } from './message-store.js';
import type { SqliteQueue } from './queue-sqlite.js';
import type { FsSpool } from './spool-fs.js';

interface Pending {
  record: MessageRecord;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class GroupCommitIntake implements Intake {
  private batch: Pending[] = [];
  private scheduled = false;
  private flushing = false;
  private readonly putBlob;
  private wal: fsp.FileHandle | undefined;
  /** Batches committed and messages in them: the bench reports the average batch size. */
  readonly stats = { batches: 0, messages: 0 };

  constructor(
    private readonly db: Db,
    private readonly messages: SqliteMessageStore,
    private readonly scoreQueue: SqliteQueue<ScoreJob>,
    private readonly spool: FsSpool,
    /** The database's WAL file (`<db>-wal`). */
    private readonly walPath: string,
  ) {
    this.putBlob = db.prepare('INSERT OR REPLACE INTO spool_blobs (key, data) VALUES (?, ?)');
  }

  accept(record: MessageRecord): Promise<void> {
    return new Promise((resolve, reject) => {
      this.batch.push({ record, resolve, reject });
      this.schedule();
    });
  }

  /** Closes the WAL handle (the stores are closing). */
  async close(): Promise<void> {
    await this.wal?.close();
    this.wal = undefined;
  }

  private schedule(): void {
    if (this.scheduled || this.flushing) return;
    this.scheduled = true;
    // setImmediate lets every session whose data finished in this turn join the batch.
    setImmediate(() => void this.flush());
  }

  /** One batch at a time: while one is being made durable, the next one fills up. */
  private async flush(): Promise<void> {
    this.scheduled = false;
    if (this.batch.length === 0) return;
    const batch = this.batch;
    this.batch = [];
    this.flushing = true;
    try {
      await this.spool.syncDirs();
      this.db.transaction(() => {
        for (const p of batch) {
          const body = this.spool.takePending(p.record.spoolKey);
          if (body) this.putBlob.run(p.record.spoolKey, body);
          this.messages.putSync(p.record);
          this.scoreQueue.sendSync({ messageId: p.record.id });
        }
      })();
      this.wal ??= await fsp.open(this.walPath, 'r+');
      await this.wal.datasync();
      this.stats.batches++;
      this.stats.messages += batch.length;
      for (const p of batch) p.resolve();
    } catch (err) {
      for (const p of batch) p.reject(err);
    } finally {
      this.flushing = false;
      if (this.batch.length) this.schedule();
    }
  }
}
