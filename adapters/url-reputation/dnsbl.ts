// UrlReputation over DNS blocklists of domains (Spamhaus DBL, SURBL,
// URIBL): a host is listed when <domain>.<zone> has an A record in
// 127.0.0.0/8. Offline by default (no zones, no queries). Answers are cached;
// every lookup has its own strict timeout, and an unreachable resolver makes
// check() reject so core records 'url-check-unavailable'.
import { Resolver } from 'node:dns/promises';
import type { UrlReputation } from '../../core/ports.js';
import { baseDomain } from '../../core/scoring/urls.js';

export interface DnsblOptions {
  /** Blocklist zones, e.g. ['dbl.spamhaus.org', 'multi.surbl.org']. @default [] (offline: nothing is queried) */
  zones?: string[];
  /** Resolver addresses ("127.0.0.1:5353"). @default the system resolvers */
  servers?: string[];
  /** Per-query timeout. @default 800 ms */
  timeoutMs?: number;
  /** How long an answer (listed or not) is reused. @default 3600 s */
  cacheSeconds?: number;
  /** Cache entries kept at most; the oldest go first. @default 50000 */
  cacheSize?: number;
  /** For tests. @default Date.now */
  now?: () => number;
}

type Answer = { listed: false } | { listed: true; list: string };

export class DnsblUrlReputation implements UrlReputation {
  private readonly resolver: Resolver;
  private readonly cache = new Map<string, { answer: Answer; expires: number }>();
  private readonly zones: string[];
  private readonly cacheMs: number;
  private readonly cacheSize: number;
  private readonly now: () => number;

  constructor(options: DnsblOptions = {}) {
    const timeoutMs = options.timeoutMs ?? 800;
    this.resolver = new Resolver({ timeout: timeoutMs, tries: 1 });
    if (options.servers?.length) this.resolver.setServers(options.servers);
    this.zones = options.zones ?? [];
    this.cacheMs = (options.cacheSeconds ?? 3600) * 1000;
    this.cacheSize = options.cacheSize ?? 50_000;
    this.now = options.now ?? Date.now;
  }

  async check(hosts: string[]): Promise<{ host: string; list: string }[]> {
    if (this.zones.length === 0) return [];
    const domains = [...new Set(hosts.filter((h) => !/^[\d.]+$/.test(h) && !h.startsWith('[')).map(baseDomain))];
    const answers = await Promise.all(domains.map(async (d) => [d, await this.lookup(d)] as const));
    const listed = new Map<string, string>();
    for (const [d, a] of answers) if (a.listed) listed.set(d, a.list);
    return hosts.flatMap((h) => {
      const list = listed.get(baseDomain(h));
      return list ? [{ host: h, list }] : [];
    });
  }

  private async lookup(domain: string): Promise<Answer> {
    const cached = this.cache.get(domain);
    if (cached && cached.expires > this.now()) return cached.answer;
    let answer: Answer = { listed: false };
    for (const zone of this.zones) {
      try {
        const addrs = await this.resolver.resolve4(`${domain}.${zone}`);
        // 127.255.255.x are the lists' "you may not query" codes, not listings.
        if (addrs.some((a) => a.startsWith('127.') && !a.startsWith('127.255.255.'))) { answer = { listed: true, list: zone }; break; }
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code === 'ENOTFOUND' || code === 'ENODATA') continue; // not listed
        throw new Error(`DNS blocklist ${zone} unreachable: ${code ?? (err as Error).message}`);
      }
    }
    if (this.cache.size >= this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(domain, { answer, expires: this.now() + this.cacheMs });
    return answer;
  }
}
