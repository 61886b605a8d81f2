// Outcome evidence after the message left: per-recipient SMTP replies from
// delivery (5.1.x = the recipient does not exist: a bought or harvested
// list), and SES feedback (hard bounces count like 5.1.x; complaints).
import { classifyReply } from '../delivery/bounce-rules.js';
import type { MessageRecord } from '../model.js';
import type { RecipientResult } from '../ports.js';
import { bucket, TTL } from './counters.js';
import { applyEvidence } from './evidence.js';
import { SIGNAL_RULES, THRESHOLDS } from './policy.js';
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

export async function recordDeliveryOutcome(deps: ReputationDeps, message: MessageRecord, results: RecipientResult[]): Promise<void> {
  if (results.length === 0) return;
  const now = deps.clock.now();
  const invalid = results.filter(isInvalidRecipient).length;
  const delivered = results.filter((r) => r.code >= 200 && r.code < 300).length;
  const [hour] = await Promise.all([
    deps.senders.increment(message.tenantId, message.sender, bucket.hour(now), { invalid, attempted: results.length }, TTL.hour),
    deps.senders.increment(message.tenantId, message.sender, bucket.day(now), { delivered }, TTL.day),
  ]);
  await invalidEvidence(deps, message.tenantId, message.sender, hour.invalid ?? 0, hour.attempted ?? 0, message.id);
}

export async function recordFeedback(deps: ReputationDeps, fb: FeedbackEvent): Promise<void> {
  const now = deps.clock.now();
  const n = Math.max(1, fb.recipients.length);
  if (fb.type === 'bounce') {
    const hour = await deps.senders.increment(fb.tenantId, fb.sender, bucket.hour(now), { invalid: n, attempted: 0 }, TTL.hour);
    await invalidEvidence(deps, fb.tenantId, fb.sender, hour.invalid ?? 0, hour.attempted ?? 0, fb.messageId);
    return;
  }
  const [today, yesterday] = await Promise.all([
    deps.senders.increment(fb.tenantId, fb.sender, bucket.day(now), { complaints: n, delivered: 0 }, TTL.day),
    deps.senders.increment(fb.tenantId, fb.sender, bucket.day(new Date(now.getTime() - 86_400_000)), { complaints: 0, delivered: 0 }, TTL.day),
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
  await applyEvidence(deps, await tenantOf(deps, fb.tenantId), fb.sender, { entries, kind: await senderKindOf(deps, fb.tenantId, fb.sender) });
}

async function invalidEvidence(deps: ReputationDeps, tenantId: string, sender: string, invalid: number, attempted: number, messageId: string): Promise<void> {
  const share = invalid / Math.max(1, attempted);
  if (invalid < THRESHOLDS.invalidMin || share < THRESHOLDS.invalidShare) return;
  const at = deps.clock.now().toISOString();
  const detail = `${invalid} of ${attempted} recipients refused as unknown this hour`;
  const entries: RiskEntry[] = [{ at, family: 'outcome', signal: 'invalid-recipients', weight: SIGNAL_RULES['invalid-recipients'].weight, messageId, detail }];
  if (invalid >= THRESHOLDS.invalidLockMin && share >= THRESHOLDS.invalidLockShare) {
    entries.push({ at, family: 'outcome', signal: 'invalid-recipients-burst', weight: 1, messageId, detail });
  }
  await applyEvidence(deps, await tenantOf(deps, tenantId), sender, { entries, kind: await senderKindOf(deps, tenantId, sender) });
}
