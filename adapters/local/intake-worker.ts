// The intake's committer, on its own thread with its own SQLite connection.
// Each batch from the SMTP side (records plus small bodies) is written in one
// transaction, then the WAL is fdatasynced; only then does the reply go back
// and SMTP say 250. Running here keeps the SQLite work, WAL checkpoints and
// any wait for the write lock (another ingress process committing) off the
// event loop that serves the SMTP sessions.
import { parentPort, workerData } from 'node:worker_threads';
import { fdatasyncSync, openSync } from 'node:fs';
import type { ScoreJob } from '../../core/ports.js';
import { openDb, writeTransaction } from './sqlite.js';
import { SqliteMessageStore, type MessageRow } from './message-store.js';
import { SqliteQueue } from './queue-sqlite.js';

export interface CommitRequest {
  seq: number;
  /** The SMTP side's clock, for the jobs' timestamps. */
  now: number;
  /** Log rows, and the spool keys of small bodies with their lengths in `bodies` (0: the body is a file). */
  items: { row: MessageRow; key: string; bodyLength: number }[];
  /** The small bodies end to end, in item order: one buffer, transferred rather than copied item by item. */
  bodies: ArrayBuffer;
}
export type CommitReply = { seq: number; error?: string };

const { file } = workerData as { file: string };
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

parentPort!.on('message', (req: CommitRequest) => {
  const reply: CommitReply = { seq: req.seq };
  try {
    now = req.now;
    commit(req);
    if (req.items.length === 0) return void parentPort!.postMessage(reply); // a warm-up: the connection is open, nothing to sync
    // synchronous=NORMAL wrote the frames without fsync; this makes them durable (fsync is per file).
    wal ??= openWal();
    fdatasyncSync(wal);
  } catch (err) {
    reply.error = err instanceof Error ? err.message : String(err);
  }
  parentPort!.postMessage(reply);
});
