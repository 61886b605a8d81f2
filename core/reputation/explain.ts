// What the API shows for a sender: lock and throttle with their reasons,
// the live evidence (signal, family, weight now, message, detail), the
// current risk against the lock threshold, and the learned baseline.
import type { LockState, SenderRecord, TenantSettings } from '../model.js';
import { effectiveSettings } from '../settings.js';
import { allowancesFor, bulkDeclarationFor, type Allowances } from './allowances.js';
import { lockInForce } from './lock-lifecycle.js';
import { policyFor } from './policy.js';
import { currentRisk, decayed, profileOf, type Peaks } from './profile.js';

export interface SenderExplanation {
  sender: string;
  state: 'locked' | 'throttled' | 'ok';
  lock?: LockState;
  throttle?: { until: string; reason: string };
  risk: number;
  lockAt: number;
  evidence: { at: string; signal: string; family: string; weightNow: number; messageId?: string; detail?: string }[];
  baseline: { messages: number; activeDays: number; peaks: Peaks; allowances: Allowances; declaredBulk?: number };
  autoUnlocks: number;
  wouldLock?: { at: string; reason: string };
}

export function explainSender(rec: SenderRecord, tenantSettings: Partial<TenantSettings> | undefined, now: Date): SenderExplanation {
  const settings = effectiveSettings(tenantSettings);
  const policy = policyFor(settings);
  const p = profileOf(rec);
  const bulk = bulkDeclarationFor(settings, rec.sender);
  const throttled = rec.throttledUntil && Date.parse(rec.throttledUntil) > now.getTime();
  const out: SenderExplanation = {
    sender: rec.sender,
    // As the senders list shows it: a lock whose time ran out is lifted by the sender's next message,
    // so it is no longer "locked" — unless it waits for a password change.
    state: lockInForce(rec.lock, now) ? 'locked' : throttled ? 'throttled' : 'ok',
    risk: Math.round(currentRisk(p, now, policy.riskHalfLifeSeconds) * 10) / 10,
    lockAt: policy.lockRisk,
    evidence: p.risk.map((e) => ({
      at: e.at, signal: e.signal, family: e.family, weightNow: Math.round(decayed(e, now, policy.riskHalfLifeSeconds) * 100) / 100,
      ...(e.messageId ? { messageId: e.messageId } : {}), ...(e.detail ? { detail: e.detail } : {}),
    })),
    baseline: { messages: p.messages, activeDays: p.activeDays, peaks: p.peaks, allowances: allowancesFor(p, bulk), ...(bulk ? { declaredBulk: bulk.hourlyVolume } : {}) },
    autoUnlocks: rec.autoUnlocks,
  };
  if (rec.lock) out.lock = rec.lock;
  if (throttled) out.throttle = { until: rec.throttledUntil!, reason: rec.throttleReason ?? '' };
  if (p.wouldLock) out.wouldLock = p.wouldLock;
  return out;
}
