// What follows a lock: hold the sender's mail still in the pipeline (nothing
// is lost: it waits in quarantine for the tenant) and tell the tenant, by
// webhook and — for a lock the policy decided — by an ARF report to its abuse
// contact. Notification failures never undo the lock: they are logged and the
// pipeline goes on.
import type { LockEvent, LockState, MessageRecord, Signal, Tenant } from '../model.js';
import { notifySenderEvent } from '../notify/events.js';
import type { ReputationDeps } from './types.js';
import { problemLogOf } from '../log.js';

/** Statuses the lock step may still move to quarantine: not yet in a delivery worker's hands. */
const HOLDABLE = new Set(['accepted', 'queued']);

/** A message held because its sender is locked: quarantined, with the lock as a signal on its verdict. */
export function heldForLock(m: MessageRecord, lock: LockState, now: string): MessageRecord {
  return heldWithSignal(m, { name: 'sender-locked', weight: 0, detail: lock.reason }, now);
}

/** A message put in quarantine by the pipeline, with the signal that says why added to its verdict. */
export function heldWithSignal(m: MessageRecord, signal: Signal, now: string): MessageRecord {
  const verdict = m.verdict
    ? { ...m.verdict, verdict: 'quarantine' as const, signals: [...m.verdict.signals, signal], decidedAt: now }
    : { verdict: 'quarantine' as const, score: 0, thresholds: { quarantine: 0, reject: 0 }, signals: [signal], monitorOnly: false, decidedAt: now };
  return { ...m, status: 'quarantined', verdict, updatedAt: now };
}

/**
 * Holds every message of `sender` still waiting in the pipeline. A message
 * already being delivered is left to the delivery step, which must call
 * isSenderLocked before each attempt. Returns the held messages.
 */
export async function holdPendingMessages(deps: Pick<ReputationDeps, 'messages' | 'clock'>, tenantId: string, sender: string, lock: LockState): Promise<MessageRecord[]> {
  if (!deps.messages) return [];
  const now = deps.clock.now().toISOString();
  const held: MessageRecord[] = [];
  for (const m of await deps.messages.listPendingBySender(tenantId, sender)) {
    if (!HOLDABLE.has(m.status)) continue;
    const next = heldForLock(m, lock, now);
    // Only over the record as listed: one that moved on meanwhile (picked up for delivery, released,
    // deleted) is left to the step that moved it; the deliver step checks the lock before each attempt.
    if (await deps.messages.putIfUnchanged(next, m)) held.push(next);
  }
  return held;
}

/**
 * Who decided a lock: the sender policy (on evidence from scoring, delivery,
 * feedback or logins) or the tenant by hand through the API. Only the
 * policy's locks are abuse findings of the gateway, so only they send ARF
 * reports; a tenant who locks its own sender already knows, and an
 * `abuse` report to its abuse desk would claim a finding nobody made.
 */
export type LockOrigin = LockEvent['by'];

export async function afterLock(deps: ReputationDeps, tenant: Tenant, sender: string, lock: LockState, origin: LockOrigin): Promise<void> {
  const held = await holdPendingMessages(deps, tenant.id, sender, lock).catch((err: unknown) => {
    problemLogOf(deps).problem('SENDER_HOLD_FAILED', { tenantId: tenant.id, sender, error: String(err) });
    return [] as MessageRecord[];
  });
  const reported = origin === 'policy' ? [...new Set([...(lock.evidence?.messageIds ?? []), ...held.map((m) => m.id)])] : [];
  await notifySenderEvent(deps, tenant, { type: 'sender.locked', sender, detail: { lock, lockedBy: origin, heldMessageIds: held.map((m) => m.id) } }, reported);
}

export async function afterThrottle(deps: ReputationDeps, tenant: Tenant, sender: string, until: string, reason: string): Promise<void> {
  await notifySenderEvent(deps, tenant, { type: 'sender.throttled', sender, detail: { until, reason } }, []);
}
