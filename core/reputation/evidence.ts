// One place where evidence meets the ladder: every entry point (a scored
// message, a login, a delivery outcome, a complaint, a campaign found
// elsewhere) adds risk entries to the sender's ledger here, and this decides
// throttle and lock under optimistic concurrency, then runs the side effects
// (hold what is pending, tell the tenant) once the state is saved.
import type { LockState, SenderRecord, Tenant } from '../model.js';
import { effectiveSettings } from '../settings.js';
import { afterLock, afterThrottle } from './after-lock.js';
import { decideLock } from './ladder.js';
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
}

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
    rollOver(p, now);
    opts.mutate?.(p, rec);
    addRisk(p, dedupe(p, opts.entries, now), now, policy.riskHalfLifeSeconds);
    const out = { newLock: false, newThrottle: false, wouldLock: undefined as string | undefined };
    // An expired lock awaiting rotation still counts as in force here; the
    // check at MAIL FROM is where locks are lifted.
    const locked = lockStatus(rec.lock, now, false) !== 'none' && lockStatus(rec.lock, now, false) !== 'expired';
    if (!locked) {
      const decision = decideLock(p, policy, now);
      if (decision && settings.monitorOnly) {
        p.wouldLock = { at: now.toISOString(), reason: decision.reason };
        out.wouldLock = decision.reason;
      } else if (decision) {
        rec.lock = makeAutoLock(rec, policy, decision, now, opts.kind?.mailboxUser ?? false, opts.kind?.smtpUser ?? false);
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
  if (outcome.newLock && record.lock) await afterLock(deps, tenant, sender, record.lock);
  else if (outcome.newThrottle && record.throttleReason) await afterThrottle(deps, tenant, sender, record.throttledUntil!, record.throttleReason);
  return outcome;
}

/**
 * Evidence that describes a state ("this hour's volume is high") adds risk
 * once per DEDUPE_SECONDS, however many messages see that state; evidence
 * about one message (its content, its campaign) adds up per message.
 */
const PER_MESSAGE: ReadonlySet<string> = new Set(['content-spam', 'content-suspect', 'campaign', 'password-in-message']);
export const DEDUPE_SECONDS = 600;

function dedupe(p: SenderProfile, entries: RiskEntry[], now: Date): RiskEntry[] {
  const since = now.getTime() - DEDUPE_SECONDS * 1000;
  const seen = new Set(p.risk.filter((e) => Date.parse(e.at) > since).map((e) => e.signal));
  const out: RiskEntry[] = [];
  for (const e of entries) {
    if (!PER_MESSAGE.has(e.signal) && seen.has(e.signal)) continue;
    seen.add(e.signal);
    out.push(e);
  }
  return out;
}
