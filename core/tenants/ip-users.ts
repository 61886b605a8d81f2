// IP users: ranges whose connections relay without a login (a shared hosting
// server). The operator caps how many a tenant may have; the store enforces
// the cap atomically so two concurrent requests cannot both squeeze in.
import { randomBytes } from 'node:crypto';
import { DomainError } from '../errors.js';
import type { IpUser } from '../model.js';
import { cidrsOverlap, parseCidr } from './cidr.js';
import type { TenantOpsDeps } from './deps.js';
import { requireTenant } from './tenants.js';

export async function addIpUser(deps: TenantOpsDeps, tenantId: string, input: string): Promise<IpUser> {
  const tenant = await requireTenant(deps, tenantId);
  const { cidr } = parseCidr(input);
  // One connecting address must map to exactly one tenant, or the ingress
  // could not tell whose mail it is: overlaps are refused, not resolved.
  const clash = (await deps.tenants.listAllIpUsers()).find((u) => cidrsOverlap(u.cidr, cidr));
  if (clash) {
    throw new DomainError('CONFLICT', clash.tenantId === tenantId
      ? `${cidr} overlaps your IP user ${clash.cidr} (${clash.id})`
      : `${cidr} overlaps a range registered by another tenant; contact the operator if these addresses are yours`);
  }
  const ipUser: IpUser = { id: `ip_${randomBytes(6).toString('hex')}`, tenantId, cidr, createdAt: deps.clock.now().toISOString() };
  try {
    await deps.tenants.createIpUser(ipUser, tenant.ipUserQuota);
  } catch (err) {
    if (err instanceof DomainError && err.code === 'QUOTA_EXCEEDED') {
      throw new DomainError('QUOTA_EXCEEDED', `Your plan allows ${tenant.ipUserQuota} IP user${tenant.ipUserQuota === 1 ? '' : 's'}; remove one or ask the operator to raise the quota`);
    }
    throw err;
  }
  return ipUser;
}

export async function removeIpUser(deps: TenantOpsDeps, tenantId: string, id: string): Promise<void> {
  if (!(await deps.tenants.deleteIpUser(tenantId, id))) throw new DomainError('NOT_FOUND', `No IP user ${id}`);
}
