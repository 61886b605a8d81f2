// Known recipients: the addresses a sender has written to, each remembered
// for THRESHOLDS.knownRecipientDays after the sender *last* wrote to it
// (sliding expiry), so long-standing correspondents never turn "new" again
// while the sender keeps writing to them. A never-seen recipient feeds the
// new-recipients evidence of the lockout policy (counters.ts).
//
// The rule lives here, without I/O: `knownRecipientStep` says whether a
// contact adds an entry, refreshes it or leaves it alone, and `noteRecipients`
// reads the entries and compare-and-sets the ones to write through the store's
// KnownRecipientStore methods. A repeat contact within
// THRESHOLDS.knownRecipientRefreshDays of the stored last contact writes
// nothing. Of two workers noting one new recipient at once, exactly one sees
// it as new (the other loses the compare-and-set, re-reads, finds it known).
import { createHash } from 'node:crypto';
import type { SenderStore } from '../ports.js';
import type { KnownRecipientEntry, KnownRecipientStore } from './ports.js';
import { THRESHOLDS } from './policy.js';

const DAY_MS = 86_400_000;
const TTL_MS = THRESHOLDS.knownRecipientDays * DAY_MS;
const REFRESH_MS = THRESHOLDS.knownRecipientRefreshDays * DAY_MS;

/** Compare-and-set attempts per recipient before giving up (each loss means another writer just wrote it). */
const MAX_ATTEMPTS = 10;

/** The store key of a recipient (counters.ts `bucket.known`): case-insensitive, and no address in the store. */
export function knownRecipientKey(rcpt: string): string {
  return `r:${createHash('sha1').update(rcpt.toLowerCase()).digest('hex').slice(0, 20)}`;
}

/** What a contact does to a recipient's entry: `add` it (the recipient is new), `refresh` it, or nothing. */
export type KnownRecipientStep = 'add' | 'refresh' | 'none';

export function knownRecipientStep(stored: KnownRecipientEntry | undefined, now: number): KnownRecipientStep {
  if (!stored || stored.expiresAt <= now) return 'add';
  // An entry from before sliding expiry has no last contact: the first contact since gives it one.
  if (stored.lastContactAt === undefined || now - stored.lastContactAt >= REFRESH_MS) return 'refresh';
  return 'none';
}

/** The entry a contact at `now` writes (when `knownRecipientStep` says to write). */
export function knownRecipientEntry(now: number): Required<KnownRecipientEntry> {
  return { lastContactAt: now, expiresAt: now + TTL_MS };
}

/**
 * Notes that `sender` wrote to `recipients` at `now`; returns, per recipient,
 * whether it was new to the sender (no live entry). A recipient listed twice
 * is new at most once.
 */
export async function noteRecipients(store: SenderStore, tenantId: string, sender: string, recipients: string[], now: Date): Promise<boolean[]> {
  const keys = recipients.map(knownRecipientKey);
  const unique = [...new Set(keys)];
  const isNew = await noteEach(store, tenantId, sender, unique, now.getTime());
  const byKey = new Map(unique.map((k, i) => [k, isNew[i]!]));
  return keys.map((k, i) => keys.indexOf(k) === i && byKey.get(k)!);
}

async function noteEach(store: KnownRecipientStore, tenantId: string, sender: string, keys: string[], now: number): Promise<boolean[]> {
  if (keys.length === 0) return [];
  const stored = await store.getKnownRecipients(tenantId, sender, keys);
  return Promise.all(keys.map(async (key, i) => {
    let current = stored[i];
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const step = knownRecipientStep(current, now);
      if (step === 'none') return false;
      if (await store.putKnownRecipient(tenantId, sender, key, knownRecipientEntry(now), current)) return step === 'add';
      [current] = await store.getKnownRecipients(tenantId, sender, [key], true);
    }
    throw new Error(`known recipient ${key} of ${sender} kept changing under us`);
  }));
}
