// Outcome evidence after the message left: per-recipient SMTP replies from
// delivery (5.1.x = the recipient does not exist: a bought or harvested
// list), and SES feedback (hard bounces count like 5.1.x; complaints).
//
// Both can be brought twice: a deliver job run again (two runs of one queue
// message, a retry after a crash), an SNS event delivered again. Complaints
// lock senders, so one event counted twice could push an honest sender toward
// a lock. Each delivery attempt and each feedback event therefore moves its
// counters in one `incrementOnce` with its own marker (`dl:<message>:<attempt>`,
// `fb:<feedback id>`) and adds its ledger entries under the same id
// (evidence.ts `evidenceId`): the second time nothing is counted and nothing
// added. A run that finds the marker still judges the counters it reads back,
// so one that died after counting but before its ledger entries gets them in.
import { classifyReply } from '../delivery/bounce-rules.js';
import type { MessageRecord } from '../model.js';
import type { RecipientResult, SenderStore } from '../ports.js';
import { bucket, TTL } from './counters.js';
import { applyEvidence } from './evidence.js';
import { SIGNAL_RULES, THRESHOLDS } from './policy.js';
import type { CounterIncrement } from './ports.js';
import type { RiskEntry } from './profile.js';
import { complaintRateHigh } from './signals/outcomes.js';
import { senderKindOf, tenantOf } from './tenant-of.js';
import type { FeedbackEvent, ReputationDeps } from './types.js';

/**
 * A refusal that says the address does not exist — no such mailbox, or no
 * such mail domain — as the delivery step's bounce rules classify it, so the
 * message log and the sender's evidence never disagree about a reply.
 */
export function isInvalidRecipient(r: RecipientResult): boolean {
  const { category } = classifyReply(r.code, r.reply);
  return category === 'unknown-user' || category === 'bad-domain';
}

/**
 * The replies of one delivery attempt. `attempt` (the deliver step's attempt
 * number) makes them count once however often that attempt is recorded; a
 * later attempt's replies are new evidence and count again.
 * @param attempt @default none: every call counts (the simulation, tests)
 */
export async function recordDeliveryOutcome(deps: ReputationDeps, message: MessageRecord, results: RecipientResult[], attempt?: number): Promise<void> {
  if (results.length === 0) return;
  const now = deps.clock.now();
  const invalid = results.filter(isInvalidRecipient).length;
  const delivered = results.filter((r) => r.code >= 200 && r.code < 300).length;
  const t = message.tenantId, s = message.sender;
  const evidenceId = attempt === undefined ? undefined : bucket.deliveryAttempt(message.id, attempt);
  const [hour] = await countOnce(deps.senders, t, s, evidenceId, [
    { sender: s, bucket: bucket.hour(now), deltas: { invalid, attempted: results.length }, ttlSeconds: TTL.hour },
    { sender: s, bucket: bucket.day(now), deltas: { delivered }, ttlSeconds: TTL.day },
  ]);
  await invalidEvidence(deps, t, s, hour.invalid ?? 0, hour.attempted ?? 0, message.id, evidenceId);
}

export async function recordFeedback(deps: ReputationDeps, fb: FeedbackEvent): Promise<void> {
  const now = deps.clock.now();
  const n = Math.max(1, fb.recipients.length);
  const t = fb.tenantId, s = fb.sender;
  const evidenceId = fb.eventId === undefined ? undefined : bucket.feedback(fb.eventId);
  if (fb.type === 'bounce') {
    const [hour] = await countOnce(deps.senders, t, s, evidenceId, [
      { sender: s, bucket: bucket.hour(now), deltas: { invalid: n, attempted: 0 }, ttlSeconds: TTL.hour },
    ]);
    await invalidEvidence(deps, t, s, hour.invalid ?? 0, hour.attempted ?? 0, fb.messageId, evidenceId);
    return;
  }
  const [today, yesterday] = await countOnce(deps.senders, t, s, evidenceId, [
    { sender: s, bucket: bucket.day(now), deltas: { complaints: n, delivered: 0 }, ttlSeconds: TTL.day },
    { sender: s, bucket: bucket.day(new Date(now.getTime() - 86_400_000)), deltas: { complaints: 0, delivered: 0 }, ttlSeconds: TTL.day },
  ]);
  const complaints = (today.complaints ?? 0) + (yesterday.complaints ?? 0);
  const delivered = (today.delivered ?? 0) + (yesterday.delivered ?? 0);
  if (!complaintRateHigh(complaints, delivered)) return;
  const at = now.toISOString();
  const detail = `${complaints} complaints since yesterday on ${delivered} delivered recipients`;
  const entries: RiskEntry[] = [{ at, family: 'outcome', signal: 'complaints', weight: SIGNAL_RULES.complaints.weight, messageId: fb.messageId, detail }];
  if (complaints >= THRESHOLDS.complaintsLock && complaints / Math.max(1, delivered) > THRESHOLDS.complaintsLockShare) {
    entries.push({ at, family: 'outcome', signal: 'complaints-burst', weight: 1, messageId: fb.messageId, detail });
  }
  await applyEvidence(deps, await tenantOf(deps, t), s, { entries, kind: await senderKindOf(deps, t, s), ...(evidenceId ? { evidenceId } : {}) });
}

/** The increments under the marker `evidenceId` (once), or plainly when there is none; the counters as they are after. */
async function countOnce(store: SenderStore, tenantId: string, sender: string, evidenceId: string | undefined, increments: CounterIncrement[]): Promise<Record<string, number>[]> {
  if (evidenceId === undefined) return Promise.all(increments.map((i) => store.increment(tenantId, i.sender, i.bucket, i.deltas, i.ttlSeconds)));
  return (await store.incrementOnce(tenantId, { sender, bucket: evidenceId }, increments, TTL.counted)).values;
}

async function invalidEvidence(
  deps: ReputationDeps, tenantId: string, sender: string, invalid: number, attempted: number, messageId: string, evidenceId: string | undefined,
): Promise<void> {
  const share = invalid / Math.max(1, attempted);
  if (invalid < THRESHOLDS.invalidMin || share < THRESHOLDS.invalidShare) return;
  const at = deps.clock.now().toISOString();
  const detail = `${invalid} of ${attempted} recipients refused as unknown this hour`;
  const entries: RiskEntry[] = [{ at, family: 'outcome', signal: 'invalid-recipients', weight: SIGNAL_RULES['invalid-recipients'].weight, messageId, detail }];
  if (invalid >= THRESHOLDS.invalidLockMin && share >= THRESHOLDS.invalidLockShare) {
    entries.push({ at, family: 'outcome', signal: 'invalid-recipients-burst', weight: 1, messageId, detail });
  }
  await applyEvidence(deps, await tenantOf(deps, tenantId), sender, { entries, kind: await senderKindOf(deps, tenantId, sender), ...(evidenceId ? { evidenceId } : {}) });
}
