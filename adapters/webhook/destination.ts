// Where a tenant's webhook may point. The URL is the tenant's to choose, and
// the POST leaves from inside our network: a URL naming the cloud metadata
// service (169.254.169.254, the ECS task endpoint 169.254.170.2), 0.0.0.0
// (which reaches this host) or, on AWS, a private address of the VPC would
// make the gateway a tenant's way in. The address is checked when the
// connection is made — for a host name, on the addresses DNS gives for that
// very connection — so a name that resolves elsewhere later cannot slip past.
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions, type LookupOneOptions } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/** Ranges a webhook may reach only when private networks are allowed (a receiver on the same host or LAN). */
const PRIVATE_RANGES = new Set(['loopback', 'private', 'uniqueLocal', 'carrierGradeNat']);
/** AWS's instance metadata service over IPv6: inside fc00::/7, but never a receiver. */
const ALWAYS_REFUSED = new Set(['fd00:ec2::254']);

export interface DestinationPolicy {
  /** Loopback, RFC 1918, unique-local IPv6 and carrier-grade NAT addresses may be reached. */
  allowPrivateNetworks: boolean;
}

export class RefusedDestination extends Error {
  readonly code = 'WEBHOOK_DESTINATION_REFUSED';
}

/** Why `address` may not receive a webhook, or undefined when it may. */
export function refusalOf(address: string, policy: DestinationPolicy): string | undefined {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.process(address);
  } catch {
    return `${address} is not an IP address`;
  }
  const normal = parsed.toNormalizedString();
  if (ALWAYS_REFUSED.has(parsed.toString()) || ALWAYS_REFUSED.has(normal)) return `${address} is a metadata service address`;
  const range = parsed.range();
  if (range === 'unicast') return undefined;
  if (PRIVATE_RANGES.has(range)) return policy.allowPrivateNetworks ? undefined : `${address} is a ${range} address`;
  return `${address} is a ${range} address`;
}

/** Throws RefusedDestination when a URL's host is an IP literal that may not be reached (names are checked at lookup). */
export function checkLiteralHost(hostname: string, policy: DestinationPolicy): void {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) {
    const why = refusalOf(host, policy);
    if (why) throw new RefusedDestination(`webhook destination refused: ${why}`);
  }
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A dns.lookup for http.request that fails when any address of the name may not be reached. */
export function guardedLookup(policy: DestinationPolicy) {
  return (hostname: string, options: LookupOneOptions | LookupAllOptions | number | undefined, callback: LookupCallback): void => {
    const opts = typeof options === 'number' ? { family: options } : { ...(options ?? {}) };
    dnsLookup(hostname, { ...opts, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const refused = addresses.map((a) => refusalOf(a.address, policy)).find(Boolean);
      if (refused) {
        return callback(Object.assign(new RefusedDestination(`webhook destination refused: ${hostname} resolves to ${refused}`), { errno: 0 }) as NodeJS.ErrnoException, []);
      }
      if ((opts as LookupAllOptions).all) return callback(null, addresses);
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), []);
      callback(null, first.address, first.family);
    });
  };
}

/**
 * Why a webhook URL can never be reached from this deployment, judged on its
 * host as written (an IP literal), or undefined. For the API to refuse such a
 * URL when it is set, instead of every notification failing later; a host
 * name is still checked on each connection.
 */
export function literalHostRefusal(url: string, policy: DestinationPolicy): string | undefined {
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return undefined; // not a URL: the request schema answers that
  }
  return isIP(host) ? refusalOf(host, policy) : undefined;
}
