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
  if (action === 'deliver') {
    await save(deps, msg, { status: 'queued' });
    await deps.deliverQueue.send({ messageId: msg.id, attempt: 1 });
  } else if (action === 'quarantine') {
    await save(deps, msg, { status: 'quarantined' });
  } else {
    // Kept for the retention period and shown to the tenant; never a DSN, since
    // the envelope sender may be forged (no backscatter).
    await save(deps, msg, { status: 'rejected' });
  }
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
