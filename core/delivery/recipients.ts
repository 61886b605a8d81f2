// Per-recipient delivery state: what is still to be tried, what one attempt
// changed, and what the message's status is once nothing is left to try.
import type { Envelope, MessageStatus, RecipientStatus } from '../model.js';
import type { RecipientResult } from '../ports.js';
import { classifyReply, type BounceCategory } from './bounce-rules.js';

/** One entry per envelope recipient, keeping the state already recorded. */
export function ensureRecipients(envelope: Envelope, existing: RecipientStatus[] | undefined): RecipientStatus[] {
  const byRcpt = new Map((existing ?? []).map((r) => [r.rcpt.toLowerCase(), r]));
  return envelope.rcptTo.map((rcpt) => byRcpt.get(rcpt.toLowerCase()) ?? { rcpt, state: 'pending', attempts: 0 });
}

/** Still to be tried: never delivered, never bounced. */
export function isPending(r: RecipientStatus): boolean {
  return r.state === 'pending' || r.state === 'deferred';
}

export interface AttemptOutcome {
  recipients: RecipientStatus[];
  /** Recipients this attempt bounced (they go into a DSN). */
  bounced: RecipientStatus[];
  /** Category per recipient address this attempt, for the log and reputation. */
  categories: Map<string, BounceCategory>;
}

/**
 * Applies one attempt's results to the tried recipients. A tried recipient
 * the transport said nothing about is deferred: missing evidence never
 * counts as delivered or bounced.
 */
export function applyAttempt(recipients: RecipientStatus[], tried: string[], results: RecipientResult[], now: Date): AttemptOutcome {
  const byRcpt = new Map(results.map((r) => [r.rcpt.toLowerCase(), r]));
  const triedSet = new Set(tried.map((t) => t.toLowerCase()));
  const bounced: RecipientStatus[] = [];
  const categories = new Map<string, BounceCategory>();
  const next = recipients.map((r) => {
    const key = r.rcpt.toLowerCase();
    if (!triedSet.has(key)) return r;
    const result = byRcpt.get(key) ?? { rcpt: r.rcpt, code: 0, reply: 'no result from the transport for this recipient' };
    const { outcome, category } = classifyReply(result.code, result.reply);
    categories.set(key, category);
    const updated: RecipientStatus = {
      ...r,
      state: outcome,
      attempts: r.attempts + 1,
      reply: result.reply,
      lastAttemptAt: now.toISOString(),
      ...(result.mx ? { mx: result.mx } : {}),
    };
    if (outcome === 'bounced') bounced.push(updated);
    return updated;
  });
  return { recipients: next, bounced, categories };
}

/** At expiry: every deferred recipient bounces with its last reply kept. */
export function expireDeferred(recipients: RecipientStatus[]): { recipients: RecipientStatus[]; bounced: RecipientStatus[] } {
  const bounced: RecipientStatus[] = [];
  const next = recipients.map((r) => {
    if (!isPending(r)) return r;
    const updated: RecipientStatus = { ...r, state: 'bounced', reply: r.reply ?? 'delivery time expired before any attempt' };
    bounced.push(updated);
    return updated;
  });
  return { recipients: next, bounced };
}

/** The message status once no recipient is pending; 'delivering' while some are. */
export function messageStatusFor(recipients: RecipientStatus[]): MessageStatus {
  if (recipients.some(isPending)) return 'delivering';
  const delivered = recipients.filter((r) => r.state === 'delivered').length;
  if (delivered === recipients.length) return 'delivered';
  return delivered === 0 ? 'bounced' : 'partially-delivered';
}
