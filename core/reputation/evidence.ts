// One place where evidence meets the ladder: every entry point (a scored
// message, a login, a delivery outcome, a complaint, a campaign found
// elsewhere) adds risk entries to the sender's ledger here, and this decides
// throttle and lock under optimistic concurrency, then runs the side effects
// (hold what is pending, tell the tenant) once the state is saved.
import type { LockState, SenderRecord, Tenant } from '../model.js';
import { effectiveSettings } from '../settings.js';
import { afterLock, afterThrottle } from './after-lock.js';
import { decideLock } from './ladder.js';
import { appendLockEvent, lockedEvent, unlockedEvent } from './lock-history.js';
import { lockStatus, makeAutoLock } from './lock-lifecycle.js';
import { policyFor } from './policy.js';
import { addRisk, currentRisk, profileOf, rollOver, withProfile, type RiskEntry, type SenderProfile } from './profile.js';
import { updateSender } from './store-update.js';
import type { ReputationDeps } from './types.js';

export interface SenderKind {
  smtpUser: boolean;
  mailboxUser: boolean;
}

export interface EvidenceOptions {
  entries: RiskEntry[];
  /** Put the sender under a 4xx throttle, with this reason. */
  throttle?: string;
  kind?: SenderKind;
  /** Further profile changes made in the same save (counts, learned facts). */
  mutate?: (p: SenderProfile, rec: SenderRecord) => void;
  /**
   * What this evidence is about, the same each time it is brought again: a
   * scored message's id, or the marker of a delivery attempt or a feedback
   * event (counters.ts `bucket.deliveryAttempt`, `bucket.feedback`). A job
   * can run again after it already got here (a crash or a failed save after
   * this point, a redelivered SNS event): the second time, its ledger entries
   * and profile changes are not applied again, so one spam message or one
   * complaint can never count as two.
   */
  evidenceId?: string;
}

/**
 * How many evidence ids (scored messages, and delivery attempts and feedback
 * events that brought evidence) a profile keeps for that check (about 1 KB of
 * the record read at every MAIL FROM). A retry comes minutes later: for most
 * senders that is well inside 50; for a sender so busy that it is not, one
 * message counted twice among so many weighs little.
 */
const ASSESSED_KEPT = 50;

export interface EvidenceOutcome {
  record: SenderRecord;
  /** The lock in force after this evidence (new or earlier). */
  lock?: LockState;
  newLock: boolean;
  throttledUntil?: string;
  newThrottle: boolean;
  risk: number;
  wouldLock?: string;
}

export async function applyEvidence(deps: ReputationDeps, tenant: Tenant, sender: string, opts: EvidenceOptions): Promise<EvidenceOutcome> {
  const now = deps.clock.now();
  const settings = effectiveSettings(tenant.settings);
  const policy = policyFor(settings);
  const { record, result } = await updateSender(deps.senders, tenant.id, sender, now, (rec) => {
    const p = profileOf(rec);
    if (opts.evidenceId && p.assessed?.includes(opts.evidenceId)) return undefined; // already in: nothing to save
    rollOver(p, now);
    opts.mutate?.(p, rec);
    if (opts.evidenceId) p.assessed = [...(p.assessed ?? []), opts.evidenceId].slice(-ASSESSED_KEPT);
    addRisk(p, replaceStates(p, opts.entries), now, policy.riskHalfLifeSeconds);
    const out = { newLock: false, newThrottle: false, wouldLock: undefined as string | undefined };
    // An expired lock awaiting rotation still counts as in force here; the
    // check at MAIL FROM is where locks are lifted. Only new evidence decides
    // a lock: a call that brings none (a clean login, a clean message, a
    // delivered outcome) cannot lock again on what the ledger already held,
    // or an expired lock would be renewed before the lift counted it, and a
    // lifted one renewed by the sender's first clean message after it.
    const status = lockStatus(rec.lock, now, false);
    const locked = status !== 'none' && status !== 'expired';
    if (!locked && opts.entries.length > 0) {
      const decision = decideLock(p, policy, now);
      if (decision) { p.openHourFlagged = true; p.openDayFlagged = true; }
      if (decision && settings.monitorOnly) {
        p.wouldLock = { at: now.toISOString(), reason: decision.reason };
        out.wouldLock = decision.reason;
      } else if (decision) {
        // A lapsed automatic lock no MAIL FROM has lifted yet (the evidence came
        // from delivery, feedback or a login) ran its course: count it as the
        // check at MAIL FROM would, or relocking this way would never escalate.
        if (status === 'expired' && rec.lock) {
          rec.lockHistory = appendLockEvent(rec.lockHistory, unlockedEvent('auto-unlocked', rec.lock, now));
          rec.autoUnlocks += 1;
        }
        rec.lock = makeAutoLock(rec, policy, decision, now, opts.kind?.mailboxUser ?? false, opts.kind?.smtpUser ?? false);
        rec.lockHistory = appendLockEvent(rec.lockHistory, lockedEvent(rec.lock, 'policy'));
        out.newLock = true;
      }
    }
    if (opts.throttle && !settings.monitorOnly) {
      const until = new Date(now.getTime() + policy.throttleSeconds * 1000).toISOString();
      out.newThrottle = !rec.throttledUntil || rec.throttledUntil <= now.toISOString();
      if (!rec.throttledUntil || rec.throttledUntil < until) rec.throttledUntil = until;
      rec.throttleReason = opts.throttle;
    }
    rec.lastSeenAt = now.toISOString();
    return { record: withProfile(rec, p), result: out };
  });
  const outcome: EvidenceOutcome = {
    record,
    newLock: result?.newLock ?? false,
    newThrottle: result?.newThrottle ?? false,
    risk: currentRisk(profileOf(record), now, policy.riskHalfLifeSeconds),
  };
  if (record.lock) outcome.lock = record.lock;
  if (record.throttledUntil && record.throttledUntil > now.toISOString()) outcome.throttledUntil = record.throttledUntil;
  if (result?.wouldLock) outcome.wouldLock = result.wouldLock;
  if (outcome.newLock && record.lock) await afterLock(deps, tenant, sender, record.lock, 'policy');
  else if (outcome.newThrottle && record.throttleReason) await afterThrottle(deps, tenant, sender, record.throttledUntil!, record.throttleReason);
  return outcome;
}

/**
 * Evidence about one message (its content, its campaign) adds up per
 * message. Evidence that describes a state ("this hour's volume is high",
 * "the last login was odd") replaces its previous entry instead: however
 * many messages see the same state, it counts once, so a steady honest
 * oddity can never add up to a lock.
 */
const PER_MESSAGE: ReadonlySet<string> = new Set(['content-spam', 'content-suspect', 'campaign', 'password-in-message']);

function replaceStates(p: SenderProfile, entries: RiskEntry[]): RiskEntry[] {
  const states = new Set(entries.filter((e) => !PER_MESSAGE.has(e.signal)).map((e) => e.signal));
  if (states.size > 0) p.risk = p.risk.filter((e) => !states.has(e.signal));
  const seen = new Set<string>();
  return entries.filter((e) => PER_MESSAGE.has(e.signal) || (!seen.has(e.signal) && seen.add(e.signal)));
}
