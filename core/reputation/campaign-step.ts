// Campaign detection across senders and tenants: each message's content keys
// go into the CampaignIndex; when one key has enough distinct senders within
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
  members: CampaignMember[];
}

export async function noteCampaign(deps: ReputationDeps, message: MessageRecord, facts: ContentFacts, policy: SenderPolicy, now: Date): Promise<CampaignHit | undefined> {
  if (!deps.campaigns) return undefined;
  let best: CampaignHit | undefined;
  for (const key of campaignKeys(facts)) {
    const members = await deps.campaigns.note(key, { tenantId: message.tenantId, sender: message.sender }, now, policy.campaignWindowSeconds);
    if (!best || members.length > best.members.length) best = { key, members };
  }
  return best;
}

export async function propagateCampaign(deps: ReputationDeps, tenant: Tenant, sender: string, hit: CampaignHit, policy: SenderPolicy): Promise<void> {
  const n = hit.members.length;
  if (!isCampaign(hit.members, policy.campaignMinSenders)) return;
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
