// Read-modify-write of one sender record with optimistic concurrency: the
// change is re-applied to a fresh read whenever another worker saved first,
// so no update is lost (counters go through increment instead).
import { DomainError } from '../errors.js';
import type { SenderRecord } from '../model.js';
import type { SenderStore } from '../ports.js';

/** Bounded: 20 lost races in a row means something is wrong, not busy. */
const MAX_ATTEMPTS = 20;

export async function updateSender<T>(
  store: SenderStore, tenantId: string, sender: string, now: Date,
  change: (rec: SenderRecord) => { record: SenderRecord; result: T } | undefined,
): Promise<{ record: SenderRecord; result: T | undefined; saved: boolean }> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const cur = await store.get(tenantId, sender);
    const iso = now.toISOString();
    const { version, ...base } = cur ?? { tenantId, sender, autoUnlocks: 0, firstSeenAt: iso, lastSeenAt: iso, version: 0 };
    const out = change(base); // a fresh read: the store never shares objects with its callers
    if (!out) return { record: base, result: undefined, saved: false };
    if (await store.save(out.record, version)) return { record: out.record, result: out.result, saved: true };
  }
  throw new DomainError('CONFLICT', `Could not update sender ${sender}: too much contention`);
}
