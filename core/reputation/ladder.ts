// The graduated ladder, decided from the sender's risk ledger: nothing,
// throttle (4xx, the mail waits), hold (the message is quarantined: its
// weights pushed the verdict over the threshold), lock (550 for new mail,
// everything pending held). This file decides only whether to lock and
// explains why; the hold is the verdict's and the throttle is volume's.
import { SIGNAL_RULES, type Family, type SenderPolicy } from './policy.js';
import { currentRisk, decayed, familyWeights, liveFamilies, type SenderProfile } from './profile.js';

export interface LockDecision {
  reason: string;
  signals: string[];
  messageIds: string[];
  /** Evidence that the password is known to someone else: unlocking needs a rotation. */
  credentialsLeaked: boolean;
}

/**
 * Weight a non-shape family needs to confirm a lock: one spam verdict among
 * clean mail (1.5) or a login from a new network (1.5) is not enough — the
 * scorer errs and people travel — two spam verdicts, a spam history, a
 * credential-stuffing login or a campaign are.
 */
export const CONFIRMING_WEIGHT = 2;

/** Evidence that locks on its own, with the reason shown. */
export const DECISIVE_LOCK: ReadonlyMap<string, string> = new Map([
  ['password-in-message', 'a message contained the account\'s own SMTP password (leaked-credential probe)'],
  ['invalid-recipients-burst', 'receiving servers refused a large share of recipients as unknown (bought or harvested list)'],
  ['complaints-burst', 'several recipients complained about this sender\'s mail'],
]);

/**
 * Families that an honest big send also produces. They throttle and hold
 * but never lock on their own: a lock needs one other kind of evidence
 * (content, outcome, access, identity, campaign).
 */
const SHAPE_ONLY: ReadonlySet<Family> = new Set(['volume', 'spread']);

export function decideLock(p: SenderProfile, policy: SenderPolicy, now: Date): LockDecision | undefined {
  const hl = policy.riskHalfLifeSeconds;
  const live = p.risk.filter((e) => decayed(e, now, hl) >= 0.05);
  const probe = live.find((e) => DECISIVE_LOCK.has(e.signal));
  const risk = currentRisk(p, now, hl);
  const fams = liveFamilies(p, now, hl);
  const weights = familyWeights(p, now, hl);
  const confirmed = fams.size >= 2 && [...weights].some(([f, w]) => !SHAPE_ONLY.has(f) && w >= CONFIRMING_WEIGHT);
  let why: string | undefined;
  if (probe) why = DECISIVE_LOCK.get(probe.signal)!;
  else if (risk >= policy.lockRisk && confirmed) why = `risk ${risk.toFixed(1)} >= ${policy.lockRisk} from ${[...fams].sort().join(', ')} evidence`;
  if (!why) return undefined;
  const bySignal = new Map<string, number>();
  for (const e of live) bySignal.set(e.signal, (bySignal.get(e.signal) ?? 0) + 1);
  const signals = [...bySignal].map(([s, n]) => (n > 1 ? `${s} x${n}` : s));
  const messageIds = [...new Set(live.map((e) => e.messageId).filter((x): x is string => !!x))].slice(-20);
  // ASCII only: the reason becomes an SMTP reply line.
  return {
    reason: `${why}: ${signals.join(', ')}`,
    signals: [...bySignal.keys()],
    messageIds,
    credentialsLeaked: live.some((e) => e.signal === 'password-in-message' || e.family === 'access'),
  };
}

/** Family of a ledger entry's signal (content and login evidence are not in SIGNAL_RULES). */
export function familyOf(signal: string): Family {
  return (SIGNAL_RULES as Record<string, { family: Family }>)[signal]?.family ?? (signal.startsWith('content-') ? 'content' : 'access');
}
