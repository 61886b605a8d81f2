// Drives the real policy with the simulated world: for every send, the same
// calls the gateway makes — recordLogin at AUTH, checkSenderAllowed at MAIL
// FROM, assessSender after content scoring, the verdict, and
// recordDeliveryOutcome / recordFeedback afterwards — on the in-memory
// SenderStore and CampaignIndex with a simulated clock.
import { MemoryCampaignIndex } from '../../adapters/memory/campaign-index.js';
import { MemorySenderStore } from '../../adapters/memory/sender-store.js';
import { isDomainError } from '../../core/errors.js';
import type { MessageRecord } from '../../core/model.js';
import type { Notifier } from '../../core/ports.js';
import {
  assessSender, checkSenderAllowed, recordDeliveryOutcome, recordFeedback, recordLogin, type ReputationDeps,
} from '../../core/reputation/index.js';
import type { ContentResult } from '../../core/scoring/index.js';
import { decideVerdict } from '../../core/verdict.js';
import type { AttackInstance } from './attacks.js';
import type { Population, SimConfig } from './population.js';
import type { Rng } from './rng.js';
import { EventQueue, MIN, SimClock, type SendEvent } from './world.js';

export interface SendOutcome {
  event: SendEvent;
  delivered: boolean;
  /** Held in quarantine; `bySender` when content alone would have passed (or the sender was locked). */
  held: boolean;
  bySender: boolean;
  deferrals: number;
  refused: boolean;
  /** Behaviour signals on the final attempt (for the legit report). */
  signals: string[];
}

export interface PolicyEvent {
  at: number;
  type: string;
  tenantId: string;
  sender: string;
  detail: unknown;
}

export interface RunResult {
  outcomes: SendOutcome[];
  events: PolicyEvent[];
  /** Locks seen in monitor-only onboarding (would-have-locked). */
  monitorWouldLock: { at: number; sender: string; reason: string }[];
  processed: number;
  counters: number;
  /** The store at the end of the run, for inspection. */
  store: MemorySenderStore;
}

/** How the sending side reacts to 4xx: an honest server's queue retries for two days; a spam script retries twice. */
const RETRY = { legitDelay: 15 * MIN, legitMaxTries: 192, attackDelay: 5 * MIN, attackMaxTries: 2 };

export interface RunOptions {
  /** Run without the cross-sender campaign index (as a deployment without one would). @default true */
  campaigns?: boolean;
}

