// Per-sender state and bucketed counters in SQLite. `save` is a compare-and-set
// on `version`; `increment` is one UPSERT … RETURNING, so concurrent workers
// (even in other processes on the same file) never lose an update.
// `incrementOnce` claims a per-message marker row and runs the increments in
// the same immediate transaction (see there).
// Known recipients are rows of the counters table too (see below).
import { stmt, writeTransaction, type Db } from './sqlite.js';
import type { Clock, SenderStore } from '../../core/ports.js';
import type { SenderRecord } from '../../core/model.js';
import { sameKnownRecipientEntry, zeroDeltas, type CountedOnce, type CounterIncrement, type KnownRecipientEntry } from '../../core/reputation/ports.js';

/**
 * A known recipient is one counters row in its own bucket (`r:<hash>`): name
 * `lastContact`, value the last contact in epoch ms, `expires_at` the entry's
 * expiry, so the counters sweep removes it. A row named `n` is the old
 * first-contact counter (no last contact); writing the entry replaces it.
 */
const LAST_CONTACT = 'lastContact';
const LEGACY_COUNT = 'n';
/** The name of incrementOnce's marker row (in the bucket core names, `msg:<message id>`). */
const COUNTED = 'counted';
const READ_KNOWN = `SELECT name, value, expires_at FROM counters WHERE tenant_id = ? AND sender = ? AND bucket = ? AND name IN ('${LAST_CONTACT}', '${LEGACY_COUNT}')`;

export class SqliteSenderStore implements SenderStore {
  private readonly bump;
  private readonly claim;
  private readonly sweepStmt;
  private lastSweep = 0;

  constructor(private readonly db: Db, private readonly clock: Clock) {
    this.bump = db.prepare(`INSERT INTO counters (tenant_id, sender, bucket, name, value, expires_at) VALUES (@t, @s, @b, @n, @v, @e)
      ON CONFLICT (tenant_id, sender, bucket, name) DO UPDATE SET
        value = CASE WHEN counters.expires_at <= @now THEN excluded.value ELSE counters.value + excluded.value END,
        expires_at = CASE WHEN counters.expires_at <= @now THEN excluded.expires_at ELSE counters.expires_at END
      RETURNING value`);
    // The marker of incrementOnce: inserted, or taken over when it has expired but not been swept; `changes` is 0 when a live one is there.
    this.claim = db.prepare(`INSERT INTO counters (tenant_id, sender, bucket, name, value, expires_at) VALUES (@t, @s, @b, '${COUNTED}', 1, @e)
      ON CONFLICT (tenant_id, sender, bucket, name) DO UPDATE SET value = 1, expires_at = excluded.expires_at WHERE counters.expires_at <= @now`);
    this.sweepStmt = db.prepare('DELETE FROM counters WHERE expires_at <= ?');
  }

  async get(tenantId: string, sender: string) {
    const row = stmt(this.db, 'SELECT version, data FROM senders WHERE tenant_id = ? AND sender = ?').get(tenantId, sender) as
      | { version: number; data: string }
      | undefined;
    return row ? { ...(JSON.parse(row.data) as SenderRecord), version: row.version } : undefined;
  }

  async list(tenantId: string): Promise<SenderRecord[]> {
    const rows = stmt(this.db, 'SELECT version, data FROM senders WHERE tenant_id = ? ORDER BY sender').all(tenantId) as { version: number; data: string }[];
    return rows.map((r) => JSON.parse(r.data) as SenderRecord);
  }

  async save(record: SenderRecord, expectedVersion: number): Promise<boolean> {
    const { version: _ignored, ...clean } = record as SenderRecord & { version?: number };
    const data = JSON.stringify(clean);
    if (expectedVersion === 0) {
      return stmt(this.db, 'INSERT OR IGNORE INTO senders (tenant_id, sender, version, data) VALUES (?, ?, 1, ?)').run(record.tenantId, record.sender, data).changes === 1;
    }
    return (
      stmt(this.db, 'UPDATE senders SET version = version + 1, data = ? WHERE tenant_id = ? AND sender = ? AND version = ?')
        .run(data, record.tenantId, record.sender, expectedVersion).changes === 1
    );
  }

