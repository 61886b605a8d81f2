// IP users are CIDR ranges whose connections relay without a login, so a
// sloppy range is an open relay. Parsing is strict (four-part decimal IPv4,
// no zone ids) and the result is normalised to its network address, so the
// same range is always stored and compared in one spelling.
import ipaddr from 'ipaddr.js';
import { DomainError } from '../errors.js';

/**
 * The widest ranges a tenant may register. A /16 is 65,536 addresses: more
 * than any one hosting server needs, small enough that a typo like
 * `0.0.0.0/0` can never turn the gateway into an open relay.
 */
export const MIN_PREFIX = { ipv4: 16, ipv6: 48 } as const;

export interface ParsedCidr {
  cidr: string;
  kind: 'ipv4' | 'ipv6';
  prefix: number;
}

/** Parses `addr` or `addr/prefix`; a bare address is a single host. Throws VALIDATION with the reason. */
export function parseCidr(input: string): ParsedCidr {
  const text = input.trim();
  const slash = text.indexOf('/');
  const addrText = slash < 0 ? text : text.slice(0, slash);
  const prefixText = slash < 0 ? undefined : text.slice(slash + 1);
  if (!/^[0-9a-fA-F:.]+$/.test(addrText)) {
    throw new DomainError('VALIDATION', `"${input}" is not an IP address or CIDR range (expected e.g. 192.0.2.0/24 or 2001:db8::/64)`);
  }
  let addr: ipaddr.IPv4 | ipaddr.IPv6;
  if (ipaddr.IPv4.isValidFourPartDecimal(addrText)) addr = ipaddr.IPv4.parse(addrText);
  else if (addrText.includes(':') && ipaddr.IPv6.isValid(addrText)) addr = ipaddr.IPv6.parse(addrText);
  else throw new DomainError('VALIDATION', `"${addrText}" is not a valid IPv4 (four decimal parts) or IPv6 address`);

  const maxPrefix = addr.kind() === 'ipv4' ? 32 : 128;
  let prefix = maxPrefix;
  if (prefixText !== undefined) {
    if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > maxPrefix) {
      throw new DomainError('VALIDATION', `"/${prefixText}" is not a valid prefix length for ${addr.kind()} (0-${maxPrefix})`);
    }
    prefix = Number(prefixText);
  }
  // An IPv4-mapped IPv6 range is really an IPv4 range: store it as one so the
  // ingress, which sees IPv4 peers as plain IPv4, matches it.
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() && prefix >= 96) {
    addr = (addr as ipaddr.IPv6).toIPv4Address();
    prefix -= 96;
  }
  const kind = addr.kind();
  if (prefix < MIN_PREFIX[kind]) {
    throw new DomainError('VALIDATION', `${input} is too wide: ${kind} ranges may be at most /${MIN_PREFIX[kind]} (${kind === 'ipv4' ? '65,536 addresses' : 'one site'}); register the server's own addresses`);
  }
  const network = kind === 'ipv4'
    ? ipaddr.IPv4.networkAddressFromCIDR(`${addr.toString()}/${prefix}`).toString()
    : ipaddr.IPv6.networkAddressFromCIDR(`${addr.toString()}/${prefix}`).toRFC5952String();
  return { cidr: `${network}/${prefix}`, kind, prefix };
}

/** True when two normalised CIDRs share at least one address. */
export function cidrsOverlap(a: string, b: string): boolean {
  const [addrA, prefixA] = ipaddr.parseCIDR(a);
  const [addrB, prefixB] = ipaddr.parseCIDR(b);
  if (addrA.kind() !== addrB.kind()) return false;
  // Ranges are aligned blocks: they overlap exactly when the wider one contains the other's network address.
  return prefixA <= prefixB
    ? (addrB as ipaddr.IPv4).match(addrA as ipaddr.IPv4, prefixA)
    : (addrA as ipaddr.IPv4).match(addrB as ipaddr.IPv4, prefixB);
}
