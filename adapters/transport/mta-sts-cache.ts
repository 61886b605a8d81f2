// MTA-STS policies kept in memory between deliveries (RFC 8461 section 5:
// a policy is cached for its max_age and refreshed when the DNS id changes).
//
// mailauth 4.13's getPolicy re-fetches a cached policy whose `expires` lies
// in the future (the comparison is inverted) and reuses one whose `expires`
// has passed. So this cache hands out a fresh policy without `expires`,
// which mailauth reuses as long as the _mta-sts TXT id is unchanged, and
// hands out nothing for a stale one, which makes mailauth fetch it again.

export interface MtaStsPolicy {
  id?: string | false;
  mode?: string;
  mx?: string[];
  maxAge?: number;
  expires?: string;
  [key: string]: unknown;
}

export interface MtaStsCache {
  get(domain: string): Promise<MtaStsPolicy | false>;
  set(domain: string, policy: MtaStsPolicy): Promise<void>;
}

/** At most a day between fetches, whatever max_age says; a new DNS id refetches at once. */
const MAX_REUSE_SECONDS = 86400;

export function createMtaStsCache(now: () => number = Date.now, maxEntries = 10_000): MtaStsCache {
  const entries = new Map<string, { policy: MtaStsPolicy; until: number }>();
  return {
    async get(domain) {
      const hit = entries.get(domain);
      if (!hit || hit.until <= now()) return false;
      const { expires: _ignored, ...policy } = hit.policy;
      return policy;
    },
    async set(domain, policy) {
      if (!policy || !policy.id) return; // "no policy" answers are not worth keeping
      const seconds = Math.min(Number(policy.maxAge) || 0, MAX_REUSE_SECONDS);
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value as string);
      entries.set(domain, { policy, until: now() + seconds * 1000 });
    },
  };
}
