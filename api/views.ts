// Records as the API shows them: no hashes, no private keys, no internal
// keys (spool keys, tenant ids in tenant-scoped views).
import type { DomainRecord, IpUser, MessageRecord, SenderRecord, SmtpUser, Tenant } from '../core/model.js';
import { dnsRecordsFor } from '../core/tenants/domains.js';

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

export function senderView(s: SenderRecord, now: Date) {
  const locked = !!s.lock && (!s.lock.until || new Date(s.lock.until) > now);
  return {
    sender: s.sender, locked, autoUnlocks: s.autoUnlocks, firstSeenAt: s.firstSeenAt, lastSeenAt: s.lastSeenAt,
    ...(s.lock ? { lock: s.lock } : {}),
    ...(s.throttledUntil ? { throttledUntil: s.throttledUntil, throttleReason: s.throttleReason } : {}),
  };
}

export function messageView(m: MessageRecord) {
  const { tenantId: _t, spoolKey: _k, identity, ...rest } = m;
  const { tenantId: _it, ...id } = identity;
  return { ...rest, identity: id };
}
