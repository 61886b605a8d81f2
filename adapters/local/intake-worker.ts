// The intake's committer, on its own thread with its own SQLite connection.
// Each batch from the SMTP side (records plus small bodies) is written in one
// transaction, then the WAL is fdatasynced; only then does the reply go back
// and SMTP say 250. Running here keeps the SQLite work, WAL checkpoints and
// any wait for the write lock (another ingress process committing) off the
// event loop that serves the SMTP sessions.
//
// A sync that fails after the transaction committed leaves rows that every
// other connection already sees, for messages whose sessions will hear 451
// and send again: kept, they would be delivered twice. So the committer
// removes them again at once — a compensating delete of the batch's log rows,
// score jobs (and deliver jobs, should a worker have got that far), and
// inline bodies, in a new transaction, synced like any batch — and only then
// replies. We compensate rather than prevent: hiding the rows until the sync
// is done would cost the happy path a second write per batch, or the write
// lock held across every fsync (which serializes the ingress processes), and
// this path runs only when the disk has failed.
//
// What the compensation cannot undo is work done while the failing fdatasync
// ran: a score worker that took the job then finds the message gone if it
// had not yet read it; if it had read the record and body, it writes the
// record back with no body behind it, which ends bounced ("body missing",
// a DSN to the sender) rather than delivered — only a sync that outlasts
// both a score and a deliver pass could let the message out. If the compensation itself cannot be committed
// and synced, what is on disk is unknown (after a failed fsync Linux may drop
// the unwritten pages, so even a later successful sync proves little): the
// reply says `fatal`, and the intake stops taking mail (intake-sqlite.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { fdatasyncSync, openSync } from 'node:fs';
import type { ScoreJob } from '../../core/ports.js';
import { openDb, writeTransaction } from './sqlite.js';
import { SqliteMessageStore, type MessageRow } from './message-store.js';
import { SqliteQueue } from './queue-sqlite.js';

export interface CommitterData {
  /** The SQLite database file. */
  file: string;
  /**
   * TEST ONLY (fault injection): the numbers of this thread's WAL syncs,
   * counted from 1 (compensations included), that throw EIO as a failing
   * fdatasync would. @default none: every sync is real
   */
  failWalSyncs?: number[];
}

export interface CommitRequest {
  seq: number;
  /** The SMTP side's clock, for the jobs' timestamps. */
  now: number;
  /** Log rows, and the spool keys of small bodies with their lengths in `bodies` (0: the body is a file). */
  items: { row: MessageRow; key: string; bodyLength: number }[];
  /** The small bodies end to end, in item order: one buffer, transferred rather than copied item by item. */
  bodies: ArrayBuffer;
}
export type CommitReply = {
  seq: number;
  /** The batch is not durable: its sessions must not get 250. */
  error?: string;
  /** The batch had committed and its rows were deleted again: its large-body files are to be deleted too. */
  removed?: boolean;
  /** The batch's rows could not be removed durably: the storage is in an unknown state, take no more mail. */
  fatal?: boolean;
};

const { file, failWalSyncs } = workerData as CommitterData;
const db = openDb(file);
const messages = new SqliteMessageStore(db);
let now = 0;
const scoreQueue = new SqliteQueue<ScoreJob>(db, 'score', { now: () => new Date(now) });
const putBlob = db.prepare('INSERT OR REPLACE INTO spool_blobs (key, data) VALUES (?, ?)');
const openWal = (): number => openSync(`${file}-wal`, 'r+');
// Opened now, while the thread starts (openDb has created the WAL file, and this connection keeps it), not at
// the first commit: under a connection flood an open can fail (EMFILE) after a batch is already committed.
let wal: number | undefined = (() => { try { return openWal(); } catch { return undefined; } })();

const commit = writeTransaction(db, ({ items, bodies }: CommitRequest) => {
  let at = 0;
  for (const { row, key, bodyLength } of items) {
    if (bodyLength > 0) putBlob.run(key, Buffer.from(bodies, at, bodyLength));
    at += bodyLength;
    messages.putRowSync(row);
    scoreQueue.sendSync({ messageId: row.id });
  }
});

// The compensation's statements, prepared at start so that a failing disk finds nothing left to prepare.
const delBlob = db.prepare('DELETE FROM spool_blobs WHERE key = ?');
const delMessage = db.prepare('DELETE FROM messages WHERE id = ?');
const delJobs = db.prepare("DELETE FROM jobs WHERE queue IN ('score', 'deliver') AND json_extract(payload, '$.messageId') = ?");
const removeBatch = writeTransaction(db, (items: CommitRequest['items']) => {
  for (const { row, key } of items) {
    delBlob.run(key);
    delMessage.run(row.id);
    delJobs.run(row.id);
  }
});

let syncs = 0;
const failing = failWalSyncs?.length ? new Set(failWalSyncs) : undefined;
if (failing) process.stderr.write(`intake committer: TEST fault injection armed, WAL syncs ${[...failing].join(', ')} will fail with EIO\n`);

/** synchronous=NORMAL wrote the frames without fsync; this makes them durable (fsync is per file). */
function syncWal(): void {
  if (failing?.has(++syncs)) {
    throw Object.assign(new Error(`EIO: i/o error, fdatasync (injected: WAL sync ${syncs})`), { code: 'EIO', errno: -5, syscall: 'fdatasync' });
  }
  wal ??= openWal();
  fdatasyncSync(wal);
}

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

parentPort!.on('message', (req: CommitRequest) => {
  const reply: CommitReply = { seq: req.seq };
  let committed = false;
  try {
    now = req.now;
    commit(req);
    committed = true;
    if (req.items.length === 0) return void parentPort!.postMessage(reply); // a warm-up: the connection is open, nothing to sync
    syncWal();
  } catch (err) {
    reply.error = messageOf(err);
    if (committed) {
      try {
        removeBatch(req.items);
        reply.removed = true;
        syncWal();
        reply.error += ' (after the commit; the batch was removed again)';
      } catch (undo) {
        reply.fatal = true;
        reply.error += ` (after the commit; removing the batch again failed too: ${messageOf(undo)})`;
      }
    }
  }
  parentPort!.postMessage(reply);
});
