// Records as the API shows them: no hashes, no private keys, no internal
// keys (spool keys, tenant ids in tenant-scoped views).
import type { DomainRecord, IpUser, MessageRecord, SenderRecord, SmtpUser, Tenant } from '../core/model.js';
import type { SenderExplanation } from '../core/reputation/index.js';
import { dnsRecordsFor } from '../core/tenants/domains.js';
import { lockInForce } from '../core/tenants/sender-locks.js';

export const tenantView = (t: Tenant) => ({ id: t.id, name: t.name, ipUserQuota: t.ipUserQuota, createdAt: t.createdAt });

export const domainView = (d: DomainRecord, smtpHost: string) => ({
  domain: d.domain, dkimSelector: d.dkimSelector, createdAt: d.createdAt, dnsRecords: dnsRecordsFor(d, { smtpHost }),
});

export const userView = (u: SmtpUser) => ({
  username: u.username, kind: u.kind, passwordVersion: u.passwordVersion, createdAt: u.createdAt, passwordChangedAt: u.passwordChangedAt,
});

export const credentialsView = (u: SmtpUser, password: string) => ({
  username: u.username, password, kind: u.kind, passwordVersion: u.passwordVersion,
});

export const ipUserView = (u: IpUser) => ({ id: u.id, cidr: u.cidr, createdAt: u.createdAt });

/** `history`: add the lock history (one sender, lock and unlock answers; the list leaves it out to stay small). */
export function senderView(s: SenderRecord, now: Date, opts: { history?: boolean } = {}) {
  return {
    sender: s.sender, locked: lockInForce(s.lock, now), autoUnlocks: s.autoUnlocks, firstSeenAt: s.firstSeenAt, lastSeenAt: s.lastSeenAt,
    ...(s.lock ? { lock: s.lock } : {}),
    ...(s.throttledUntil ? { throttledUntil: s.throttledUntil, throttleReason: s.throttleReason } : {}),
    ...(opts.history ? { lockHistory: s.lockHistory ?? [] } : {}),
  };
}

/**
 * The reputation in brief (ReputationSummary). Scalars first: the console
 * shows the first few as "risk 2.5, lockAt 10, …" in its sender list.
 */
export function reputationSummary(x: SenderExplanation) {
  const recent = [...x.evidence].sort((a, b) => b.at.localeCompare(a.at)).map((e) => e.signal);
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    risk: x.risk, lockAt: x.lockAt, state: x.state, messages: x.baseline.messages, activeDays: x.baseline.activeDays,
    peakHourRecipients: round(x.baseline.peaks.hourRecipients), peakDayRecipients: round(x.baseline.peaks.dayRecipients),
    recentSignals: [...new Set(recent)].slice(0, 5),
  };
}

export function messageView(m: MessageRecord) {
  const { tenantId: _t, spoolKey: _k, identity, ...rest } = m;
  const { tenantId: _it, ...id } = identity;
  return { ...rest, identity: id };
}
