// Matches a connecting address against the registered IP users' CIDRs. IPv4
// clients that arrive as IPv4-mapped IPv6 (::ffff:192.0.2.1) match IPv4 CIDRs.
import ipaddr from 'ipaddr.js';
import type { IpUser } from '../model.js';

function parseAddress(ip: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  try {
    const addr = ipaddr.parse(ip);
    return addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() ? (addr as ipaddr.IPv6).toIPv4Address() : addr;
  } catch {
    return undefined;
  }
}

/**
 * The most specific IP user whose CIDR contains an address: parses the CIDRs
 * once and returns a matcher (the ingress asks per
 * connection and per MAIL FROM; parsing every CIDR each time showed in profiles).
 */
export function compileIpUsers(ipUsers: readonly IpUser[]): (ip: string) => IpUser | undefined {
  const ranges: { user: IpUser; range: [ipaddr.IPv4 | ipaddr.IPv6, number] }[] = [];
  for (const user of ipUsers) {
    try { ranges.push({ user, range: ipaddr.parseCIDR(user.cidr) }); } catch { /* a malformed stored CIDR matches nothing */ }
  }
  ranges.sort((a, b) => b.range[1] - a.range[1]); // most specific first
  return (ip) => {
    const addr = parseAddress(ip);
    if (!addr) return undefined;
    for (const { user, range } of ranges) {
      if (range[0].kind() === addr.kind() && (addr as ipaddr.IPv4).match(range as [ipaddr.IPv4, number])) return user;
    }
    return undefined;
  };
}

/**
 * The client a connecting address stands for, for counting "addresses" per
 * account and throttling guesses per client: IPv4 as it is (also when
 * IPv4-mapped), IPv6 as its /64 — one subscriber's or host's prefix, whose
 * privacy addresses change all the time and which an attacker gets whole.
 * A string that is no address is returned as it is.
 */
export function clientKey(ip: string): string {
  const addr = parseAddress(ip);
  if (!addr) return ip;
  if (addr.kind() === 'ipv4') return addr.toString();
  return `${(addr as ipaddr.IPv6).parts.slice(0, 4).map((x) => x.toString(16)).join(':')}::/64`;
}