export async function runSimulation(rng: Rng, cfg: SimConfig, pop: Population, attacks: AttackInstance[], opts: RunOptions = {}): Promise<RunResult> {
  const clock = new SimClock();
  const policyEvents: PolicyEvent[] = [];
  const notifier: Notifier = {
    async notify(tenant, event) { policyEvents.push({ at: clock.t, type: event.type, tenantId: tenant.id, sender: event.sender ?? '', detail: event.detail }); },
  };
  const tenantsById = new Map(pop.tenants.map((t) => [t.id, t]));
  const senders = new MemorySenderStore(clock);
  const deps: ReputationDeps = {
    clock,
    senders,
    ...(opts.campaigns === false ? {} : { campaigns: new MemoryCampaignIndex() }),
    tenants: { getUser: async (u) => pop.users.get(u), getTenant: async (id) => tenantsById.get(id) },
    notifier,
  };
  const q = new EventQueue();
  for (const e of pop.events) q.push(e);
  for (const a of attacks) { for (const e of a.sends) q.push(e); for (const e of a.extra) q.push(e); }

  const outcomes: SendOutcome[] = [];
  const monitorWouldLock: RunResult['monitorWouldLock'] = [];
  const refusedInARow = new Map<string, number>();
  let enforced = false, processed = 0, msgSeq = 0;
  // Onboarding: every tenant monitor-only until cfg.enforceAt.
  for (const t of pop.tenants) t.settings.monitorOnly = true;

  for (let e = q.pop(); e; e = q.pop()) {
    clock.t = e.at;
    processed++;
    if (!enforced && e.at >= cfg.enforceAt) {
      enforced = true;
      for (const t of pop.tenants) t.settings.monitorOnly = false;
    }
    if (e.type === 'password-change') {
      const u = pop.users.get(e.username);
      if (u) pop.users.set(e.username, { ...u, passwordVersion: u.passwordVersion + 1, passwordChangedAt: new Date(e.at).toISOString() });
      continue;
    }
    if (e.type === 'feedback') {
      await recordFeedback(deps, { tenantId: e.tenantId, sender: e.sender, messageId: e.messageId, type: 'complaint', recipients: e.recipients });
      continue;
    }
    const tenant = tenantsById.get(e.actor.tenantId)!;
    const instKey = e.attack ? `${e.attack.style}#${e.attack.instance}` : '';
    if (e.attack && (refusedInARow.get(instKey) ?? 0) >= 10) continue; // the attacker gave up
    const id = e.actor.identity;
    if (id.kind === 'smtp-user') {
      for (const ip of e.failedLogins ?? []) await recordLogin(deps, { tenantId: tenant.id, username: id.username, clientIp: ip, success: false });
      await recordLogin(deps, { tenantId: tenant.id, username: id.username, clientIp: e.ip, success: true, tlsClient: e.attack && !e.ownClient ? 'python-smtplib' : e.actor.tlsClient });
    }
    try {
      await checkSenderAllowed(deps, { tenant, sender: e.actor.sender, clientIp: e.ip, identity: id });
    } catch (err) {
      if (isDomainError(err, 'SENDER_THROTTLED')) {
        const n = e.tries + 1;
        const max = e.attack ? RETRY.attackMaxTries : RETRY.legitMaxTries;
        if (n <= max) q.push({ ...e, at: e.at + (e.attack ? RETRY.attackDelay : RETRY.legitDelay), tries: n });
        else outcomes.push({ event: e, delivered: false, held: false, bySender: false, deferrals: n, refused: false, signals: [] });
        continue;
      }
      if (isDomainError(err, 'SENDER_LOCKED')) {
        refusedInARow.set(instKey, (refusedInARow.get(instKey) ?? 0) + 1);
        outcomes.push({ event: e, delivered: false, held: false, bySender: true, deferrals: e.tries, refused: true, signals: ['sender-locked'] });
        continue;
      }
      throw err;
    }
    refusedInARow.set(instKey, 0);
    const at = new Date(e.at).toISOString();
    const fromHeader = `"${e.displayName}" <${e.actor.mailFrom}>`;
    const message: MessageRecord = {
      id: `m${++msgSeq}`, tenantId: tenant.id, spoolKey: `m${msgSeq}`, headerFrom: fromHeader,
      envelope: { mailFrom: e.actor.mailFrom, rcptTo: e.rcpts }, clientIp: e.ip, identity: id, sender: e.actor.sender,
      size: 4000, receivedAt: at, status: 'accepted', recipients: [], updatedAt: at,
    };
    const content: ContentResult = {
      signals: e.contentScore > 0 ? [{ name: 'content-score', weight: e.contentScore }] : [],
      facts: { bodyFingerprint: e.fingerprint, urls: e.urls, headerFrom: fromHeader, ...(e.replyTo ? { replyTo: e.replyTo } : {}) } as ContentResult['facts'],
    };
    const assessment = await assessSender(deps, tenant, message, content);
    // As the score step (core/pipeline/score.ts): content and behaviour signals add up.
    const verdict = decideVerdict([...content.signals, ...assessment.signals], tenant.settings, clock.now());
    if (tenant.settings.monitorOnly && assessment.wouldLock) monitorWouldLock.push({ at: e.at, sender: e.actor.sender, reason: assessment.wouldLock });
    const held = verdict.verdict !== 'deliver' && !tenant.settings.monitorOnly;
    const bySender = held && (e.contentScore < tenant.settings.quarantineThreshold || !!assessment.locked);
    outcomes.push({ event: e, delivered: !held, held, bySender, deferrals: e.tries, refused: false, signals: assessment.signals.map((s) => s.name) });
    if (held) continue;
    const results = e.rcpts.map((r) => (e.invalid.has(r) ? { rcpt: r, code: 550, reply: '550 5.1.1 <' + r + '>: user unknown' } : { rcpt: r, code: 250, reply: '250 2.0.0 OK' }));
    await recordDeliveryOutcome(deps, message, results);
    const complainers = e.rcpts.filter((r) => !e.invalid.has(r) && rng.chance(e.complaintRate));
    if (complainers.length > 0) {
      q.push({ type: 'feedback', at: e.at + rng.int(10, 40) * MIN, tenantId: tenant.id, sender: e.actor.sender, messageId: message.id, recipients: complainers });
    }
  }
  return { outcomes, events: policyEvents, monitorWouldLock, processed, counters: senders.counterCount, store: senders };
}
