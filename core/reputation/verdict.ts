// How the score step combines content and sender behaviour: the behaviour
// signals' weights add to the content score (so an anomaly plus a
// borderline text is held), and `sender-locked` forces quarantine (see
// core/verdict.ts DECISIVE).
import type { Signal, TenantSettings, VerdictRecord } from '../model.js';
import { decideVerdict } from '../verdict.js';
import type { SenderAssessment } from './types.js';

export function verdictWithSender(contentSignals: Signal[], assessment: SenderAssessment, settings: TenantSettings, now: Date): VerdictRecord {
  return decideVerdict([...contentSignals, ...assessment.signals], settings, now);
}
