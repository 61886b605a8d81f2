// Campaign detection across senders and tenants: each message's content keys
// go into the CampaignIndex (or, without one, into counters of the
// SenderStore); when one key has enough distinct senders within
// the window, this message carries the `campaign` signal and — when the
// campaign is first found (and every tenth sender after) — every earlier
// sender of it gets the same evidence and a throttle, and its tenant is told.
import type { MessageRecord } from '../model.js';
import type { ContentFacts } from '../scoring/index.js';
import { applyEvidence } from './evidence.js';
import type { SenderPolicy } from './policy.js';
import { SIGNAL_RULES } from './policy.js';
import type { CampaignMember } from './ports.js';
import { campaignKeys, isCampaign } from './signals/campaign.js';
import { senderKindOf, tenantOf } from './tenant-of.js';
import type { ReputationDeps } from './types.js';
import type { Tenant } from '../model.js';

export interface CampaignHit {
  key: string;
  /** Distinct senders of this content in the window. */
  count: number;
  /** Who they are, when the campaign index can tell (the counter fallback cannot). */
  members: CampaignMember[];
}

/** Pseudo tenant under which the counter fallback keeps content keys. */
const CAMPAIGN_TENANT = '*campaign';

export async function noteCampaign(deps: ReputationDeps, message: MessageRecord, facts: ContentFacts, policy: SenderPolicy, now: Date): Promise<CampaignHit | undefined> {
  let best: CampaignHit | undefined;
  for (const key of campaignKeys(facts)) {
    const hit = deps.campaigns
      ? await indexed(deps.campaigns, key, message, policy, now)
      : await counted(deps, key, message, now);
    if (!best || hit.count > best.count) best = hit;
  }
  return best;
}

async function indexed(index: NonNullable<ReputationDeps['campaigns']>, key: string, message: MessageRecord, policy: SenderPolicy, now: Date): Promise<CampaignHit> {
  const members = await index.note(key, { tenantId: message.tenantId, sender: message.sender }, now, policy.campaignWindowSeconds);
  return { key, count: members.length, members };
}

/**
 * Without a campaign index, distinct senders of a content key are counted
 * per clock hour with the SenderStore's atomic counters (first increment
 * returns 1). It finds the campaign for every later message, but cannot
 * name the earlier senders to throttle them.
 */
async function counted(deps: ReputationDeps, key: string, message: MessageRecord, now: Date): Promise<CampaignHit> {
  const hour = now.toISOString().slice(0, 13);
  const first = await deps.senders.increment(CAMPAIGN_TENANT, key, `m:${hour}:${message.tenantId}:${message.sender}`, { n: 1 }, 2 * 3600);
  const c = await deps.senders.increment(CAMPAIGN_TENANT, key, `s:${hour}`, { senders: first.n === 1 ? 1 : 0 }, 2 * 3600);
  return { key, count: c.senders ?? 0, members: [] };
}

export async function propagateCampaign(deps: ReputationDeps, tenant: Tenant, sender: string, hit: CampaignHit, policy: SenderPolicy): Promise<void> {
  const n = hit.members.length;
  if (n === 0 || !isCampaign(n, policy.campaignMinSenders)) return;
  if (n !== policy.campaignMinSenders && n % 10 !== 0) return;
  const at = deps.clock.now().toISOString();
  const tenants = new Set(hit.members.map((m) => m.tenantId)).size;
  const detail = `${hit.key}: ${n} senders in ${tenants} tenant(s)`;
  for (const m of hit.members) {
    if (m.tenantId === tenant.id && m.sender === sender) continue;
    const t = m.tenantId === tenant.id ? tenant : await tenantOf(deps, m.tenantId);
    await applyEvidence(deps, t, m.sender, {
      entries: [{ at, family: 'campaign', signal: 'campaign', weight: SIGNAL_RULES.campaign.weight, detail }],
      throttle: `campaign: ${detail}`,
      kind: await senderKindOf(deps, m.tenantId, m.sender),
    });
  }
}
