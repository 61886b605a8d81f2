// What every behaviour check sees: the message, its content result, the
// sender's profile as it was before this message, the window counters after
// counting it, and the allowances derived from the profile.
import type { MessageRecord, Signal, TenantSettings } from '../../model.js';
import type { ContentResult } from '../../scoring/index.js';
import type { Allowances, BulkDeclaration } from '../allowances.js';
import type { WindowCounts } from '../counters.js';
import { SIGNAL_RULES, THRESHOLDS, type SenderPolicy, type SignalName } from '../policy.js';
import type { SenderProfile } from '../profile.js';
import type { CampaignMember } from '../ports.js';

export interface CheckInput {
  now: Date;
  settings: TenantSettings;
  policy: SenderPolicy;
  message: MessageRecord;
  content: ContentResult;
  /** Sum of the content signals' weights. */
  contentScore: number;
  profile: SenderProfile;
  counts: WindowCounts;
  allow: Allowances;
  bulk?: BulkDeclaration;
  /** The campaign this message's content belongs to (the largest of its keys), if any. */
  campaign?: { key: string; count: number; members: CampaignMember[] };
  /** When the SMTP user's password last changed, when known. */
  passwordChangedAt?: Date;
}

export type Check = (input: CheckInput) => Signal[];

/** A signal from the table, with a detail that says what was measured against what. */
export function signal(name: SignalName, detail: string, weight?: number): Signal {
  return { name, weight: weight ?? SIGNAL_RULES[name].weight, detail };
}

export function isEstablished(p: SenderProfile): boolean {
  return p.messages >= THRESHOLDS.establishedMessages && p.activeDays >= THRESHOLDS.establishedActiveDays;
}

export const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));
