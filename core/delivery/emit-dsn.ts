// Turns failed recipients into a DSN message that goes through the same
// delivery pipeline as any other mail: spooled, logged, queued. Its id is
// derived from the original and the attempt, so a job that is run twice
// (a crash between steps, a queue redelivery) never mails two DSNs.
import type { MessageRecord, RecipientStatus } from '../model.js';
import type { PipelineDeps } from '../pipeline/deps.js';
import { deliveryExpiry } from './backoff.js';
import { buildDsn } from './dsn.js';

export type DsnDeps = Pick<PipelineDeps, 'spool' | 'messages' | 'deliverQueue' | 'config' | 'clock'>;

/** DSNs go only to a real envelope sender: never to the null sender, so a bounce never bounces. */
export function wantsDsn(original: MessageRecord): boolean {
  return original.envelope.mailFrom.trim() !== '';
}

/**
 * A DSN this gateway generated (see the id built in emitDsn). How such a
 * notice fares says nothing about how its sender sends, so it feeds no
 * reputation.
 */
export function isGeneratedDsn(record: MessageRecord): boolean {
  return record.envelope.mailFrom === '' && /-dsn-\d+$/.test(record.id);
}

async function* once(body: Buffer): AsyncIterable<Uint8Array> {
  yield body;
}

/** Spools, records and queues a DSN for `failed`; returns the DSN's message id. */
export async function emitDsn(
  deps: DsnDeps,
  original: MessageRecord,
  originalRaw: Buffer,
  failed: RecipientStatus[],
  opts: { attempt: number; expired: boolean },
): Promise<string> {
  const id = `${original.id}-dsn-${opts.attempt}`;
  if (await deps.messages.get(id)) return id; // already emitted by an earlier run of this job
  const now = deps.clock.now();
  const hostname = deps.config.hostname;
  const messageId = `<${id}@${hostname}>`;
  const body = buildDsn({
    hostname,
    returnPath: original.envelope.mailFrom,
    originalId: original.id,
    arrivalDate: new Date(original.receivedAt),
    originalRaw,
    failed,
    expired: opts.expired,
    now,
    messageId,
  });
  // Next to the original in the spool, so a folder spool needs no new directory.
  const spoolKey = `${original.spoolKey}.dsn-${opts.attempt}`;
  const { size } = await deps.spool.put(spoolKey, once(body));
  const receivedAt = now.toISOString();
  const record: MessageRecord = {
    id,
    tenantId: original.tenantId,
    spoolKey,
    messageId,
    subject: opts.expired ? 'Undelivered Mail Returned to Sender (delivery time expired)' : 'Undelivered Mail Returned to Sender',
    headerFrom: `MAILER-DAEMON@${hostname}`,
    envelope: { mailFrom: '', rcptTo: [original.envelope.mailFrom] },
    // Generated here, not received from a client.
    clientIp: '127.0.0.1',
    identity: original.identity,
    sender: original.sender,
    size,
    receivedAt,
    status: 'queued',
    recipients: [{ rcpt: original.envelope.mailFrom, state: 'pending', attempts: 0 }],
    expiresAt: deliveryExpiry(receivedAt, deps.config.deliveryRetrySeconds),
    updatedAt: receivedAt,
  };
  await deps.messages.put(record);
  await deps.deliverQueue.send({ messageId: id, attempt: 1 });
  return id;
}
