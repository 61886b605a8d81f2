// Ports the reputation policy needs beyond SenderStore. A campaign spans
// senders and tenants, so it cannot live in one sender's record: the index is
// keyed by content (body fingerprint, URL set) instead.
// Implementations: adapters/memory/campaign-index.ts (simulation, tests);
// SQLite and DynamoDB may add one (a table keyed by `key` with one item per
// member and a TTL of `windowSeconds`). Without one, campaign-step.ts counts
// distinct senders per content key in the SenderStore's counters: the
// campaign is still found, but its earlier senders cannot be named.

export interface CampaignMember {
  tenantId: string;
  sender: string;
}

export interface CampaignIndex {
  /**
   * Records that `member` sent content identified by `key` at `at`, and
   * returns every distinct member seen with that key within the last
   * `windowSeconds` (this one included). Two workers noting the same key at
   * once must both see each other afterwards (no lost member).
   */
  note(key: string, member: CampaignMember, at: Date, windowSeconds: number): Promise<CampaignMember[]>;
}
