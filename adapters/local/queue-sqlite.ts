// A job queue in SQLite with SQS semantics: a received job is invisible for
// `visibilitySeconds`; unacknowledged, it comes back (at-least-once). Jobs
// that fail `maxAttempts` times move to the dead-letter queue `<name>-dlq`.
import { writeTransaction, type Db } from './sqlite.js';
import type { Clock, JobQueue } from '../../core/ports.js';

export interface ReceivedJob<J> {
  id: number;
  job: J;
  /** How many times this job has been received, this time included. */
  attempts: number;
}

export interface LocalQueue<J> extends JobQueue<J> {
  receive(max: number, visibilitySeconds: number): Promise<ReceivedJob<J>[]>;
  ack(id: number): Promise<void>;
  /** Makes the job visible again after `delaySeconds` (a retry). */
  release(id: number, delaySeconds: number): Promise<void>;
  /** Moves the job to the dead-letter queue. */
  deadLetter(id: number): Promise<void>;
  recoverLeased(): number;
  depth(): number;
}

export class SqliteQueue<J> implements LocalQueue<J> {
  private readonly insert;
  private readonly select;
  private readonly take;
  private readonly del;
  private readonly delay;
  private readonly move;
  private readonly count;

  constructor(private readonly db: Db, readonly name: string, private readonly clock: Clock) {
    this.insert = db.prepare('INSERT INTO jobs (queue, payload, visible_at, created_at) VALUES (?, ?, ?, ?)');
    this.select = db.prepare('SELECT id, payload, attempts FROM jobs WHERE queue = ? AND visible_at <= ? ORDER BY visible_at, id LIMIT ?');
    this.take = db.prepare('UPDATE jobs SET visible_at = ?, attempts = attempts + 1, leased = 1 WHERE id = ?');
    this.del = db.prepare('DELETE FROM jobs WHERE id = ?');
    this.delay = db.prepare('UPDATE jobs SET visible_at = ?, leased = 0 WHERE id = ?');
    this.move = db.prepare("UPDATE jobs SET queue = queue || '-dlq', leased = 0 WHERE id = ?");
    this.count = db.prepare('SELECT count(*) AS n FROM jobs WHERE queue = ?');
  }

  async send(job: J, delaySeconds = 0): Promise<void> {
    const now = this.clock.now().getTime();
    this.insert.run(this.name, JSON.stringify(job), now + delaySeconds * 1000, now);
  }

  /** Same as send, synchronous: for use inside another transaction. */
  sendSync(job: J, delaySeconds = 0): void {
    const now = this.clock.now().getTime();
    this.insert.run(this.name, JSON.stringify(job), now + delaySeconds * 1000, now);
  }

  async receive(max: number, visibilitySeconds: number): Promise<ReceivedJob<J>[]> {
    const now = this.clock.now().getTime();
    return writeTransaction(this.db, () => {
      const rows = this.select.all(this.name, now, max) as { id: number; payload: string; attempts: number }[];
      for (const r of rows) this.take.run(now + visibilitySeconds * 1000, r.id);
      return rows.map((r) => ({ id: r.id, job: JSON.parse(r.payload) as J, attempts: r.attempts + 1 }));
    })();
  }

  async ack(id: number): Promise<void> {
    this.del.run(id);
  }

  async release(id: number, delaySeconds: number): Promise<void> {
    this.delay.run(this.clock.now().getTime() + delaySeconds * 1000, id);
  }

  async deadLetter(id: number): Promise<void> {
    this.move.run(id);
  }

  /**
   * Makes jobs that were being worked on visible again. Only for a process
   * that is this queue's sole consumer, at start: whatever was leased
   * belonged to a process that died (jobs delayed on purpose are not leased).
   */
  recoverLeased(): number {
    return this.db.prepare('UPDATE jobs SET visible_at = ?, leased = 0 WHERE queue = ? AND leased = 1').run(this.clock.now().getTime(), this.name).changes;
  }

  depth(): number {
    return (this.count.get(this.name) as { n: number }).n;
  }
}
