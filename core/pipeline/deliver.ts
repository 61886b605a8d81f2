// The deliver step: one attempt at the recipients still pending, then
// either done, retried later with backoff, or bounced with a DSN. Called
// the same way by the deliver Lambda and the local worker. Throwing means
// "run this job again" to the queue runner, so every write here is safe to
// repeat: delivered recipients are never retried, and DSN ids are derived.
// The deliver Lambda gives each attempt a deadline inside its own time
// (core/delivery/attempt-deadline.ts) so the results are always recorded.
import { decideRetry, deliveryExpiry } from '../delivery/backoff.js';
import { chooseSigningDomain } from '../delivery/signing-domain.js';
import { signMessage } from '../delivery/dkim.js';
import { firstAddress, headerValue } from '../delivery/headers.js';
import { domainOf } from '../policy/sender-key.js';
import { emitDsn, isGeneratedDsn, wantsDsn } from '../delivery/emit-dsn.js';
import { applyAttempt, ensureRecipients, expireDeferred, isPending, messageStatusFor } from '../delivery/recipients.js';
import { isDomainError } from '../errors.js';
import type { MessageRecord, MessageStatus, RecipientStatus } from '../model.js';
import type { DeliverJob, OutboundMessage, RecipientResult } from '../ports.js';
import { isSenderLocked, recordDeliveryOutcome } from '../reputation/index.js';
import { heldForLock, heldWithSignal } from '../reputation/after-lock.js';
import { applySuppressions, recordHardBounces } from '../suppression/index.js';
import { reputationDeps, type PipelineDeps } from './deps.js';
import { problemLogOf } from '../log.js';

/** Statuses in which a deliver job has work to do; any other status means the job is stale. */
const DELIVERABLE: ReadonlySet<MessageStatus> = new Set(['queued', 'delivering', 'released']);

async function signForTenant(deps: PipelineDeps, record: MessageRecord, raw: Buffer, now: Date): Promise<Buffer> {
  const domain = await chooseSigningDomain(
    record.tenantId,
    { headerFromDomain: domainOf(firstAddress(headerValue(raw, 'From')) ?? '') || undefined, mailFromDomain: domainOf(record.envelope.mailFrom) || undefined },
    (d) => deps.tenants.getDomain(d),
  );
  if (!domain) return raw;
  return (await signMessage(raw, domain, now)).raw;
}

async function attempt(deps: PipelineDeps, record: MessageRecord, raw: Buffer, rcptTo: string[], deadline: number | undefined): Promise<RecipientResult[]> {
  const request: OutboundMessage = { mailFrom: record.envelope.mailFrom, rcptTo, raw, ...(deadline !== undefined ? { deadline } : {}) };
  try {
    return await deps.transport.send(request);
  } catch (err) {
    // A transport that throws has not delivered anything we know of: defer, so expiry still applies.
    const reply = `local transport error: ${err instanceof Error ? err.message : String(err)}`;
    return rcptTo.map((rcpt) => ({ rcpt, code: 0, reply }));
  }
}

/** The spooled bytes, or undefined when they are gone for good (other failures throw: retry the job). */
async function readSpooled(deps: PipelineDeps, key: string): Promise<Buffer | undefined> {
  try {
    return await deps.spool.get(key);
  } catch (err) {
    if (isDomainError(err, 'NOT_FOUND')) return undefined;
    throw err;
  }
}

/**
 * A job whose attempt was already made for every pending recipient is a
 * duplicate: the queue handed it out again after its successor had been
 * scheduled (a worker died before acknowledging it). Running it would start
 * a second retry chain. Only messages already in delivery can have one.
 */
function isStaleAttempt(recipients: RecipientStatus[], attempt: number): boolean {
  const pending = recipients.filter(isPending);
  return pending.length > 0 && pending.every((r) => r.attempts >= attempt);
}

/**
 * The number of this attempt in the message's single retry chain. A release
 * from quarantine queues attempt 1, but a message held in the middle of its
 * retries (its sender was locked) has made attempts already. Numbering on
 * from those keeps the retries after the release from being dropped as stale
 * and gives a DSN after the release an id no earlier DSN has taken.
 */
function attemptNumber(status: MessageStatus, recipients: RecipientStatus[], jobAttempt: number): number {
  if (status !== 'released') return jobAttempt;
  return Math.max(jobAttempt, 1 + Math.max(0, ...recipients.map((r) => r.attempts)));
}

export interface DeliverJobLimits {
  /**
   * Epoch milliseconds by which the attempt must be over, so the step can
   * still record it (attemptDeadline). @default none: the transport's own timeouts
   */
  deadline?: number;
}

