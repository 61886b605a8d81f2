// Per-sender state and bucketed counters in SQLite. `save` is a compare-and-set
// on `version`; `increment` is one UPSERT … RETURNING, so concurrent workers
// (even in other processes on the same file) never lose an update.
import { stmt, writeTransaction, type Db } from './sqlite.js';
import type { Clock, SenderStore } from '../../core/ports.js';
import type { SenderRecord } from '../../core/model.js';

export class SqliteSenderStore implements SenderStore {
  private readonly bump;
  private readonly sweepStmt;
  private lastSweep = 0;

  constructor(private readonly db: Db, private readonly clock: Clock) {
    this.bump = db.prepare(`INSERT INTO counters (tenant_id, sender, bucket, name, value, expires_at) VALUES (@t, @s, @b, @n, @v, @e)
      ON CONFLICT (tenant_id, sender, bucket, name) DO UPDATE SET
        value = CASE WHEN counters.expires_at <= @now THEN excluded.value ELSE counters.value + excluded.value END,
        expires_at = CASE WHEN counters.expires_at <= @now THEN excluded.expires_at ELSE counters.expires_at END
      RETURNING value`);
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
    const expires = now + ttlSeconds * 1000;
    const out: Record<string, number> = {};
    writeTransaction(this.db, () => {
      for (const [name, delta] of Object.entries(deltas)) {
        out[name] = (this.bump.get({ t: tenantId, s: sender, b: bucket, n: name, v: delta, e: expires, now }) as { value: number }).value;
      }
    })();
    if (now - this.lastSweep > 60_000) {
      this.lastSweep = now;
      this.sweepStmt.run(now);
    }
    return out;
  }
}
