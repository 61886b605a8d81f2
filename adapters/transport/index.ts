// Picks the outbound Transport from configuration: a smarthost when
// SMARTHOST is set, direct MX delivery otherwise. The wiring (local/main.ts,
// the deliver Lambda) calls transportFromEnv once at start.
import { promises as dnsPromises } from 'node:dns';
import type { Transport } from '../../core/ports.js';
import { createDirectMxTransport, type DirectMxOptions } from './direct-mx.js';
import { createSmarthostTransport, parseSmarthost } from './smarthost.js';
import { createTlsaResolver } from './tlsa-resolver.js';

export { createDirectMxTransport, LONGEST_ATTEMPT_SECONDS, type DirectMxOptions } from './direct-mx.js';
export { createSmarthostTransport, parseSmarthost, type SmarthostOptions } from './smarthost.js';
export { createMtaStsCache } from './mta-sts-cache.js';
export { createTlsaResolver } from './tlsa-resolver.js';

function flag(value: string | undefined, fallback: boolean, name: string): boolean {
  if (value === undefined || value === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw new Error(`${name} must be true or false; got ${JSON.stringify(value)}`);
}

/**
 * Environment keys (all optional):
 *   SMARTHOST                host:port of a relay; unset = direct MX delivery
 *   SMARTHOST_USER / _PASS   AUTH for the relay
 *   SMARTHOST_REQUIRE_TLS    refuse a relay without STARTTLS (default false)
 *   SMARTHOST_SECURE         implicit TLS, e.g. port 465 (default false)
 *   DELIVERY_MTA_STS         honour MTA-STS in direct delivery (default true)
 *   DELIVERY_DANE            honour DANE in direct delivery (default true)
 *   DELIVERY_DANE_RESOLVERS  comma-separated DNSSEC-validating resolvers for TLSA lookups on
 *                            node < 22.15 (default: the system's); records not validated (AD=0) are ignored
 */
export function transportFromEnv(env: NodeJS.ProcessEnv, hostname: string, overrides: Partial<DirectMxOptions> = {}): Transport {
  if (env.SMARTHOST) {
    const { host, port } = parseSmarthost(env.SMARTHOST);
    const user = env.SMARTHOST_USER;
    return createSmarthostTransport({
      host,
      port,
      name: hostname,
      ...(user ? { auth: { user, pass: env.SMARTHOST_PASS ?? '' } } : {}),
      requireTLS: flag(env.SMARTHOST_REQUIRE_TLS, false, 'SMARTHOST_REQUIRE_TLS'),
      secure: flag(env.SMARTHOST_SECURE, false, 'SMARTHOST_SECURE'),
    });
  }
  const daneEnabled = flag(env.DELIVERY_DANE, true, 'DELIVERY_DANE');
  // node 22.15+ resolves TLSA itself (mx-connect uses it); older node gets our UDP resolver.
  const nativeTlsa = typeof (dnsPromises as { resolveTlsa?: unknown }).resolveTlsa === 'function';
  const servers = env.DELIVERY_DANE_RESOLVERS?.split(',').map((s) => s.trim()).filter(Boolean);
  return createDirectMxTransport({
    name: hostname,
    mtaSts: { enabled: flag(env.DELIVERY_MTA_STS, true, 'DELIVERY_MTA_STS') },
    dane: {
      enabled: daneEnabled,
      ...(daneEnabled && (!nativeTlsa || servers) ? { resolveTlsa: createTlsaResolver(servers ? { servers } : {}) } : {}),
    },
    ...overrides,
  });
}
