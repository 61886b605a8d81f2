// Throttles password guessing per client: after `slowAfter` failures in the
// window each further attempt is refused with 454 for a short while; after
// `blockAfter` the client is refused for `blockSeconds`. A client is an IPv4
// address (also when IPv4-mapped) or an IPv6 /64 (clientKey): an attacker
// holds a whole /64 and would otherwise get a fresh allowance per address.
// Kept in the ingress process' memory, bounded: each ingress task guards itself.
import { DomainError } from '../errors.js';
import type { Clock } from '../ports.js';
import { clientKey } from './ip-match.js';

export interface LoginThrottleOptions {
  /** Window over which failures count. @default 600 s */
  windowSeconds: number;
  /** Failures after which each attempt must wait `slowSeconds`. @default 5 */
  slowAfter: number;
  slowSeconds: number;
  /** Failures after which the address is refused for `blockSeconds`. @default 10 */
  blockAfter: number;
  blockSeconds: number;
  /** Clients tracked at most; past it the longest-quiet ones are forgotten. @default 100,000 */
  maxClients?: number;
}

export const DEFAULT_LOGIN_THROTTLE: LoginThrottleOptions = { windowSeconds: 600, slowAfter: 5, slowSeconds: 10, blockAfter: 10, blockSeconds: 900 };

interface Entry { failures: number[]; blockedUntil: number }

export class LoginThrottle {
  /** Most recently failed last (re-inserted on every failure). */
  private readonly byClient = new Map<string, Entry>();
  private readonly maxClients: number;
  constructor(private readonly clock: Clock, private readonly opts: LoginThrottleOptions = DEFAULT_LOGIN_THROTTLE) {
    this.maxClients = opts.maxClients ?? 100_000;
  }

  /** Clients tracked now. */
  get size(): number {
    return this.byClient.size;
  }

  /** Throws AUTH_THROTTLED when this address may not try now. */
  check(ip: string): void {
    const e = this.byClient.get(clientKey(ip));
    if (!e) return;
    const now = this.clock.now().getTime();
    if (e.blockedUntil > now) {
      throw new DomainError('AUTH_THROTTLED', `Too many failed logins from ${ip}; try again in ${Math.ceil((e.blockedUntil - now) / 1000)} s`);
    }
  }

  fail(ip: string): void {
    const key = clientKey(ip);
    const now = this.clock.now().getTime();
    const e = this.byClient.get(key) ?? { failures: [], blockedUntil: 0 };
    e.failures = e.failures.filter((t) => t > now - this.opts.windowSeconds * 1000);
    e.failures.push(now);
    if (e.failures.length >= this.opts.blockAfter) e.blockedUntil = now + this.opts.blockSeconds * 1000;
    else if (e.failures.length >= this.opts.slowAfter) e.blockedUntil = Math.max(e.blockedUntil, now + this.opts.slowSeconds * 1000);
    this.byClient.delete(key);
    this.byClient.set(key, e);
    if (this.byClient.size > this.maxClients) this.prune(now);
  }

  succeed(ip: string): void {
    this.byClient.delete(clientKey(ip));
  }

  /**
   * Forgets clients with nothing left to count, then, if still over the cap,
   * the longest-quiet ones down to 90 % of it — so a flood from many
   * addresses costs one sweep per tenth of the cap, not one per failure.
   */
  private prune(now: number): void {
    for (const [k, e] of this.byClient) if (e.blockedUntil < now && (e.failures.at(-1) ?? 0) < now - this.opts.windowSeconds * 1000) this.byClient.delete(k);
    if (this.byClient.size <= this.maxClients * 0.9) return;
    let excess = this.byClient.size - Math.floor(this.maxClients * 0.9);
    for (const k of this.byClient.keys()) {
      if (excess-- <= 0) break;
      this.byClient.delete(k);
    }
  }
}