  async increment(tenantId: string, sender: string, bucket: string, deltas: Record<string, number>, ttlSeconds: number): Promise<Record<string, number>> {
    const now = this.clock.now().getTime();
    const out = writeTransaction(this.db, () => this.bumpAll(tenantId, sender, bucket, deltas, ttlSeconds, now))();
    this.sweep(now);
    return out;
  }

  /**
   * One immediate transaction: claim the marker row (a counters row, so the
   * sweep removes it once expired), then add the deltas only when the claim
   * inserted it — a retry finds it and reads the counters instead (deltas of
   * 0). Another connection or process cannot run between the claim and the
   * increments, so of two workers with one message exactly one counts.
   */
  async incrementOnce(tenantId: string, once: { sender: string; bucket: string }, increments: CounterIncrement[], onceTtlSeconds: number): Promise<CountedOnce> {
    const now = this.clock.now().getTime();
    const out = writeTransaction(this.db, () => {
      const counted = this.claim.run({ t: tenantId, s: once.sender, b: once.bucket, e: now + onceTtlSeconds * 1000, now }).changes === 1;
      const values = increments.map((i) => this.bumpAll(tenantId, i.sender, i.bucket, counted ? i.deltas : zeroDeltas(i.deltas), i.ttlSeconds, now));
      return { counted, values };
    })();
    this.sweep(now);
    return out;
  }

  private bumpAll(tenantId: string, sender: string, bucket: string, deltas: Record<string, number>, ttlSeconds: number, now: number): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, delta] of Object.entries(deltas)) {
      out[name] = (this.bump.get({ t: tenantId, s: sender, b: bucket, n: name, v: delta, e: now + ttlSeconds * 1000, now }) as { value: number }).value;
    }
    return out;
  }

  private sweep(now: number): void {
    if (now - this.lastSweep <= 60_000) return;
    this.lastSweep = now;
    this.sweepStmt.run(now);
  }

  async getKnownRecipients(tenantId: string, sender: string, keys: string[]): Promise<(KnownRecipientEntry | undefined)[]> {
    return keys.map((k) => this.knownEntry(tenantId, sender, k));
  }

  /** The compare and the write in one immediate transaction: another process cannot write in between. */
  async putKnownRecipient(tenantId: string, sender: string, key: string, entry: Required<KnownRecipientEntry>, expected: KnownRecipientEntry | undefined): Promise<boolean> {
    return writeTransaction(this.db, () => {
      if (!sameKnownRecipientEntry(this.knownEntry(tenantId, sender, key), expected)) return false;
      stmt(this.db, `DELETE FROM counters WHERE tenant_id = ? AND sender = ? AND bucket = ? AND name IN ('${LAST_CONTACT}', '${LEGACY_COUNT}')`).run(tenantId, sender, key);
      stmt(this.db, 'INSERT INTO counters (tenant_id, sender, bucket, name, value, expires_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(tenantId, sender, key, LAST_CONTACT, entry.lastContactAt, entry.expiresAt);
      return true;
    })();
  }

  private knownEntry(tenantId: string, sender: string, key: string): KnownRecipientEntry | undefined {
    const rows = stmt(this.db, READ_KNOWN).all(tenantId, sender, key) as { name: string; value: number; expires_at: number }[];
    const last = rows.find((r) => r.name === LAST_CONTACT);
    if (last) return { lastContactAt: last.value, expiresAt: last.expires_at };
    const legacy = rows.find((r) => r.name === LEGACY_COUNT);
    return legacy ? { expiresAt: legacy.expires_at } : undefined;
  }
}
