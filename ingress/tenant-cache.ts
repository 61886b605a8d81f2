// Tenants and their domain names as the SMTP session needs them at MAIL FROM,
// kept for a couple of seconds instead of a store read (and a JSON parse of
// the tenant document) per message. Same freshness as the IP-user list: a
// change made through the API reaches the ingress within `ttlMs`.
import type { Tenant } from '../core/model.js';
import type { Clock, TenantStore } from '../core/ports.js';

interface Entry { at: number; tenant: Tenant | undefined; domains?: string[] }

export class TenantCache {
  private readonly entries = new Map<string, Entry>();
  constructor(private readonly tenants: TenantStore, private readonly clock: Clock, private readonly ttlMs = 2000) {}

  async tenant(id: string): Promise<Tenant | undefined> {
    return (await this.entry(id)).tenant;
  }

  /** The domain names the tenant owns (for a domain user's envelope senders). */
  async domains(id: string): Promise<string[]> {
    const e = await this.entry(id);
    e.domains ??= (await this.tenants.listDomains(id)).map((d) => d.domain);
    return e.domains;
  }

  private async entry(id: string): Promise<Entry> {
    const now = this.clock.now().getTime();
    const hit = this.entries.get(id);
    if (hit && now - hit.at <= this.ttlMs) return hit;
    const e: Entry = { at: now, tenant: await this.tenants.getTenant(id) };
    // Bounded: a gateway has few tenants, but never let the map grow without end.
    if (this.entries.size >= 10_000) this.entries.clear();
    this.entries.set(id, e);
    return e;
  }
}
