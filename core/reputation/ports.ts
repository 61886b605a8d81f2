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

/**
 * A recipient the sender has written to, as stored. Times are epoch
 * milliseconds (a store may keep whole seconds). An entry written before
 * sliding expiry (the old first-contact counter) has no `lastContactAt`.
 */
export interface KnownRecipientEntry {
  lastContactAt?: number;
  expiresAt: number;
}

/**
 * Where the known recipients live: part of the SenderStore port
 * (core/ports.ts), kept next to the counters by the SQLite, DynamoDB and
 * in-memory stores. Keys are `bucket.known(rcpt)`. The store only reads and
 * compare-and-sets; when an entry is added or refreshed is decided in
 * known-recipients.ts.
 */
export interface KnownRecipientStore {
  /**
   * The entries stored under `keys`, expired ones included (undefined where
   * there is none). Unless `latest`, a store may answer from a slightly stale
   * copy (DynamoDB eventually consistent reads): the compare-and-set catches it.
   */
  getKnownRecipients(tenantId: string, sender: string, keys: string[], latest?: boolean): Promise<(KnownRecipientEntry | undefined)[]>;
  /**
   * Stores `entry` under `key` when what is stored there still equals
   * `expected` (undefined: nothing is); returns false on a lost race and
   * writes nothing. The entry expires (is swept) at `entry.expiresAt`.
   */
  putKnownRecipient(tenantId: string, sender: string, key: string, entry: Required<KnownRecipientEntry>, expected: KnownRecipientEntry | undefined): Promise<boolean>;
}

/** One increment of a message's contribution: `deltas` added to the counters of `bucket` of `sender`, which vanish after `ttlSeconds`. */
export interface CounterIncrement {
  sender: string;
  bucket: string;
  deltas: Record<string, number>;
  ttlSeconds: number;
}

/** What `incrementOnce` did, and the counters as they are after it. */
export interface CountedOnce {
  /** True when this call added the increments; false when the marker was already there (a retried job) and nothing was added. */
  counted: boolean;
  /** Per increment, in order: its named counters after the call (as `SenderStore.increment` returns them). */
  values: Record<string, number>[];
}

/**
 * Counting one message exactly once: part of the SenderStore port
 * (core/ports.ts). Which counters a message moves, and by how much, is
 * decided in counters.ts; the store only makes the marker and the increments
 * one atomic step.
 */
export interface MessageCounterStore {
  /**
   * Records the marker `once.bucket` of `once.sender` (a per-message key; it
   * expires after `onceTtlSeconds`) and applies every increment — or, when
   * that marker is already recorded and not expired, applies none. Either way
   * it returns the named counters as they now are — for a call that finds the
   * marker of a concurrent call still adding (DynamoDB claims the marker
   * first), possibly without that call's increments yet. A job that runs again (a
   * retry after a crash or a timeout, a redelivered queue message), on this
   * handle or another, therefore moves no counter a second time; of two
   * concurrent calls with one marker exactly one counts. At most once, not
   * exactly once: a store may claim the marker before it adds (DynamoDB does,
   * to keep hot counter items out of transactions), so a run that dies in
   * between leaves the message uncounted — never counted twice. Each (sender, bucket)
   * appears at most once in `increments`, and there are at most 100 of them
   * (DynamoDB reads them back with one BatchGetItem).
   */
  incrementOnce(tenantId: string, once: { sender: string; bucket: string }, increments: CounterIncrement[], onceTtlSeconds: number): Promise<CountedOnce>;
}

// For the stores implementing the ports above (SQLite, in-memory), so that each compares and reads the same way.

/** Whether a stored known-recipient entry still equals the `expected` one of `putKnownRecipient` (undefined: none). */
export function sameKnownRecipientEntry(a: KnownRecipientEntry | undefined, b: KnownRecipientEntry | undefined): boolean {
  return a === undefined || b === undefined ? a === b : a.expiresAt === b.expiresAt && a.lastContactAt === b.lastContactAt;
}

/** The same counters named with a delta of 0: read, not moved (an `incrementOnce` that finds its marker). */
export function zeroDeltas(deltas: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.keys(deltas).map((k) => [k, 0]));
}
