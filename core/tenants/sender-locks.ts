// A tenant locks and unlocks its own senders. The lock itself is written by
// core/reputation (one writer for lock state); this file adds the tenant-side
// rule: a lock that requires a password rotation stays until the password
// of that mailbox user has changed after the lock was set.
import { DomainError } from '../errors.js';
import type { LockState, SenderRecord } from '../model.js';
import type { Clock, SenderStore, TenantStore } from '../ports.js';
import { lockSender } from '../reputation/index.js';

export interface SenderLockDeps {
  clock: Clock;
  senders: SenderStore;
  tenants: TenantStore;
}

/** Sender keys are addresses (or X-AuthUser values): compared case-insensitively. */
export function normaliseSender(input: string): string {
  const sender = input.trim().toLowerCase();
  if (!sender || sender.length > 320 || /[\s<>]/.test(sender)) {
    throw new DomainError('VALIDATION', `"${input}" is not a sender address`);
  }
  return sender;
}

export async function requireSender(deps: SenderLockDeps, tenantId: string, input: string): Promise<SenderRecord> {
  const rec = await deps.senders.get(tenantId, normaliseSender(input));
  if (!rec) throw new DomainError('NOT_FOUND', `No sender ${input} has been seen`);
  const { version: _version, ...sender } = rec;
  return sender;
}

/** A manual lock: no expiry, lifted only by the tenant. */
export async function lockSenderManually(deps: SenderLockDeps, tenantId: string, input: string, reason?: string): Promise<SenderRecord> {
  const sender = normaliseSender(input);
  const lock: LockState = {
    reason: reason?.trim() || 'locked by the tenant administrator',
    lockedAt: deps.clock.now().toISOString(),
    by: 'manual',
  };
  return lockSender(deps, tenantId, sender, lock);
}

export async function unlockSender(deps: SenderLockDeps, tenantId: string, input: string): Promise<SenderRecord> {
  const rec = await requireSender(deps, tenantId, input);
  const lock = rec.lock;
  if (!lock) return rec;
  if (lock.requiresPasswordRotation) {
    const user = await deps.tenants.getUser(rec.sender);
    // A deleted user has no password left to leak: nothing to wait for.
    if (user && user.tenantId === tenantId && new Date(user.passwordChangedAt) <= new Date(lock.lockedAt)) {
      throw new DomainError('CONFLICT', `${rec.sender} was locked on ${lock.lockedAt} because its password is probably compromised (${lock.reason}); rotate it first with POST /v1/users/${encodeURIComponent(user.username)}/password, then unlock`);
    }
  }
  return lockSender(deps, tenantId, rec.sender, undefined);
}
