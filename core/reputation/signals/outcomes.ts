// Outcomes: what the content scorer and the receiving side said about the
// sender's recent mail — spam share of the last N messages, recipients
// refused as unknown (5.1.x). Complaints arrive later, through
// recordFeedback (outcome-events.ts), and go to the risk ledger there.
import type { Signal } from '../../model.js';
import { THRESHOLDS } from '../policy.js';
import { signal, type CheckInput } from './input.js';

/** The content outcome of one message as the history string stores it. */
export function contentMark(score: number, spamScore: number, suspectScore: number): 's' | 'q' | '.' {
  return score >= spamScore ? 's' : score >= suspectScore ? 'q' : '.';
}

export function outcomeSignals(i: CheckInput): Signal[] {
  const out: Signal[] = [];
  const spamScore = i.policy.spamScore ?? i.settings.quarantineThreshold;
  const recent = (i.profile.history + contentMark(i.contentScore, spamScore, i.policy.suspectScore)).slice(-THRESHOLDS.historyLength);
  const spam = [...recent].filter((m) => m === 's').length;
  const suspect = [...recent].filter((m) => m === 'q').length;
  if (spam >= THRESHOLDS.historySpam || spam + suspect >= THRESHOLDS.historySuspect) {
    out.push(signal('spam-history', `${spam} spam and ${suspect} suspect among the last ${recent.length} messages`));
  }
  const c = i.counts;
  if (c.hourInvalid >= THRESHOLDS.invalidMin && c.hourInvalid / Math.max(1, c.hourAttempted) >= THRESHOLDS.invalidShare) {
    out.push(signal('invalid-recipients', `${c.hourInvalid} of ${c.hourAttempted} recipients refused as unknown this hour`));
  }
  return out;
}

/**
 * Complaints over today and yesterday (a day bucket resets at midnight;
 * feedback arrives late): three, above 0.3 % of what was delivered — a
 * newsletter's usual 0.05 % never trips it.
 */
export function complaintRateHigh(complaints: number, delivered: number): boolean {
  return complaints >= THRESHOLDS.complaintsMin && complaints / Math.max(1, delivered) > THRESHOLDS.complaintsShare;
}
