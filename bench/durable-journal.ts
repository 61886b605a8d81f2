// The least a durable SMTP server can do per message, for the bench's
// "durable floor" baseline: append the data to one journal file and reply
// only after an fdatasync, group-committed like Relayguard's intake (all
// messages that finished in one event-loop turn share one write and one
// sync; the next batch fills while one syncs). No envelope record, no log,
// no policy, no parsing.
//
// The journal is a ring in a file zeroed and synced at start, so a sync never
// has to commit a grown file size or newly allocated blocks — the cheapest
// fdatasync the file system offers, as SQLite's reused WAL file gets.
import { fdatasync, fsyncSync, openSync, writeSync, writev } from 'node:fs';

const RING_BYTES = 64 * 1024 * 1024;

export function openDurableJournal(file: string): (chunks: Buffer[], done: (err?: Error) => void) => void {
  const fd = openSync(file, 'w');
  const zero = Buffer.alloc(1024 * 1024);
  for (let at = 0; at < RING_BYTES; at += zero.length) writeSync(fd, zero);
  fsyncSync(fd);

  let pos = 0;
  let batch: { chunks: Buffer[]; done: (err?: Error) => void }[] = [];
  let syncing = false;
  let scheduled = false;

  const flush = () => {
    scheduled = false;
    if (batch.length === 0) return;
    const taken = batch;
    batch = [];
    syncing = true;
    const chunks = taken.flatMap((m) => m.chunks);
    const size = chunks.reduce((n, c) => n + c.length, 0);
    if (pos + size > RING_BYTES) pos = 0; // wrap: the bench only measures the cost, nothing reads the journal back
    const at = pos;
    pos += size;
    const finish = (err: Error | null) => {
      syncing = false;
      for (const m of taken) m.done(err ?? undefined);
      schedule();
    };
    writev(fd, chunks, at, (err) => (err ? finish(err) : fdatasync(fd, finish)));
  };
  const schedule = () => {
    if (scheduled || syncing || batch.length === 0) return;
    scheduled = true;
    setImmediate(flush);
  };

  return (chunks, done) => {
    batch.push({ chunks, done });
    schedule();
  };
}
