// Turns signals into a verdict. Content and behaviour signals add up; a few
// signals are decisive on their own (a virus is never "just a high score").
import type { Signal, TenantSettings, VerdictRecord, Verdict } from './model.js';

/** Signals that force a verdict whatever the total. */
export const DECISIVE: Record<string, Verdict> = {
  'virus': 'reject',
  'attachment-eicar': 'reject',
  'sender-locked': 'quarantine',
};

export function decideVerdict(signals: Signal[], settings: TenantSettings, now: Date): VerdictRecord {
  const score = Math.round(signals.reduce((sum, s) => sum + s.weight, 0) * 100) / 100;
  const thresholds = { quarantine: settings.quarantineThreshold, reject: settings.rejectThreshold };
  let verdict: Verdict = score >= thresholds.reject ? 'reject' : score >= thresholds.quarantine ? 'quarantine' : 'deliver';
  for (const s of signals) {
    const forced = DECISIVE[s.name];
    if (forced && rank(forced) > rank(verdict)) verdict = forced;
  }
  return { verdict, score, thresholds, signals, monitorOnly: settings.monitorOnly, decidedAt: now.toISOString() };
}

function rank(v: Verdict): number {
  return v === 'reject' ? 2 : v === 'quarantine' ? 1 : 0;
}
