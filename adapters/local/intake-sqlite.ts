// Group commit for accepted mail. Each accept() joins the current batch; one
// SQLite transaction records the whole batch's small message bodies, log
// entries and score jobs, after one fsync per spool folder that gained a
// large message's file. Every caller's promise resolves only after the
// commit is on disk: SMTP then says 250.
//
// The transaction and its fsync run on a worker thread (intake-worker.ts)
// with its own connection: the connection commits with synchronous=NORMAL
// (SQLite writes the WAL frames, no fsync), then the worker fdatasyncs the
// WAL file itself — fsync is per file, not per descriptor, so that makes the
// frames durable exactly as synchronous=FULL would. (A checkpoint that moves
// frames out of the WAL first syncs the database file in NORMAL mode, so
// frames checkpointed meanwhile are durable too.) The event loop meanwhile
// keeps serving SMTP sessions, and the next batch fills.
//
// A batch whose sync fails after its transaction committed is deleted again
// by the committer before its sessions hear 451 (see intake-worker.ts), and
// its large-body files here; if even that cannot be made durable, the
// intake stops: every later message gets 451 until the process is restarted.
import { Worker } from 'node:worker_threads';
import type { Clock, Intake } from '../../core/ports.js';
import type { MessageRecord } from '../../core/model.js';
import type { FsSpool } from './spool-fs.js';
import { messageRow } from './message-store.js';
import type { CommitReply, CommitRequest, CommitterData } from './intake-worker.js';

export interface GroupCommitOptions {
  /**
   * TEST ONLY (fault injection; production never sets it): the committer's
   * WAL syncs, counted from 1 per committer thread (compensations included),
   * that throw EIO after their batch committed, as a failing fdatasync would.
   * @default from RELAYGUARD_TEST_FAIL_WAL_SYNC (comma-separated numbers, set only by tests); else none
   */
  readonly failWalSyncs?: readonly number[];
}

/** The test-only fault list from the environment; a malformed value is refused rather than ignored. */
function failWalSyncsFromEnv(value = process.env.RELAYGUARD_TEST_FAIL_WAL_SYNC): number[] | undefined {
  if (!value) return undefined;
  const syncs = value.split(',').map((v) => Number(v.trim()));
  if (!syncs.every((n) => Number.isInteger(n) && n > 0)) {
    throw new Error(`RELAYGUARD_TEST_FAIL_WAL_SYNC (test only) must be WAL sync numbers from 1, comma-separated; got ${JSON.stringify(value)}`);
  }
  return syncs;
}

/** A commit that failed; `removed` when its rows had been committed and were deleted again (its files are to go too). */
class CommitError extends Error {
  constructor(message: string, readonly removed: boolean) { super(message); }
}

interface Pending {
  record: MessageRecord;
  resolve: () => void;
  reject: (err: unknown) => void;
}

// Under tsx (npm start, the tests) the module is TypeScript and the worker needs tsx registered; a build would ship .js.
const WORKER_URL = new URL(import.meta.url.endsWith('.ts') ? './intake-worker-tsx.mjs' : './intake-worker.js', import.meta.url);

/** The batch's small bodies end to end, copied once from their chunks into one unpooled buffer that can be transferred to the committer. */
function packBodies(bodies: (Uint8Array[] | undefined)[]): ArrayBuffer {
  let total = 0;
  for (const chunks of bodies) if (chunks) for (const c of chunks) total += c.length;
  const out = Buffer.allocUnsafeSlow(total);
  let at = 0;
  for (const chunks of bodies) if (chunks) for (const c of chunks) { out.set(c, at); at += c.length; }
  return out.buffer as ArrayBuffer;
}

const lengthOf = (chunks: Uint8Array[] | undefined): number => (chunks ? chunks.reduce((n, c) => n + c.length, 0) : 0);

export class GroupCommitIntake implements Intake {
  private batch: Pending[] = [];
  private scheduled = false;
  private flushing = false;
  private worker: Worker | undefined;
  private seq = 0;
  private readonly waiting = new Map<number, { resolve: () => void; reject: (err: unknown) => void }>();
  /** Set once a batch could be neither made durable nor removed durably: nothing more is accepted. */
  private stopped: Error | undefined;
  private readonly failWalSyncs: number[] | undefined;
  /** Batches committed and messages in them (printed when the gateway stops). */
  readonly stats = { batches: 0, messages: 0 };

