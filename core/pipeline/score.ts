// The score step: content signals + sender behaviour → verdict → route.
// Called by the score Lambda for each SQS record and by the local worker for
// each job; a throw means "retry this job" (a scanner that cannot answer is
// a temporary failure, never "clean").
import type { MessageRecord } from '../model.js';
import type { ScoreJob } from '../ports.js';
import { scoreContent } from '../scoring/index.js';
import { assessSender } from '../reputation/index.js';
import { decideVerdict } from '../verdict.js';
import { effectiveSettings } from '../settings.js';
import { reputationDeps, type PipelineDeps } from './deps.js';

export async function handleScoreJob(deps: PipelineDeps, job: ScoreJob): Promise<void> {
  const msg = await deps.messages.get(job.messageId);
  if (!msg) return; // deleted by the tenant meanwhile: nothing to do
  if (msg.status === 'queued') {
    // Scored before, but the deliver job may not have been sent (crash between the two writes).
    await deps.deliverQueue.send({ messageId: msg.id, attempt: 1 });
    return;
  }
  if (msg.status !== 'accepted') return; // already decided: a redelivered job is a no-op
  // The record as read: the verdict is written only over it (see saveVerdict).
  const read = { status: msg.status, updatedAt: msg.updatedAt };
  const now = deps.clock.now();
  const tenant = await deps.tenants.getTenant(msg.tenantId);
  if (!tenant) {
    await save(deps, msg, { status: 'rejected' });
    return;
  }
  const raw = await deps.spool.get(msg.spoolKey);
  const ownedDomains = (await deps.tenants.listDomains(tenant.id)).map((d) => d.domain);
  const scoreDeps = { ...(deps.virusScanner ? { virusScanner: deps.virusScanner } : {}), ...(deps.urlReputation ? { urlReputation: deps.urlReputation } : {}) };
  const scored = await scoreContent(raw, { tenantId: tenant.id, envelope: msg.envelope, identity: msg.identity, ownedDomains }, scoreDeps);
  const content = msg.ingressSignals?.length ? { ...scored, signals: [...scored.signals, ...msg.ingressSignals] } : scored;
  const facts = content.facts;
  if (facts.messageId && !msg.messageId) msg.messageId = facts.messageId;
  if (facts.subject !== undefined && msg.subject === undefined) msg.subject = facts.subject;
  if (facts.headerFrom && !msg.headerFrom) msg.headerFrom = facts.headerFrom;

  const behaviour = await assessSender(reputationDeps(deps), tenant, msg, content);
  const settings = effectiveSettings(tenant.settings);
  const verdict = decideVerdict([...content.signals, ...behaviour.signals], settings, now);
  msg.verdict = verdict;
  // Monitor-only tenants see the verdict but every message is delivered.
  const action = verdict.monitorOnly ? 'deliver' : verdict.verdict;
  // A rejected message is kept for the retention period and shown to the tenant; never a DSN, since
  // the envelope sender may be forged (no backscatter).
  const status = action === 'deliver' ? 'queued' : action === 'quarantine' ? 'quarantined' : 'rejected';
  if (await saveVerdict(deps, msg, read, status) === 'queued') await deps.deliverQueue.send({ messageId: msg.id, attempt: 1 });
}

/**
 * Writes the verdict over the record as the job read it. The record can change
 * while the job runs: the sender's lock (set by this very message's evidence,
 * or by another) holds it in quarantine, and the tenant may then release or
 * delete it. A plain write would undo that — a released message put back to
 * `queued` is delivered twice. So: over the record as read, the verdict's
 * status; over a record held for a lock meanwhile (and nothing after), the
 * verdict's status unless that is `queued` (a locked sender's mail stays
 * held); over anything else (released, deleted), nothing. Returns the status
 * written, if any.
 */
async function saveVerdict(deps: PipelineDeps, msg: MessageRecord, read: Pick<MessageRecord, 'status' | 'updatedAt'>, status: MessageRecord['status']): Promise<MessageRecord['status'] | undefined> {
  const updatedAt = deps.clock.now().toISOString();
  if (await deps.messages.putIfUnchanged({ ...msg, status, updatedAt }, read)) return status;
  const current = await deps.messages.get(msg.id);
  const heldForLock = current?.status === 'quarantined' && current.verdict?.signals.some((s) => s.name === 'sender-locked');
  if (!current || !heldForLock) return undefined;
  const kept = status === 'queued' ? 'quarantined' : status;
  const verdict = msg.verdict && current.verdict ? { ...msg.verdict, verdict: kept === 'quarantined' ? 'quarantine' as const : msg.verdict.verdict, signals: [...msg.verdict.signals, ...current.verdict.signals.filter((s) => s.name === 'sender-locked')] } : current.verdict;
  // The facts the job read from the message (Message-ID, subject, From) are kept too.
  const facts: Partial<MessageRecord> = {};
  if (msg.messageId !== undefined) facts.messageId = msg.messageId;
  if (msg.subject !== undefined) facts.subject = msg.subject;
  if (msg.headerFrom !== undefined) facts.headerFrom = msg.headerFrom;
  return (await deps.messages.putIfUnchanged({ ...current, ...facts, ...(verdict ? { verdict } : {}), status: kept, updatedAt }, current)) ? kept : undefined;
}

/**
 * A score job that keeps failing (a poison message, a parser crash) holds its
 * message in quarantine with the reason, rather than dropping it: the tenant
 * can look at it and release it. Nothing accepted is lost.
 */
export async function holdAfterScoringFailure(deps: PipelineDeps, messageId: string, err: unknown): Promise<void> {
  const reason = `scoring failed repeatedly: ${err instanceof Error ? err.message : String(err)}`;
  const msg = await deps.messages.get(messageId);
  if (!msg || msg.status !== 'accepted') return;
  const tenant = await deps.tenants.getTenant(msg.tenantId);
  const settings = effectiveSettings(tenant?.settings);
  msg.verdict = decideVerdict([{ name: 'scoring-failed', weight: 0, detail: reason.slice(0, 500) }], settings, deps.clock.now());
  msg.verdict.verdict = 'quarantine';
  await save(deps, msg, { status: 'quarantined' });
}

async function save(deps: PipelineDeps, msg: MessageRecord, patch: Partial<MessageRecord>): Promise<void> {
  Object.assign(msg, patch, { updatedAt: deps.clock.now().toISOString() });
  await deps.messages.put(msg);
}
