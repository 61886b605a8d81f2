// In-memory SenderStore for the compromise simulation and for tests. A real
// adapter, not a stub: it honours optimistic versions and atomic bucketed
// counters with TTL exactly as the SQLite and DynamoDB stores must, so the
// policy behaves the same on it. Time comes from the injected Clock so a
// simulated clock expires counters as a real one would.
import type { SenderRecord } from '../../core/model.js';
import type { Clock, SenderStore } from '../../core/ports.js';
import { sameKnownRecipientEntry, zeroDeltas, type CountedOnce, type CounterIncrement, type KnownRecipientEntry } from '../../core/reputation/ports.js';

/** Records are kept serialised, as a database would: callers never share an object with the store. */
interface Stored { json: string; tenantId: string; version: number }
interface Counter { values: Record<string, number>; expiresAt: number }

/** Sweep expired counters after this many increments, so long simulations stay bounded in memory. */
const SWEEP_EVERY = 50_000;

export class MemorySenderStore implements SenderStore {
  private readonly records = new Map<string, Stored>();
  private readonly counters = new Map<string, Counter>();
  /** incrementOnce markers and their expiry, apart from the counters (which the simulation reports the number of). */
  private readonly markers = new Map<string, number>();
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
    return this.bump(tenantId, sender, bucket, deltas, ttlSeconds, this.clock.now().getTime());
  }

  /** Synchronous, so nothing runs between the marker and the increments: one atomic step, as on SQLite and DynamoDB. */
  async incrementOnce(tenantId: string, once: { sender: string; bucket: string }, increments: CounterIncrement[], onceTtlSeconds: number): Promise<CountedOnce> {
    const now = this.clock.now().getTime();
    const key = `${recordKey(tenantId, once.sender)}\u0000${once.bucket}`;
    const expiresAt = this.markers.get(key);
    const counted = expiresAt === undefined || expiresAt <= now;
    if (counted) this.markers.set(key, now + onceTtlSeconds * 1000);
    const values = increments.map((i) => this.bump(tenantId, i.sender, i.bucket, counted ? i.deltas : zeroDeltas(i.deltas), i.ttlSeconds, now));
    return { counted, values };
  }

  private bump(tenantId: string, sender: string, bucket: string, deltas: Record<string, number>, ttlSeconds: number, now: number): Record<string, number> {
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

  // Known recipients live among the counters, under their own key, as the one
  // value `lastContact` with the entry's expiry: swept and counted like them.
  // An entry the old first-contact counter wrote (`n` only) has no last contact.
  async getKnownRecipients(tenantId: string, sender: string, keys: string[]): Promise<(KnownRecipientEntry | undefined)[]> {
    return keys.map((k) => this.knownEntry(tenantId, sender, k));
  }

  async putKnownRecipient(tenantId: string, sender: string, key: string, entry: Required<KnownRecipientEntry>, expected: KnownRecipientEntry | undefined): Promise<boolean> {
    if (!sameKnownRecipientEntry(this.knownEntry(tenantId, sender, key), expected)) return false;
    this.counters.set(`${recordKey(tenantId, sender)}\u0000${key}`, { values: { lastContact: entry.lastContactAt }, expiresAt: entry.expiresAt });
    return true;
  }

  private knownEntry(tenantId: string, sender: string, key: string): KnownRecipientEntry | undefined {
    const c = this.counters.get(`${recordKey(tenantId, sender)}\u0000${key}`);
    if (!c) return undefined;
    const last = c.values['lastContact'];
    return last === undefined ? { expiresAt: c.expiresAt } : { lastContactAt: last, expiresAt: c.expiresAt };
  }

  /** How many counter buckets are live (the simulation reports it). */
  get counterCount(): number {
    return this.counters.size;
  }

  private sweep(now: number): void {
    this.sinceSweep = 0;
    for (const [k, c] of this.counters) if (c.expiresAt <= now) this.counters.delete(k);
    for (const [k, expiresAt] of this.markers) if (expiresAt <= now) this.markers.delete(k);
  }
}

function recordKey(tenantId: string, sender: string): string {
  return `${tenantId}\u0000${sender}`;
}
