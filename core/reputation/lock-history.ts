// A short history of a sender's lock changes, kept on the SenderRecord. The
// lock itself says only what holds now; the history keeps what was lifted and
// why (an unlock's reason, the timeout that ended an automatic lock), so the
// API can show it and the dashboard can count a lock that no longer holds.
// Every writer of lock state appends here inside its own record update.
import type { LockEvent, LockState } from '../model.js';

/** Events kept per sender: enough for a day of lock/unlock churn, small for a DynamoDB item. */
export const LOCK_HISTORY_MAX = 20;

/** The history with `event` appended, oldest dropped past the cap; never shares the input array. */
export function appendLockEvent(history: LockEvent[] | undefined, event: LockEvent): LockEvent[] {
  return [...(history ?? []), event].slice(-LOCK_HISTORY_MAX);
}

/** A lock was set: by the policy (automatic), or by the tenant unless the lock says it is automatic. */
export function lockedEvent(lock: LockState, by: LockEvent['by'] = lock.by === 'auto' ? 'policy' : 'tenant'): LockEvent {
  return { type: 'locked', at: lock.lockedAt, by, reason: lock.reason, ...(lock.until ? { until: lock.until } : {}) };
}

/** `lifted` was lifted at `now`: by the tenant with its reason, or by its own timeout. */
export function unlockedEvent(type: 'unlocked' | 'auto-unlocked', lifted: LockState, now: Date, reason?: string): LockEvent {
  return {
    type, at: now.toISOString(), by: type === 'auto-unlocked' ? 'policy' : 'tenant',
    reason: reason?.trim() || (type === 'auto-unlocked' ? 'the automatic lock ran out' : 'unlocked by the tenant administrator'),
    lockedAt: lifted.lockedAt,
  };
}
