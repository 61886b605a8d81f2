// In-memory CampaignIndex (core/reputation/ports.ts) for the simulation and
// tests: per content key, the members seen and when, pruned to the window.
import type { CampaignIndex, CampaignMember } from '../../core/reputation/ports.js';

/** Keys kept at most; the oldest is dropped first (bounded memory in long runs). */
const MAX_KEYS = 200_000;

export class MemoryCampaignIndex implements CampaignIndex {
  private readonly byKey = new Map<string, Map<string, { member: CampaignMember; at: number }>>();

  async note(key: string, member: CampaignMember, at: Date, windowSeconds: number): Promise<CampaignMember[]> {
    const now = at.getTime();
    let members = this.byKey.get(key);
    if (!members) {
      if (this.byKey.size >= MAX_KEYS) this.byKey.delete(this.byKey.keys().next().value as string);
      members = new Map();
      this.byKey.set(key, members);
    }
    members.set(`${member.tenantId}\u0000${member.sender}`, { member: { ...member }, at: now });
    const out: CampaignMember[] = [];
    for (const [k, m] of members) {
      if (m.at <= now - windowSeconds * 1000) members.delete(k);
      else out.push({ ...m.member });
    }
    return out;
  }
}
