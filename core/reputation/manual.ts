// Manual lock and unlock, as the API calls them. A manual lock never times
// out; unlocking a lock that requires a password rotation is refused until
// the password changed after the lock. An unlock clears the evidence (the
// tenant vouches for the sender) but keeps the count of automatic unlocks.
import { DomainError } from '../errors.js';
import type { LockState, SenderRecord } from '../model.js';
import { notifySenderEvent } from '../notify/events.js';
import { afterLock } from './after-lock.js';
import { passwordRotatedSince } from './check.js';
import { appendLockEvent, lockedEvent, unlockedEvent } from './lock-history.js';
import { profileOf, withProfile } from './profile.js';
import { updateSender } from './store-update.js';
import { tenantOf } from './tenant-of.js';
import type { ReputationDeps } from './types.js';

/** Sets (`lock`) or clears (`undefined`, with the tenant's `unlockReason`) a sender's lock. Throws FORBIDDEN when an unlock needs a password rotation first. */
export async function lockSender(deps: ReputationDeps, tenantId: string, sender: string, lock: LockState | undefined, unlockReason?: string): Promise<SenderRecord> {
  const now = deps.clock.now();
  const cur = await deps.senders.get(tenantId, sender);
  // A lock still waiting for a password rotation (its lockedAt): replacing it
  // by hand must keep the requirement, or lock-then-unlock would skip it.
  const pendingRotation = cur?.lock?.requiresPasswordRotation && !(await passwordRotatedSince(deps, tenantId, sender, cur.lock)) ? cur.lock.lockedAt : undefined;
  if (!lock && pendingRotation !== undefined && deps.tenants) {
    throw new DomainError('FORBIDDEN', `Sender ${sender} was locked with evidence that its password is known to others: change the password, then unlock`);
  }
  const { record } = await updateSender(deps.senders, tenantId, sender, now, (rec) => {
    const next: SenderRecord = { ...rec, lastSeenAt: now.toISOString() };
    if (lock) {
      const keep = rec.lock?.requiresPasswordRotation && rec.lock.lockedAt === pendingRotation;
      next.lock = keep ? { ...lock, requiresPasswordRotation: true } : lock;
      next.lockHistory = appendLockEvent(rec.lockHistory, lockedEvent(next.lock));
      return { record: next, result: true };
    }
    if (rec.lock) next.lockHistory = appendLockEvent(rec.lockHistory, unlockedEvent('unlocked', rec.lock, now, unlockReason));
    delete next.lock; delete next.throttledUntil; delete next.throttleReason;
    const p = profileOf(rec);
    p.risk = [];
    delete p.wouldLock;
    return { record: withProfile(next, p), result: true };
  });
  const tenant = await tenantOf(deps, tenantId);
  // The tenant's own decision: webhook yes (its integrations see every lock), ARF report no (after-lock.ts LockOrigin).
  if (lock) await afterLock(deps, tenant, sender, record.lock ?? lock, 'tenant');
  else await notifySenderEvent(deps, tenant, { type: 'sender.unlocked', sender, detail: { by: 'manual', ...(unlockReason ? { reason: unlockReason } : {}) } }, []);
  return record;
}
