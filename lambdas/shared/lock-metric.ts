// Watches sender saves for a newly set lock, so the score Lambda can count
// lockouts (the metric behind the lockouts-per-hour alarm) without core
// knowing about metrics.
import type { Clock, SenderStore } from '../../core/ports.js';

export function observeLocks(inner: SenderStore, clock: Clock, onLock: (sender: string) => void): SenderStore {
  return {
    get: (t, s) => inner.get(t, s),
    list: (t) => inner.list(t),
    increment: (t, s, b, d, ttl) => inner.increment(t, s, b, d, ttl),
    async save(record, expectedVersion) {
      const ok = await inner.save(record, expectedVersion);
      // A lock stamped within the last minute is one this invocation just set.
      if (ok && record.lock && clock.now().getTime() - Date.parse(record.lock.lockedAt) < 60_000) onLock(record.sender);
      return ok;
    },
  };
}
