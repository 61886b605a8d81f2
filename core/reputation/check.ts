// The gate at MAIL FROM (and after DATA when X-AuthUser names another
// sender): a locked sender gets 550 with the reason, a throttled one 451 —
// legitimate mail waits in the sending server's queue rather than bounce.
// Expired automatic locks are lifted here, counted, and the tenant told.
import { DomainError } from '../errors.js';
import type { LockState, SenderRecord } from '../model.js';
import { notifySenderEvent } from '../notify/events.js';
import { effectiveSettings } from '../settings.js';
import { appendLockEvent, unlockedEvent } from './lock-history.js';
import { liftExpired, lockStatus, rotatedSince } from './lock-lifecycle.js';
import { policyFor } from './policy.js';
import { profileOf, withProfile } from './profile.js';
import { updateSender } from './store-update.js';
import { tenantOf } from './tenant-of.js';
import type { ReputationDeps, SenderContext } from './types.js';

/** Throws SENDER_LOCKED or SENDER_THROTTLED with the reason; resolves when the sender may send. */
export async function checkSenderAllowed(deps: ReputationDeps, ctx: SenderContext): Promise<void> {
  const rec = await deps.senders.get(ctx.tenant.id, ctx.sender);
  if (!rec) return;
  const now = deps.clock.now();
  if (rec.lock) {
    const rotated = await passwordRotatedSince(deps, ctx.tenant.id, ctx.sender, rec.lock);
    const status = lockStatus(rec.lock, now, rotated);
    if (status === 'active') throw lockedError(ctx.sender, rec.lock);
    if (status === 'awaiting-rotation') {
      throw new DomainError('SENDER_LOCKED', `Sender ${ctx.sender} is locked: ${replyText(rec.lock.reason)}. The password must be changed before the lock can lift.`);
    }
    if (status === 'expired') await liftExpiredLock(deps, ctx.tenant.id, ctx.sender, now);
  }
  if (rec.throttledUntil && new Date(rec.throttledUntil) > now) {
    throw new DomainError('SENDER_THROTTLED', `Sender ${ctx.sender} is throttled until ${rec.throttledUntil}: ${replyText(rec.throttleReason ?? 'unusual volume')}. Try again later.`);
  }
}

/** For the delivery step: true when the sender is locked now (deliver nothing more of theirs; hold it). */
export async function isSenderLocked(deps: ReputationDeps, tenantId: string, sender: string): Promise<LockState | undefined> {
  return holdingLock(deps, tenantId, sender, await deps.senders.get(tenantId, sender));
}

/** The record's lock when it holds the sender's mail now: active, or expired but still awaiting a password rotation. */
export async function holdingLock(deps: ReputationDeps, tenantId: string, sender: string, rec: SenderRecord | undefined): Promise<LockState | undefined> {
  if (!rec?.lock) return undefined;
  const status = lockStatus(rec.lock, deps.clock.now(), await passwordRotatedSince(deps, tenantId, sender, rec.lock));
  return status === 'active' || status === 'awaiting-rotation' ? rec.lock : undefined;
}

function lockedError(sender: string, lock: LockState): DomainError {
  const until = lock.until ? ` until ${lock.until}` : ' until your administrator unlocks it';
  return new DomainError('SENDER_LOCKED', `Sender ${sender} is locked${until}: ${replyText(lock.reason)}`);
}

/** SMTP reply lines are at most 512 octets: the reason is cut, the API has it whole. */
function replyText(reason: string): string {
  return reason.length > 300 ? `${reason.slice(0, 297)}...` : reason;
}

export async function passwordRotatedSince(deps: ReputationDeps, tenantId: string, sender: string, lock: LockState): Promise<boolean> {
  if (!lock.requiresPasswordRotation || !deps.tenants) return false;
  const user = await deps.tenants.getUser(sender);
  return !!user && user.tenantId === tenantId && rotatedSince(lock, user);
}

/** Lifts an expired automatic lock, halving the evidence so a resumed attack relocks within a message or two. */
async function liftExpiredLock(deps: ReputationDeps, tenantId: string, sender: string, now: Date): Promise<void> {
  const tenant = await tenantOf(deps, tenantId);
  const { saved, record } = await updateSender<LockState>(deps.senders, tenantId, sender, now, (rec: SenderRecord) => {
    if (!rec.lock || lockStatus(rec.lock, now, true) !== 'expired') return undefined; // another worker lifted it
    const lifted = rec.lock;
    const p = profileOf(rec);
    p.risk = p.risk.map((e) => ({ ...e, weight: e.weight / 2 }));
    return { record: { ...withProfile(liftExpired(rec), p), lockHistory: appendLockEvent(rec.lockHistory, unlockedEvent('auto-unlocked', lifted, now)) }, result: lifted };
  });
  if (saved) {
    const policy = policyFor(effectiveSettings(tenant.settings));
    await notifySenderEvent(deps, tenant, {
      type: 'sender.unlocked', sender,
      detail: { by: 'timeout', autoUnlocks: record.autoUnlocks, remainingAutoUnlocks: Math.max(0, policy.maxAutoUnlocks - record.autoUnlocks) },
    }, []);
  }
}
