// The cross-tenant campaign index (core/reputation/ports.ts) in SQLite: one
// row per content key and member, with when it was last seen. Noting and
// reading happen in one transaction, so two workers noting the same key both
// see each other; rows older than the window are swept now and then.
import { stmt, writeTransaction, type Db } from './sqlite.js';
import type { CampaignIndex, CampaignMember } from '../../core/reputation/ports.js';

export class SqliteCampaignIndex implements CampaignIndex {
  private lastSweep = 0;
  constructor(private readonly db: Db) {}

  async note(key: string, member: CampaignMember, at: Date, windowSeconds: number): Promise<CampaignMember[]> {
    const now = at.getTime();
    const since = now - windowSeconds * 1000;
    const rows = writeTransaction(this.db, () => {
      stmt(this.db, `INSERT INTO campaign_members (key, tenant_id, sender, at) VALUES (?, ?, ?, ?)
        ON CONFLICT (key, tenant_id, sender) DO UPDATE SET at = max(at, excluded.at)`).run(key, member.tenantId, member.sender, now);
      return stmt(this.db, 'SELECT tenant_id, sender FROM campaign_members WHERE key = ? AND at > ? ORDER BY at').all(key, since) as { tenant_id: string; sender: string }[];
    })();
    if (now - this.lastSweep > 600_000) {
      this.lastSweep = now;
      // A day is longer than any campaign window the policy uses.
      stmt(this.db, 'DELETE FROM campaign_members WHERE at < ?').run(now - 86_400_000);
    }
    return rows.map((r) => ({ tenantId: r.tenant_id, sender: r.sender }));
  }
}
