// Entry points that receive only a tenant id (logins, feedback, campaign
// members of other tenants) need the tenant's settings; without a tenant
// store they fall back to the defaults.
import type { Tenant } from '../model.js';
import { DEFAULT_TENANT_SETTINGS } from '../settings.js';
import type { ReputationDeps } from './types.js';
import type { SenderKind } from './evidence.js';

export async function tenantOf(deps: ReputationDeps, tenantId: string): Promise<Tenant> {
  const t = await deps.tenants?.getTenant(tenantId);
  return t ?? { id: tenantId, name: tenantId, tokenHash: '', ipUserQuota: 0, settings: { ...DEFAULT_TENANT_SETTINGS }, createdAt: '' };
}

/** Whether a sender key is an SMTP user of this tenant (and a mailbox user), when the tenant store can tell. */
export async function senderKindOf(deps: ReputationDeps, tenantId: string, sender: string): Promise<SenderKind> {
  const u = await deps.tenants?.getUser(sender);
  if (!u || u.tenantId !== tenantId) return { smtpUser: false, mailboxUser: false };
  return { smtpUser: true, mailboxUser: u.kind === 'mailbox' };
}
