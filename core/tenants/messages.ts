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

/**
 * Releases a quarantined message: marked released first, then queued, so a
 * crash in between leaves a visible 'released' message rather than a lost
 * one. Rejected mail is not released: a reject is a verdict about the content
 * (a virus, say), not a question for the tenant.
 */
export async function releaseMessage(deps: MessageOpsDeps, tenantId: string, id: string): Promise<MessageRecord> {
  const rec = await requireMessage(deps, tenantId, id);
  if (rec.status !== 'quarantined') {
    throw new DomainError('CONFLICT', `Message ${id} is ${rec.status}; only quarantined messages can be released`);
  }
  const now = deps.clock.now().toISOString();
  const next: MessageRecord = {
    ...rec,
    status: 'released',
    recipients: rec.recipients.map((r) => (r.state === 'delivered' ? r : { ...r, state: 'pending' })),
    updatedAt: now,
  };
  await deps.messages.put(next);
  await deps.deliverQueue.send({ messageId: id, attempt: 1, releasedAt: now });
  return next;
}

/** Deletes a held message's body; the record stays in the log as 'deleted', an audit trail of who threw what away. */
export async function deleteHeldMessage(deps: MessageOpsDeps, tenantId: string, id: string): Promise<void> {
  const rec = await requireMessage(deps, tenantId, id);
  if (!HELD.includes(rec.status)) {
    throw new DomainError('CONFLICT', `Message ${id} is ${rec.status}; only quarantined or rejected messages can be deleted`);
  }
  await deps.messages.put({ ...rec, status: 'deleted', updatedAt: deps.clock.now().toISOString() });
  await deps.spool.delete(rec.spoolKey);
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
