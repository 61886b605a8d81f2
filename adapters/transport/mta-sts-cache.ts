// MTA-STS policies kept in memory between deliveries (RFC 8461 section 3.3
// and 5: a policy is cached for its max_age, refreshed when the DNS id
// changes and at least once a day, and while it is unexpired it applies even
// when no "live" policy can be found: TXT record gone, DNS failing, policy
// host unreachable).
//
// mx-connect asks mailauth's getPolicy with what `get` returns and then calls
// `set` with the very object it goes on to enforce. mailauth 4.13 gets two
// things wrong, which this cache works around:
// - its expiry test is inverted: it re-fetches a known policy whose `expires`
//   lies in the future and reuses one whose `expires` has passed. So `get`
//   hands out a policy without `expires` (reused while the id is unchanged)
//   and, once a refresh is due, one with an `expires` far ahead (fetched
//   again, with the known one reused if the fetch throws);
// - with no TXT record, a failing TXT lookup or no address for the policy
//   host it answers "mode none" without looking at the known policy. `set`
//   then copies the cached, unexpired policy into that object, so the cached
//   policy is the one applied, as RFC 8461 section 3.3 says it must be.

export interface MtaStsPolicy {
  id?: string | false;
  mode?: string;
  mx?: string[];
  maxAge?: number;
  expires?: string;
  error?: unknown;
  [key: string]: unknown;
}

export interface MtaStsCache {
  get(domain: string): Promise<MtaStsPolicy | false>;
  set(domain: string, policy: MtaStsPolicy): Promise<void>;
}

/** At most a day between fetches, whatever max_age says; a new DNS id refetches at once. */
const MAX_REUSE_SECONDS = 86400;
/** After a refresh that failed, the next try waits this long (the cached policy applies meanwhile). */
const RETRY_FAILED_REFRESH_SECONDS = 300;
/** An `expires` that is in the future on any clock: makes mailauth fetch the policy again. */
const FETCH_AGAIN = new Date(8.64e15).toISOString();
/** Marks a policy handed out by this cache; mailauth's copies of it (Object.assign) keep the mark. */
const FROM_CACHE = Symbol('relayguard.mta-sts.cached');

interface Entry {
  policy: MtaStsPolicy;
  /** When the policy is fetched again (if the id has not changed before). */
  refreshAt: number;
  /** max_age after the fetch: the policy no longer applies. */
  expiresAt: number;
}

export function createMtaStsCache(now: () => number = Date.now, maxEntries = 10_000): MtaStsCache {
  const entries = new Map<string, Entry>();
  /** The unexpired entry for a domain; an expired one is dropped. */
  function live(domain: string): Entry | undefined {
    const entry = entries.get(domain);
    if (!entry || entry.expiresAt > now()) return entry;
    entries.delete(domain);
    return undefined;
  }
  return {
    async get(domain) {
      const entry = live(domain);
      if (!entry) return false;
      const { expires: _ignored, ...policy } = entry.policy;
      const handed: MtaStsPolicy = entry.refreshAt <= now() ? { ...policy, expires: FETCH_AGAIN } : policy;
      Object.defineProperty(handed, FROM_CACHE, { value: true, enumerable: true });
      return handed;
    },
    async set(domain, policy) {
      if (!policy) return;
      const entry = live(domain);
      if ((policy as { [FROM_CACHE]?: boolean })[FROM_CACHE]) {
        // Our own policy back: reused as it was (id unchanged) or after a refresh that threw.
        // Neither is a fetch, so the times stay; a failed refresh is tried again a little later.
        if (entry && policy.error) entry.refreshAt = Math.min(entry.expiresAt, now() + RETRY_FAILED_REFRESH_SECONDS * 1000);
        return;
      }
      if (!policy.id || policy.error) {
        // No live policy found. An unexpired cached one still applies (RFC 8461 3.3): it becomes the
        // policy mx-connect enforces. A failure is never cached as "none".
        if (entry) Object.assign(policy, entry.policy, policy.error ? { error: policy.error } : {});
        return;
      }
      const maxAge = Math.max(0, Number(policy.maxAge) || 0);
      if (entries.size >= maxEntries && !entries.has(domain)) entries.delete(entries.keys().next().value as string);
      entries.set(domain, { policy: { ...policy }, refreshAt: now() + Math.min(maxAge, MAX_REUSE_SECONDS) * 1000, expiresAt: now() + maxAge * 1000 });
    },
  };
}