export async function handleDeliverJob(deps: PipelineDeps, job: DeliverJob, limits: DeliverJobLimits = {}): Promise<void> {
  const original = await deps.messages.get(job.messageId);
  if (!original || !DELIVERABLE.has(original.status)) return;
  // A sender locked since this message was scored: hold what is still waiting (a retry included) rather
  // than deliver it. Mail the tenant released by hand goes out, and so do null-sender bounces.
  if (original.status !== 'released' && original.envelope.mailFrom !== '') {
    const lock = await isSenderLocked(deps, original.tenantId, original.sender);
    if (lock) {
      await deps.messages.put(heldForLock(original, lock, deps.clock.now().toISOString()));
      return;
    }
  }

  const now = deps.clock.now();
  // Mail released from quarantine may be days old: its retry window starts at the release.
  const expiresAt = original.status === 'released'
    ? deliveryExpiry(now.toISOString(), deps.config.deliveryRetrySeconds)
    : original.expiresAt ?? deliveryExpiry(original.receivedAt, deps.config.deliveryRetrySeconds);
  let recipients = ensureRecipients(original.envelope, original.recipients);
  if (original.status === 'delivering' && isStaleAttempt(recipients, job.attempt)) return;
  const attemptNo = attemptNumber(original.status, recipients, job.attempt);
  // Addresses on the tenant's suppression list bounce here (with a DSN, as SES does) and are never offered to the receiving server.
  const suppression = await applySuppressions(deps, original.tenantId, recipients);
  recipients = suppression.recipients;
  const pending = recipients.filter(isPending).map((r) => r.rcpt);
  const raw = await readSpooled(deps, original.spoolKey);

  let results: RecipientResult[] = [];
  let bounced: RecipientStatus[] = suppression.bounced;
  if (pending.length > 0 && raw === undefined) {
    // Retrying cannot bring the bytes back: end the message with a reason and tell the sender.
    const lost = pending.map((rcpt) => ({ rcpt, code: 554, reply: '554 5.3.0 local: the message body is missing from the spool and cannot be delivered' }));
    ({ recipients, bounced } = applyAttempt(recipients, pending, lost, now));
    bounced = [...suppression.bounced, ...bounced];
  } else if (pending.length > 0 && raw !== undefined) {
    if (original.status !== 'delivering') {
      await deps.messages.put({ ...original, status: 'delivering', recipients, expiresAt, updatedAt: now.toISOString() });
    }
    const signed = await signForTenant(deps, original, raw, now);
    results = await attempt(deps, original, signed, pending, limits.deadline);
    ({ recipients, bounced } = applyAttempt(recipients, pending, results, now));
    bounced = [...suppression.bounced, ...bounced];
    // Dead addresses join the suppression list before the record says "bounced"; advisory, it never throws.
    await recordHardBounces(deps, original, results);
  }

  let retryDelay: number | undefined;
  let expired = false;
  if (recipients.some(isPending)) {
    const decision = decideRetry(now, attemptNo, new Date(expiresAt), deps.config.deliveryBackoffSeconds);
    if (decision.retry) {
      retryDelay = decision.delaySeconds;
    } else {
      const expiry = expireDeferred(recipients);
      recipients = expiry.recipients;
      bounced = [...bounced, ...expiry.bounced];
      expired = expiry.bounced.length > 0;
    }
  }

  const next: MessageRecord = { ...original, recipients, expiresAt, status: messageStatusFor(recipients), updatedAt: deps.clock.now().toISOString() };
  // The DSN and the retry job go out before the record is saved. A crash in between repeats this
  // attempt (the record still says it was not made) and never loses a DSN or a retry; the extra
  // retry job that repetition schedules is then recognised as stale and dropped.
  if (bounced.length > 0 && wantsDsn(original)) {
    next.dsnMessageId = await emitDsn(deps, original, raw ?? Buffer.alloc(0), bounced, { attempt: attemptNo, expired });
  }
  if (retryDelay !== undefined) await deps.deliverQueue.send({ messageId: original.id, attempt: attemptNo + 1 }, retryDelay);
  await deps.messages.put(next);

  if (results.length > 0 && !isGeneratedDsn(next)) {
    try {
      // Everything a lock decided on this evidence needs, as at scoring time: hold the sender's queued
      // mail, post the webhook, send the ARF reports (through the report transport: untagged on AWS).
      await recordDeliveryOutcome(reputationDeps(deps), next, results, attemptNo);
    } catch (err) {
      // Reputation is advisory here; the delivery is recorded and must not be repeated because of it.
      problemLogOf(deps).problem('DELIVERY_OUTCOME_FAILED', { messageId: next.id, tenantId: next.tenantId, error: String(err) });
    }
  }
}

/**
 * A deliver job that keeps throwing — the spool, a store or the signing key
 * failing, not a remote answer (those are kept per recipient) — holds its
 * message in quarantine with the reason once its tries run out, as a
 * scoring failure does: nothing accepted is left stuck out of sight, and
 * the tenant can release it once the cause is fixed.
 */
export async function holdAfterDeliveryFailure(deps: Pick<PipelineDeps, 'messages' | 'clock'>, messageId: string, err: unknown): Promise<void> {
  const msg = await deps.messages.get(messageId);
  if (!msg || !DELIVERABLE.has(msg.status)) return;
  const detail = `delivery failed repeatedly: ${err instanceof Error ? err.message : String(err)}`.slice(0, 500);
  await deps.messages.put(heldWithSignal(msg, { name: 'delivery-failed', weight: 0, detail }, deps.clock.now().toISOString()));
}
