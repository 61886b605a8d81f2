// Access evidence from AUTH: failed-login bursts from several addresses
// followed by a success (credential stuffing), many addresses for one
// account within the hour, a network the account never used, a TLS client
// it never presented. Failures only move counters; a success weighs them
// and taints the messages of the next hour (signals/access.ts).
import ipaddr from 'ipaddr.js';
import { clientKey } from '../policy/ip-match.js';
import { applyEvidence } from './evidence.js';
import { LOGIN_RULES, THRESHOLDS } from './policy.js';
import { profileOf, remember, type RiskEntry } from './profile.js';
import { senderKindOf, tenantOf } from './tenant-of.js';
import type { LoginAttempt, ReputationDeps } from './types.js';

const H = 3600;

/** 15-minute slots: this one and the last make the failed-login burst window. */
const slotOf = (now: Date): number => Math.floor(now.getTime() / (15 * 60_000));

/** Failed logins of an account in the burst window, and from how many addresses (read with a zero increment). */
export async function recentLoginFailures(deps: Pick<ReputationDeps, 'senders'>, tenantId: string, username: string, now: Date): Promise<{ failures: number; ips: number }> {
  const u = username.toLowerCase(), slot = slotOf(now);
  const [cur, prev] = await Promise.all([
    deps.senders.increment(tenantId, u, `lf:${slot}`, { failures: 0, ips: 0 }, H),
    deps.senders.increment(tenantId, u, `lf:${slot - 1}`, { failures: 0, ips: 0 }, H),
  ]);
  return { failures: (cur.failures ?? 0) + (prev.failures ?? 0), ips: Math.max(cur.ips ?? 0, prev.ips ?? 0) };
}

export async function recordLogin(deps: ReputationDeps, login: LoginAttempt): Promise<void> {
  const now = deps.clock.now();
  const t = login.tenantId, u = login.username.toLowerCase();
  const slot = slotOf(now);
  const hour = now.toISOString().slice(0, 13);
  // Distinct addresses are distinct clients: one IPv6 /64, one IPv4 address however written.
  const client = clientKey(login.clientIp);
  if (!login.success) {
    const first = await deps.senders.increment(t, u, `lfip:${slot}:${client}`, { n: 1 }, H);
    await deps.senders.increment(t, u, `lf:${slot}`, { failures: 1, ips: first.n === 1 ? 1 : 0 }, H);
    return;
  }
  const firstThisHour = await deps.senders.increment(t, u, `lip:${hour}:${client}`, { n: 1 }, 2 * H);
  const [{ failures, ips: failIps }, hourly] = await Promise.all([
    recentLoginFailures(deps, t, u, now),
    deps.senders.increment(t, u, `lh:${hour}`, { ips: firstThisHour.n === 1 ? 1 : 0, successes: 1 }, 2 * H),
  ]);
  const profile = profileOf(await deps.senders.get(t, u));
  const net = networkOf(login.clientIp);
  const newNetwork = profile.logins >= THRESHOLDS.loginEstablished && !profile.known.networks.includes(net);
  const reasons: (keyof typeof LOGIN_RULES)[] = [];
  if (failures >= THRESHOLDS.loginFailBurst && (failIps >= THRESHOLDS.loginFailIps || newNetwork)) reasons.push('failed-burst-then-success');
  if ((hourly.ips ?? 0) >= THRESHOLDS.loginManyIps) reasons.push('many-ips');
  if (newNetwork) reasons.push('new-network');
  const tls = login.tlsClient;
  if (tls && profile.known.tlsClients.length > 0 && !profile.known.tlsClients.includes(tls)) reasons.push('tls-client-changed');
  const risk = reasons.reduce((s, r) => s + LOGIN_RULES[r].weight, 0);
  const at = now.toISOString();
  const detail = `login from ${login.clientIp}: ${failures} failures from ${failIps} addresses in 30 min, ${hourly.ips ?? 0} addresses this hour`;
  const entries: RiskEntry[] = reasons.map((r) => ({ at, family: 'access', signal: `login-${r}`, weight: LOGIN_RULES[r].weight, detail }));
  // Nothing new and nothing to learn: skip the write (a busy account logs in on every message).
  if (entries.length === 0 && profile.known.networks.includes(net) && (!tls || profile.known.tlsClients.includes(tls)) && profile.logins >= THRESHOLDS.loginEstablished) return;
  await applyEvidence(deps, await tenantOf(deps, t), u, {
    entries,
    kind: await senderKindOf(deps, t, u),
    mutate: (p) => {
      p.logins += 1;
      if (risk > 0) p.lastLogin = { at, ip: login.clientIp, risk, reasons };
      // Only a clean login teaches where the account normally comes from.
      if (risk < LOGIN_RULES['new-network'].weight || !newNetwork) {
        if (risk === 0) remember(p.known.networks, net);
        if (tls && risk === 0) remember(p.known.tlsClients, tls);
      }
    },
  });
}

/** The network an address belongs to for "new network": /16 for IPv4, /48 for IPv6. */
export function networkOf(ip: string): string {
  try {
    let a = ipaddr.parse(ip);
    if (a.kind() === 'ipv6' && (a as ipaddr.IPv6).isIPv4MappedAddress()) a = (a as ipaddr.IPv6).toIPv4Address();
    if (a.kind() === 'ipv4') return `${a.toByteArray().slice(0, 2).join('.')}.0.0/16`;
    return `${(a as ipaddr.IPv6).parts.slice(0, 3).map((x) => x.toString(16)).join(':')}::/48`;
  } catch {
    return ip;
  }
}
