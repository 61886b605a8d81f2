// In-memory SenderStore for the compromise simulation and for tests. A real
// adapter, not a stub: it honours optimistic versions and atomic bucketed
// counters with TTL exactly as the SQLite and DynamoDB stores must, so the
// policy behaves the same on it. Time comes from the injected Clock so a
// simulated clock expires counters as a real one would.
import type { SenderRecord } from '../../core/model.js';
import type { Clock, SenderStore } from '../../core/ports.js';

/** Records are kept serialised, as a database would: callers never share an object with the store. */
interface Stored { json: string; tenantId: string; version: number }
interface Counter { values: Record<string, number>; expiresAt: number }

/** Sweep expired counters after this many increments, so long simulations stay bounded in memory. */
const SWEEP_EVERY = 50_000;

export class MemorySenderStore implements SenderStore {
  private readonly records = new Map<string, Stored>();
  private readonly counters = new Map<string, Counter>();
  private sinceSweep = 0;

  constructor(private readonly clock: Clock) {}

  async get(tenantId: string, sender: string): Promise<(SenderRecord & { version: number }) | undefined> {
    const s = this.records.get(recordKey(tenantId, sender));
    return s ? { ...(JSON.parse(s.json) as SenderRecord), version: s.version } : undefined;
  }

  async list(tenantId: string): Promise<SenderRecord[]> {
    const out: SenderRecord[] = [];
    for (const s of this.records.values()) if (s.tenantId === tenantId) out.push(JSON.parse(s.json) as SenderRecord);
    return out.sort((a, b) => a.sender.localeCompare(b.sender));
  }

  async save(record: SenderRecord, expectedVersion: number): Promise<boolean> {
    const key = recordKey(record.tenantId, record.sender);
    const cur = this.records.get(key);
    if ((cur?.version ?? 0) !== expectedVersion) return false;
    // Strip a stray `version` the caller may have spread in: the store owns it.
    const { version: _ignored, ...plain } = record as SenderRecord & { version?: number };
    this.records.set(key, { json: JSON.stringify(plain), tenantId: record.tenantId, version: expectedVersion + 1 });
    return true;
  }

  async increment(tenantId: string, sender: string, bucket: string, deltas: Record<string, number>, ttlSeconds: number): Promise<Record<string, number>> {
    const now = this.clock.now().getTime();
    const key = `${recordKey(tenantId, sender)}\u0000${bucket}`;
    let c = this.counters.get(key);
    if (!c || c.expiresAt <= now) {
      c = { values: {}, expiresAt: now + ttlSeconds * 1000 };
      this.counters.set(key, c);
    }
    // Returns only the named counters, as the SQL and DynamoDB stores do: a
    // caller that wants to read a counter names it with a delta of 0.
    const out: Record<string, number> = {};
    for (const [name, delta] of Object.entries(deltas)) out[name] = c.values[name] = (c.values[name] ?? 0) + delta;
    if (++this.sinceSweep >= SWEEP_EVERY) this.sweep(now);
    return out;
  }

  /** How many counter buckets are live (the simulation reports it). */
  get counterCount(): number {
    return this.counters.size;
  }

  private sweep(now: number): void {
    this.sinceSweep = 0;
    for (const [k, c] of this.counters) if (c.expiresAt <= now) this.counters.delete(k);
  }
}

function recordKey(tenantId: string, sender: string): string {
  return `${tenantId}\u0000${sender}`;
}
