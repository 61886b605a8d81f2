// A lock's life: created automatically with a timeout; lifted automatically
// when it expires, at most `maxAutoUnlocks` times, after which locks are
// manual (no timeout, lifted by the tenant); a lock that names leaked
// credentials, or any lock of a mailbox user, lifts only once the password
// was rotated after the lock.
import type { LockState, SenderRecord, SmtpUser } from '../model.js';
import type { SenderPolicy } from './policy.js';
import type { LockDecision } from './ladder.js';

export function makeAutoLock(rec: SenderRecord, policy: SenderPolicy, decision: LockDecision, now: Date, isMailboxUser: boolean, isSmtpUser: boolean): LockState {
  const manual = rec.autoUnlocks >= policy.maxAutoUnlocks;
  const lock: LockState = {
    reason: manual ? `${decision.reason} (manual unlock required after ${rec.autoUnlocks} automatic unlocks)` : decision.reason,
    evidence: { signals: decision.signals, messageIds: decision.messageIds },
    lockedAt: now.toISOString(),
    by: manual ? 'manual' : 'auto',
  };
  if (!manual) lock.until = new Date(now.getTime() + policy.lockTimeoutSeconds * 1000).toISOString();
  if (isMailboxUser || (isSmtpUser && decision.credentialsLeaked)) lock.requiresPasswordRotation = true;
  return lock;
}

/** True when the password was changed after the lock was set. */
export function rotatedSince(lock: LockState, user: Pick<SmtpUser, 'passwordChangedAt'> | undefined): boolean {
  return !!user && Date.parse(user.passwordChangedAt) > Date.parse(lock.lockedAt);
}

export type LockStatus = 'none' | 'active' | 'expired' | 'awaiting-rotation';

/** Where a lock stands now. An expired lock that needs a rotation that has not happened stays in force. */
export function lockStatus(lock: LockState | undefined, now: Date, rotated: boolean): LockStatus {
  if (!lock) return 'none';
  if (!lock.until || Date.parse(lock.until) > now.getTime()) return 'active';
  if (lock.requiresPasswordRotation && !rotated) return 'awaiting-rotation';
  return 'expired';
}

/**
 * The lock refuses mail now: it has not run out (a lock with no `until`
 * never does), or it has but still waits for a password rotation (a rotation
 * done since lifts it at the sender's next MAIL FROM). What the API's
 * `locked`, the dashboard's active locks and a sender's explanation show.
 */
export function lockInForce(lock: LockState | undefined, now: Date): boolean {
  const status = lockStatus(lock, now, false);
  return status === 'active' || status === 'awaiting-rotation';
}

/** Lifts an expired automatic lock and counts it (the caller halves the evidence, see check.ts). */
export function liftExpired(rec: SenderRecord): SenderRecord {
  const next: SenderRecord = { ...rec, autoUnlocks: rec.autoUnlocks + 1 };
  delete next.lock;
  return next;
}
