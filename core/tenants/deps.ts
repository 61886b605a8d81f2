import type { Clock, TenantStore } from '../ports.js';

/** What the tenant operations need: the tenant store and a clock for timestamps. */
export interface TenantOpsDeps {
  clock: Clock;
  tenants: TenantStore;
}