  constructor(
    /** The SQLite database file; the worker opens its own connection to it. */
    private readonly file: string,
    private readonly spool: FsSpool,
    private readonly clock: Clock,
    options: GroupCommitOptions = {},
  ) {
    this.failWalSyncs = options.failWalSyncs ? [...options.failWalSyncs] : failWalSyncsFromEnv();
  }

  accept(record: MessageRecord): Promise<void> {
    return new Promise((resolve, reject) => {
      this.batch.push({ record, resolve, reject });
      this.schedule();
    });
  }

  /**
   * Starts the committer thread and waits until its connection is open (an
   * empty commit), so the first message after start does not wait for the
   * thread to load.
   */
  async warm(): Promise<void> {
    await this.commit([], new ArrayBuffer(0));
  }

  /** Stops the committer thread (the stores are closing). */
  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    await w?.terminate();
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
    let bodies: (Uint8Array[] | undefined)[] | undefined;
    try {
      await this.spool.syncDirs();
      const taken = (bodies = batch.map((p) => this.spool.takePending(p.record.spoolKey)));
      const items = batch.map((p, i) => ({ row: messageRow(p.record), key: p.record.spoolKey, bodyLength: lengthOf(taken[i]) }));
      await this.commit(items, packBodies(taken));
      this.stats.batches++;
      this.stats.messages += batch.length;
      for (const p of batch) p.resolve();
    } catch (err) {
      // The batch's rows were committed and deleted again: its large bodies' files go too, before anyone hears 451.
      const taken = bodies;
      if (err instanceof CommitError && err.removed && taken) {
        await this.spool.removeFiles(batch.filter((_, i) => taken[i] === undefined).map((p) => p.record.spoolKey)).catch(() => {});
      }
      for (const p of batch) p.reject(err);
    } finally {
      this.flushing = false;
      if (this.batch.length) this.schedule();
    }
  }

  private commit(items: CommitRequest['items'], bodies: ArrayBuffer): Promise<void> {
    if (this.stopped) return Promise.reject(this.stopped);
    const worker = this.ensureWorker();
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      this.waiting.set(seq, { resolve, reject });
      worker.ref(); // an awaited commit keeps the process alive; an idle committer does not
      worker.postMessage({ seq, now: this.clock.now().getTime(), items, bodies } satisfies CommitRequest, [bodies]);
    });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_URL, { workerData: { file: this.file, ...(this.failWalSyncs ? { failWalSyncs: this.failWalSyncs } : {}) } satisfies CommitterData });
    worker.unref();
    worker.on('message', (reply: CommitReply) => {
      const w = this.waiting.get(reply.seq);
      this.waiting.delete(reply.seq);
      if (this.waiting.size === 0) worker.unref();
      if (reply.fatal) this.stop(new Error(`intake stopped: a batch could not be made durable nor removed again: ${reply.error}`));
      if (!w) return;
      if (reply.error) w.reject(new CommitError(`intake commit failed: ${reply.error}`, reply.removed === true));
      else w.resolve();
    });
    // A dead committer fails what it held (those sessions get 451 and retry) and is replaced on the next batch.
    const fail = (err: unknown) => {
      if (this.worker === worker) this.worker = undefined;
      for (const w of this.waiting.values()) w.reject(err);
      this.waiting.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`intake committer exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }

  /**
   * After a batch that is neither durable nor durably removed, the storage is
   * in an unknown state: the committer is stopped and every later message is
   * refused with a temporary failure (451), so clients keep their mail until
   * an operator has looked at the disk and restarted the gateway.
   */
  private stop(reason: Error): void {
    if (this.stopped) return;
    this.stopped = reason;
    process.stdout.write(JSON.stringify({ t: new Date().toISOString(), event: 'INTAKE_STOPPED', error: reason.message }) + '\n');
    void this.close();
  }
}
