// A tenant locks and unlocks its own senders. core/reputation is the one
// writer of lock state and owns the lock rules (a lock that requires a
// password rotation stays until the password changed after it; a lock holds
// the sender's mail still in the pipeline and notifies the tenant); this file
// only scopes senders to the tenant and phrases the outcome for the API.
import type { ProblemLog } from '../log.js';
import { DomainError, isDomainError } from '../errors.js';
import type { LockState, SenderRecord } from '../model.js';
import { canonicalAddress } from '../policy/sender-key.js';
import type { Clock, MessageStore, Notifier, SenderStore, TenantStore } from '../ports.js';
import { lockSender } from '../reputation/index.js';
import { lockInForce } from '../reputation/lock-lifecycle.js';

export interface SenderLockDeps {
  clock: Clock;
  senders: SenderStore;
  tenants: TenantStore;
  /** Lets a lock hold the sender's mail that is still waiting in the pipeline. */
  messages?: MessageStore;
  /** Tells the tenant's webhook about the lock or unlock. */
  notifier?: Notifier;
  /** Where a failed webhook is reported. @default stderr */
  log?: ProblemLog;
}

/** Whether a lock refuses mail now: the sender policy's own rule (core/reputation lock-lifecycle.ts). */
export { lockInForce };

/**
 * A sender as the tenant types it, spelled as the key the ingress keeps it
 * under (core/policy/sender-key.ts senderKey): the local part lower-case, the
 * domain in ASCII (punycode for an IDN) without a trailing dot. Any other
 * spelling would look up, or lock, a key no message ever carries. An IP
 * user's null sender (`<>@192.0.2.0/24`) and an X-AuthUser value with spaces
 * are keys too; a display form such as `Alice <alice@example.com>` is not.
 */
export function normaliseSender(input: string): string {
  const trimmed = input.trim();
  const nullSender = trimmed.startsWith('<>@');
  if (!trimmed || trimmed.length > 320 || /[\x00-\x1f\x7f]/.test(trimmed) || /[<>]/.test(nullSender ? trimmed.slice(2) : trimmed)) {
    throw new DomainError('VALIDATION', `"${input}" is not a sender address`);
  }
  return canonicalAddress(trimmed);
}

/** The tenant's senders as the console lists them: locked ones first, then the most recently seen. */
export async function listSenders(deps: Pick<SenderLockDeps, 'senders'>, tenantId: string, now: Date): Promise<SenderRecord[]> {
  return [...(await deps.senders.list(tenantId))]
    .sort((a, b) => Number(lockInForce(b.lock, now)) - Number(lockInForce(a.lock, now)) || b.lastSeenAt.localeCompare(a.lastSeenAt));
}

export async function requireSender(deps: Pick<SenderLockDeps, 'senders'>, tenantId: string, input: string): Promise<SenderRecord> {
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

/** Lifts a lock, keeping `reason` in the sender's lock history; unlocking a sender that is not locked is a no-op that returns it. */
export async function unlockSender(deps: SenderLockDeps, tenantId: string, input: string, reason?: string): Promise<SenderRecord> {
  const rec = await requireSender(deps, tenantId, input);
  if (!rec.lock) return rec;
  try {
    return await lockSender(deps, tenantId, rec.sender, undefined, reason?.trim() || undefined);
  } catch (err) {
    // The refusal comes from the reputation rules; add where to rotate.
    if (isDomainError(err, 'FORBIDDEN') && rec.lock.requiresPasswordRotation) {
      throw new DomainError('FORBIDDEN', `${err.message} (POST /v1/users/${encodeURIComponent(rec.sender)}/password, locked ${rec.lock.lockedAt}: ${rec.lock.reason})`);
    }
    throw err;
  }
}
