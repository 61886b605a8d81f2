// Held mail: a tenant reads its message log, releases a quarantined message
// to delivery, or deletes it. Every lookup is scoped to the tenant: another
// tenant's message is "not found", never "forbidden".
import { DomainError, isDomainError } from '../errors.js';
import type { MessageRecord, MessageStatus } from '../model.js';
import type { Clock, DeliverJob, JobQueue, MessageQuery, MessageStore, SpoolStore } from '../ports.js';

export interface MessageOpsDeps {
  clock: Clock;
  messages: MessageStore;
  spool: SpoolStore;
  deliverQueue: JobQueue<DeliverJob>;
}

/** States a tenant may release or delete: the gateway holds the message and nothing else owns it. */
const HELD: MessageStatus[] = ['quarantined', 'rejected'];

/**
 * A page of the tenant's message log, newest first (50 by default). Senders
 * are keyed lower-case, and stores compare ISO strings, so any offset the
 * client used becomes UTC first.
 */
export async function listMessages(
  deps: Pick<MessageOpsDeps, 'messages'>,
  tenantId: string,
  query: MessageQuery,
): Promise<{ items: MessageRecord[]; cursor?: string }> {
  return deps.messages.list(tenantId, {
    ...query,
    limit: query.limit ?? 50,
    ...(query.sender ? { sender: query.sender.trim().toLowerCase() } : {}),
    ...(query.since ? { since: new Date(query.since).toISOString() } : {}),
    ...(query.until ? { until: new Date(query.until).toISOString() } : {}),
  });
}

export async function requireMessage(deps: Pick<MessageOpsDeps, 'messages'>, tenantId: string, id: string): Promise<MessageRecord> {
  const rec = await deps.messages.get(id);
  if (!rec || rec.tenantId !== tenantId) throw new DomainError('NOT_FOUND', `No message ${id}`);
  return rec;
}

/** Statuses a message the gateway held reaches only through a release: released, then the deliver step's. */
const AFTER_RELEASE: MessageStatus[] = ['released', 'delivering', 'delivered', 'partially-delivered', 'bounced'];

/**
 * How often a release or delete reads again after its compare-and-set lost to
 * a write that left the message where it was (still held). Such writes are
 * rare (a hold adding its reason), so a few rounds settle it; more means the
 * message is busy and the client should try again.
 */
const ROUNDS = 3;

/**
 * True when the message was released already: it is 'released', or its
 * verdict held it and it has since gone into delivery. A monitor-only
 * tenant's message carries a quarantine verdict but was never held, so it
 * does not count.
 */
function releasedAlready(rec: MessageRecord): boolean {
  if (rec.status === 'released') return true;
  return rec.verdict?.verdict === 'quarantine' && !rec.verdict.monitorOnly && AFTER_RELEASE.includes(rec.status);
}

/**
 * Releases a quarantined message: marked released first, then queued, so a
 * crash in between leaves a visible 'released' message rather than a lost
 * one. Rejected mail is not released: a reject is a verdict about the content
 * (a virus, say), not a question for the tenant.
 *
 * The status change is a compare-and-set on the record as read, so of two
 * releases at once (a double click, a retried request) exactly one queues the
 * delivery; the other, like any later release of a message released already,
 * returns the message as it now is and queues nothing. A delete that won the
 * race leaves a 'deleted' message, which is a CONFLICT here.
 */
export async function releaseMessage(deps: MessageOpsDeps, tenantId: string, id: string): Promise<MessageRecord> {
  for (let round = 1; ; round++) {
    const rec = await requireMessage(deps, tenantId, id);
    if (rec.status !== 'quarantined') {
      if (releasedAlready(rec)) return rec;
      throw new DomainError('CONFLICT', `Message ${id} is ${rec.status}; only quarantined messages can be released`);
    }
    const now = deps.clock.now().toISOString();
    const next: MessageRecord = {
      ...rec,
      status: 'released',
      recipients: rec.recipients.map((r) => (r.state === 'delivered' ? r : { ...r, state: 'pending' })),
      updatedAt: now,
    };
    if (await deps.messages.putIfUnchanged(next, rec)) {
      await queueRelease(deps, next, rec);
      return next;
    }
    if (round >= ROUNDS) throw new DomainError('CONFLICT', `Message ${id} changed while it was being released; try again`);
  }
}

/**
 * Queues the delivery of a message just marked released. When the queue
 * refuses, the message goes back to quarantine (if nothing moved it since),
 * so the client's retry releases it again instead of being told it was
 * released while no delivery is queued.
 */
async function queueRelease(deps: MessageOpsDeps, released: MessageRecord, held: MessageRecord): Promise<void> {
  try {
    await deps.deliverQueue.send({ messageId: released.id, attempt: 1, releasedAt: released.updatedAt });
  } catch (err) {
    await deps.messages.putIfUnchanged(held, released).catch(() => false);
    throw err;
  }
}

/**
 * Deletes a held message's body; the record stays in the log as 'deleted', an
 * audit trail of who threw what away. The record says 'deleted' (by a
 * compare-and-set on the record as read) before the body goes, so a release
 * at the same moment either wins, and this is a CONFLICT that deletes
 * nothing, or loses and finds the message deleted: never a released message
 * without its body. Deleting a deleted message again succeeds (DELETE is
 * idempotent: a retried request or a second click gets the same answer).
 */
export async function deleteHeldMessage(deps: MessageOpsDeps, tenantId: string, id: string): Promise<void> {
  for (let round = 1; ; round++) {
    const rec = await requireMessage(deps, tenantId, id);
    // Deleted already: the body goes again (a no-op, or the end of a delete that stopped between its two steps).
    if (rec.status === 'deleted') return deps.spool.delete(rec.spoolKey);
    if (!HELD.includes(rec.status)) {
      throw new DomainError('CONFLICT', `Message ${id} is ${rec.status}; only quarantined or rejected messages can be deleted`);
    }
    if (await deps.messages.putIfUnchanged({ ...rec, status: 'deleted', updatedAt: deps.clock.now().toISOString() }, rec)) {
      await deps.spool.delete(rec.spoolKey);
      return;
    }
    if (round >= ROUNDS) throw new DomainError('CONFLICT', `Message ${id} changed while it was being deleted; try again`);
  }
}

/**
 * The stored message as text, for a tenant reviewing held mail. Capped so a
 * 25 MB attachment does not become a 25 MB JSON response (API Gateway stops
 * at 6 MB); headers and the start of the body are what a review needs.
 */
export async function readMessageSource(
  deps: Pick<MessageOpsDeps, 'messages' | 'spool'>,
  tenantId: string,
  id: string,
  maxBytes = 512 * 1024,
): Promise<{ id: string; size: number; truncated: boolean; raw: string }> {
  const rec = await requireMessage(deps, tenantId, id);
  if (rec.status === 'deleted') throw new DomainError('NOT_FOUND', `Message ${id} was deleted; its content is gone`);
  let body: Buffer;
  try {
    body = await deps.spool.get(rec.spoolKey);
  } catch (err) {
    // The spool's own message names its internal key, which the API never shows.
    if (isDomainError(err, 'NOT_FOUND')) throw new DomainError('NOT_FOUND', `Message ${id}: its content is no longer stored`);
    throw err;
  }
  const truncated = body.length > maxBytes;
  return { id, size: body.length, truncated, raw: body.subarray(0, maxBytes).toString('utf8') };
}
