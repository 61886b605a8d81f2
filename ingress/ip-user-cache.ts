// The registered IP users, refreshed from the store every few seconds so a
// new IP user works almost at once without a store read per connection.
import type { IpUser } from '../core/model.js';
import type { Clock, TenantStore } from '../core/ports.js';
import { compileIpUsers } from '../core/policy/ip-match.js';

export class IpUserCache {
  private matcher: (ip: string) => IpUser | undefined = () => undefined;
  private loadedAt = -Infinity;
  private loading: Promise<void> | undefined;
  constructor(private readonly tenants: TenantStore, private readonly clock: Clock, private readonly ttlMs = 2000) {}

  async match(ip: string): Promise<IpUser | undefined> {
    if (this.clock.now().getTime() - this.loadedAt > this.ttlMs) await this.refresh();
    return this.matchCached(ip);
  }

  /** Cached answer without waiting (used for the greeting delay). */
  matchCached(ip: string): IpUser | undefined {
    return this.matcher(ip);
  }

  refresh(): Promise<void> {
    this.loading ??= this.tenants.listAllIpUsers().then((l) => {
      this.matcher = compileIpUsers(l);
      this.loadedAt = this.clock.now().getTime();
    }).finally(() => { this.loading = undefined; });
    return this.loading;
  }
}
