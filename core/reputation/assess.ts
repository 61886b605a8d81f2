// After content scoring: count the message, run every behaviour check
// against the sender's learned baseline, add the evidence to the sender's
// risk ledger, and climb the ladder (throttle, lock). The returned signals
// add to the verdict, which holds the message when content and behaviour
// together cross the tenant's quarantine threshold.
import type { MessageRecord, Signal, Tenant } from '../model.js';
import type { ContentResult } from '../scoring/index.js';
import { effectiveSettings } from '../settings.js';
import { allowancesFor, bulkDeclarationFor } from './allowances.js';
import { propagateCampaign, noteCampaign } from './campaign-step.js';
import { holdingLock } from './check.js';
import { countMessage } from './counters.js';
import { applyEvidence } from './evidence.js';
import { familyOf } from './ladder.js';
import { lockStatus } from './lock-lifecycle.js';
import { CONTENT_RISK, policyFor, THRESHOLDS } from './policy.js';
import { profileOf, remember, rollOver, type RiskEntry } from './profile.js';
import { accessSignals } from './signals/access.js';
import { campaignSignals } from './signals/campaign.js';
import { identitySignals } from './signals/identity.js';
import type { CheckInput } from './signals/input.js';
import { contentMark, outcomeSignals } from './signals/outcomes.js';
import { spreadSignals } from './signals/spread.js';
import { THROTTLING_SIGNALS, volumeSignals } from './signals/volume.js';
import { domainOf } from '../policy/sender-key.js';
import { parseMailbox } from '../message/headers.js';
import type { ReputationDeps, SenderAssessment } from './types.js';

/** Signals that say how the mail is sent (rate, spread): the ones a burst is made of. */
const BURST_FAMILIES = new Set(['volume', 'spread']);

export async function assessSender(deps: ReputationDeps, tenant: Tenant, message: MessageRecord, content: ContentResult): Promise<SenderAssessment> {
  const now = deps.clock.now();
  const settings = effectiveSettings(tenant.settings);
  const policy = policyFor(settings);
  const sender = message.sender;
  const existing = await deps.senders.get(tenant.id, sender);
  const held = await holdingLock(deps, tenant.id, sender, existing);
  if (held) return { signals: [{ name: 'sender-locked', weight: 0, detail: held.reason }], locked: held };
  const profile = profileOf(existing);
  rollOver(profile, now);
  const bulk = bulkDeclarationFor(settings, sender);
  const counts = await countMessage(deps.senders, message, content.facts.bodyFingerprint, !existing, now);
  const campaign = await noteCampaign(deps, message, content.facts, policy, now);
  const id = message.identity;
  const user = id.kind === 'smtp-user' ? await deps.tenants?.getUser(id.username) : undefined;
  const contentScore = content.signals.reduce((s, x) => s + x.weight, 0);
  const input: CheckInput = {
    now, settings, policy, message, content, contentScore, profile, counts,
    allow: allowancesFor(profile, bulk),
    ...(bulk ? { bulk } : {}),
    ...(campaign ? { campaign } : {}),
    ...(user ? { passwordChangedAt: new Date(user.passwordChangedAt) } : {}),
  };
  const signals: Signal[] = [...volumeSignals(input), ...spreadSignals(input), ...outcomeSignals(input), ...identitySignals(input), ...campaignSignals(input)];
  const burst = signals.some((s) => BURST_FAMILIES.has(familyOf(s.name)));
  signals.push(...accessSignals(input, burst));

  const spamScore = policy.spamScore ?? settings.quarantineThreshold;
  const mark = contentMark(contentScore, spamScore, policy.suspectScore);
  const at = now.toISOString();
  const entries: RiskEntry[] = signals
    .filter((s) => s.name !== 'suspicious-login') // the login already added its risk; its taint only weighs on the verdict
    .map((s) => ({ at, family: familyOf(s.name), signal: s.name, weight: s.weight, messageId: message.id, ...(s.detail ? { detail: s.detail } : {}) }));
  if (mark === 's') {
    const recentSpam = [...profile.history.slice(-(THRESHOLDS.historyLength - 1))].filter((m) => m === 's').length;
    entries.push({
      at, family: 'content', signal: 'content-spam', weight: recentSpam > 0 ? CONTENT_RISK.repeated : CONTENT_RISK.lone,
      messageId: message.id, detail: `content score ${contentScore.toFixed(1)}`,
    });
  }
  const throttle = signals.find((s) => THROTTLING_SIGNALS.has(s.name));
  // A period teaches the baseline unless its mail looked like spam or the
  // sender was locked in it (evidence.ts): an honest sender's growth is
  // learned, an attack's never is.
  const flagged = signals.some((s) => s.name === 'spam-history' || s.name === 'campaign' || s.name === 'password-in-message');
  const from = parseMailbox(content.facts.headerFrom ?? message.headerFrom);
  const replyTo = parseMailbox(content.facts.replyTo);
  const n = message.envelope.rcptTo.length;

  const outcome = await applyEvidence(deps, tenant, sender, {
    entries,
    evidenceId: message.id,
    ...(throttle ? { throttle: `${throttle.name}: ${throttle.detail ?? ''}` } : {}),
    kind: { smtpUser: id.kind === 'smtp-user', mailboxUser: id.kind === 'smtp-user' && id.userKind === 'mailbox' },
    mutate: (p) => {
      p.messages += 1;
      p.recipients += n;
      p.history = (p.history + mark).slice(-THRESHOLDS.historyLength);
      const sampled = Math.min(n, THRESHOLDS.recipientSample);
      const o = p.open;
      o.rcptPerMessage = Math.max(o.rcptPerMessage, n);
      o.minuteMessages = Math.max(o.minuteMessages, counts.minuteMessages);
      o.hourRecipients = Math.max(o.hourRecipients, counts.hourRecipients);
      o.hourDomains = Math.max(o.hourDomains, counts.hourDomains);
      o.dayRecipients = Math.max(o.dayRecipients, counts.dayRecipients);
      o.fanoutDay = Math.max(o.fanoutDay, counts.fanoutDay);
      if (flagged) { p.openHourFlagged = true; p.openDayFlagged = true; return; }
      // Only unremarkable mail teaches what the sender looks like.
      if (sampled > 0) p.newShare += THRESHOLDS.newShareAlpha * (counts.messageNew / sampled - p.newShare);
      if (from?.name) remember(p.known.displayNames, from.name);
      remember(p.known.replyToDomains, replyTo ? domainOf(replyTo.address) : '');
    },
  });

  if (campaign) await propagateCampaign(deps, tenant, sender, campaign, policy);

  const result: SenderAssessment = { signals, risk: Math.round(outcome.risk * 10) / 10 };
  if (outcome.throttledUntil) result.throttledUntil = outcome.throttledUntil;
  if (outcome.wouldLock) result.wouldLock = outcome.wouldLock;
  if (outcome.lock && lockStatus(outcome.lock, now, false) !== 'expired') {
    result.locked = outcome.lock;
    signals.push({ name: 'sender-locked', weight: 0, detail: outcome.lock.reason });
  }
  return result;
}
