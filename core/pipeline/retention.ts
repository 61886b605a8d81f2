// Retention: after the retention period a message that has reached its end
// (delivered, bounced, held, rejected, deleted) loses its body and its log
// record — the tenant's copy of other people's mail is not kept forever.
// Mail still in the pipeline is never purged: delivery expiry ends it first
// (with a DSN), and it is purged on a later sweep.
import type { MessageRecord, MessageStatus } from '../model.js';
import type { Clock, MessageStore, SpoolStore } from '../ports.js';

const FINAL: ReadonlySet<MessageStatus> = new Set(['delivered', 'partially-delivered', 'bounced', 'quarantined', 'rejected', 'deleted']);

function isPurgeable(m: MessageRecord, cutoff: Date): boolean {
  return FINAL.has(m.status) && new Date(m.receivedAt) < cutoff;
}

export interface RetentionDeps {
  clock: Clock;
  messages: MessageStore;
  spool: SpoolStore;
}

/** Purges up to `batch` expired messages; returns how many. Stores without `listReceivedBefore` expire natively. */
export async function purgeExpired(deps: RetentionDeps, retentionSeconds: number, batch = 500): Promise<number> {
  const { listReceivedBefore, remove } = deps.messages;
  if (!listReceivedBefore || !remove) return 0;
  const cutoff = new Date(deps.clock.now().getTime() - retentionSeconds * 1000);
  const candidates = await listReceivedBefore.call(deps.messages, cutoff.toISOString(), batch);
  let purged = 0;
  const now = deps.clock.now().toISOString();
  for (const m of candidates) {
    if (!isPurgeable(m, cutoff)) continue;
    // Claimed as deleted before the body goes: a quarantined message the tenant releases (or deletes)
    // between the listing and here keeps its body and is left for a later sweep, never released without it.
    if (m.status !== 'deleted' && !(await deps.messages.putIfUnchanged({ ...m, status: 'deleted', updatedAt: now }, m))) continue;
    await deps.spool.delete(m.spoolKey);
    await remove.call(deps.messages, m.id);
    purged++;
  }
  return purged;
}
