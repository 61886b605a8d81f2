// Sender reputation and lockout policy: the entry points the ingress, the
// score worker and the delivery worker call. (First pass: lock state and an
// hourly limit; behaviour baselines and the lock ladder grow here.)
import { DomainError } from '../errors.js';
import type { Identity, LockState, MessageRecord, SenderRecord, Signal, Tenant } from '../model.js';
import type { Clock, RecipientResult, SenderStore } from '../ports.js';
import type { ContentResult } from '../scoring/index.js';
import { effectiveSettings } from '../settings.js';

export interface ReputationDeps {
  clock: Clock;
  senders: SenderStore;
}

export interface SenderContext {
  tenant: Tenant;
  sender: string;
  clientIp: string;
  identity: Identity;
}

function isActiveLock(lock: LockState | undefined, now: Date): lock is LockState {
  return !!lock && (!lock.until || new Date(lock.until) > now);
}

/** Called at MAIL FROM (and after DATA for X-AuthUser): throws SENDER_LOCKED or SENDER_THROTTLED. */
export async function checkSenderAllowed(deps: ReputationDeps, ctx: SenderContext): Promise<void> {
  const rec = await deps.senders.get(ctx.tenant.id, ctx.sender);
  if (!rec) return;
  const now = deps.clock.now();
  if (isActiveLock(rec.lock, now)) {
    throw new DomainError('SENDER_LOCKED', `Sender ${ctx.sender} is locked: ${rec.lock.reason}. Contact your administrator.`);
  }
  if (rec.throttledUntil && new Date(rec.throttledUntil) > now) {
    throw new DomainError('SENDER_THROTTLED', `Sender ${ctx.sender} is throttled until ${rec.throttledUntil}: ${rec.throttleReason ?? 'unusual volume'}. Try again later.`);
  }
}

export interface SenderAssessment {
  signals: Signal[];
  /** Set when this message caused (or found) a lock: the message is held. */
  locked?: LockState;
}

/** After content scoring: count the message, add behaviour signals, lock when policy says so. */
export async function assessSender(deps: ReputationDeps, tenant: Tenant, message: MessageRecord, _content: ContentResult): Promise<SenderAssessment> {
  const now = deps.clock.now();
  const settings = effectiveSettings(tenant.settings);
  const bucket = `h:${now.toISOString().slice(0, 13)}`;
  const counts = await deps.senders.increment(tenant.id, message.sender, bucket, { messages: 1, recipients: message.envelope.rcptTo.length }, 3 * 3600);
  const signals: Signal[] = [];
  const existing = await deps.senders.get(tenant.id, message.sender);
  if (isActiveLock(existing?.lock, now)) {
    signals.push({ name: 'sender-locked', weight: 0, detail: existing!.lock!.reason });
    return { signals, locked: existing!.lock };
  }
  const limit = settings.senderHourlyLimit;
  if (limit > 0 && (counts.messages ?? 0) > limit) {
    const lock: LockState = {
      reason: `hourly limit exceeded: ${counts.messages} messages this hour (limit ${limit})`,
      evidence: { signals: ['hourly-limit'], messageIds: [message.id] },
      lockedAt: now.toISOString(),
      by: 'auto',
      until: new Date(now.getTime() + 3600_000).toISOString(),
    };
    await lockSender(deps, tenant.id, message.sender, lock);
    signals.push({ name: 'hourly-limit', weight: 0, detail: lock.reason }, { name: 'sender-locked', weight: 0, detail: lock.reason });
    return { signals, locked: lock };
  }
  return { signals };
}

/** Sets or clears a lock with optimistic concurrency (re-read on a lost race). */
export async function lockSender(deps: ReputationDeps, tenantId: string, sender: string, lock: LockState | undefined): Promise<SenderRecord> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const now = deps.clock.now().toISOString();
    const cur = await deps.senders.get(tenantId, sender);
    const { version, ...base } = cur ?? { tenantId, sender, autoUnlocks: 0, firstSeenAt: now, lastSeenAt: now, version: 0 };
    const next: SenderRecord = { ...base, lock, lastSeenAt: now };
    if (!lock) { delete next.lock; delete next.throttledUntil; delete next.throttleReason; }
    if (await deps.senders.save(next, version)) return next;
  }
  throw new DomainError('CONFLICT', `Could not update sender ${sender}: too much contention`);
}

/** Delivery results feed reputation (invalid recipients, bounces). */
export async function recordDeliveryOutcome(_deps: ReputationDeps, _message: MessageRecord, _results: RecipientResult[]): Promise<void> {}

/** Logins feed access signals (new IPs, failed bursts followed by success). */
export async function recordLogin(_deps: ReputationDeps, _login: { tenantId: string; username: string; clientIp: string; success: boolean }): Promise<void> {}
