// Throttles password guessing per client address: after `slowAfter` failures
// in the window each further attempt is refused with 454 for a short while;
// after `blockAfter` the address is refused for `blockSeconds`. Kept in the
// ingress process' memory: each ingress task guards itself.
import { DomainError } from '../errors.js';
import type { Clock } from '../ports.js';

export interface LoginThrottleOptions {
  /** Window over which failures count. @default 600 s */
  windowSeconds: number;
  /** Failures after which each attempt must wait `slowSeconds`. @default 5 */
  slowAfter: number;
  slowSeconds: number;
  /** Failures after which the address is refused for `blockSeconds`. @default 10 */
  blockAfter: number;
  blockSeconds: number;
}

export const DEFAULT_LOGIN_THROTTLE: LoginThrottleOptions = { windowSeconds: 600, slowAfter: 5, slowSeconds: 10, blockAfter: 10, blockSeconds: 900 };

interface Entry { failures: number[]; blockedUntil: number }

export class LoginThrottle {
  private readonly byIp = new Map<string, Entry>();
  constructor(private readonly clock: Clock, private readonly opts: LoginThrottleOptions = DEFAULT_LOGIN_THROTTLE) {}

  /** Throws AUTH_THROTTLED when this address may not try now. */
  check(ip: string): void {
    const e = this.byIp.get(ip);
    if (!e) return;
    const now = this.clock.now().getTime();
    if (e.blockedUntil > now) {
      throw new DomainError('AUTH_THROTTLED', `Too many failed logins from ${ip}; try again in ${Math.ceil((e.blockedUntil - now) / 1000)} s`);
    }
  }

  fail(ip: string): void {
    const now = this.clock.now().getTime();
    const e = this.byIp.get(ip) ?? { failures: [], blockedUntil: 0 };
    e.failures = e.failures.filter((t) => t > now - this.opts.windowSeconds * 1000);
    e.failures.push(now);
    if (e.failures.length >= this.opts.blockAfter) e.blockedUntil = now + this.opts.blockSeconds * 1000;
    else if (e.failures.length >= this.opts.slowAfter) e.blockedUntil = now + this.opts.slowSeconds * 1000;
    this.byIp.set(ip, e);
    if (this.byIp.size > 100_000) this.prune(now);
  }

  succeed(ip: string): void {
    this.byIp.delete(ip);
  }

  private prune(now: number): void {
    for (const [ip, e] of this.byIp) if (e.blockedUntil < now && (e.failures.at(-1) ?? 0) < now - this.opts.windowSeconds * 1000) this.byIp.delete(ip);
  }
}
