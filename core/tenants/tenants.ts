// Tenants: created by the operator, each with a bearer token shown once and
// an IP-user quota from its plan. Only the token's sha256 is stored.
import { randomBytes } from 'node:crypto';
import { DomainError } from '../errors.js';
import type { Tenant, TenantSettings } from '../model.js';
import { policyFor } from '../reputation/policy.js';
import { DEFAULT_TENANT_SETTINGS, effectiveSettings } from '../settings.js';
import type { TenantOpsDeps } from './deps.js';
import { generateToken, hashToken } from './password.js';

/** IP users a new tenant may register when the operator does not say. */
export const DEFAULT_IP_USER_QUOTA = 5;

export async function createTenant(
  deps: TenantOpsDeps,
  input: { name: string; ipUserQuota?: number },
): Promise<{ tenant: Tenant; token: string }> {
  const token = generateToken('rgt');
  const tenant: Tenant = {
    id: `t_${randomBytes(8).toString('hex')}`,
    name: input.name.trim(),
    tokenHash: hashToken(token),
    ipUserQuota: input.ipUserQuota ?? DEFAULT_IP_USER_QUOTA,
    settings: { ...DEFAULT_TENANT_SETTINGS },
    createdAt: deps.clock.now().toISOString(),
  };
  await deps.tenants.createTenant(tenant);
  return { tenant, token };
}

export async function requireTenant(deps: TenantOpsDeps, id: string): Promise<Tenant> {
  const tenant = await deps.tenants.getTenant(id);
  if (!tenant) throw new DomainError('NOT_FOUND', `No tenant ${id}`);
  return tenant;
}

/** Operator changes: name and quota. Lowering the quota below the current count keeps existing IP users but blocks new ones. */
export async function updateTenant(
  deps: TenantOpsDeps,
  id: string,
  patch: { name?: string; ipUserQuota?: number },
): Promise<Tenant> {
  return changeTenant(deps, id, (tenant) => ({
    ...tenant,
    ...(patch.name !== undefined ? { name: patch.name.trim() } : {}),
    ...(patch.ipUserQuota !== undefined ? { ipUserQuota: patch.ipUserQuota } : {}),
  }));
}

/** Replaces the tenant's token; the old one stops working at once. */
export async function rotateTenantToken(deps: TenantOpsDeps, id: string): Promise<{ tenant: Tenant; token: string }> {
  const token = generateToken('rgt');
  const tenant = await changeTenant(deps, id, (current) => ({ ...current, tokenHash: hashToken(token) }));
  return { tenant, token };
}

/** A settings change: a field set to null goes back to "not set" (optional fields only). */
export type SettingsPatch = {
  [K in keyof TenantSettings]?: undefined extends TenantSettings[K] ? TenantSettings[K] | null : TenantSettings[K];
};

export async function updateSettings(deps: TenantOpsDeps, tenantId: string, patch: SettingsPatch): Promise<TenantSettings> {
  // The patch is applied to the settings as stored at the moment of writing, so
  // a concurrent change of other settings (or of the token) is kept, and the
  // threshold rule is checked against what will actually be stored.
  const tenant = await changeTenant(deps, tenantId, (current) => ({ ...current, settings: patchSettings(current.settings, patch) }));
  return tenant.settings;
}

function patchSettings(stored: TenantSettings, patch: SettingsPatch): TenantSettings {
  const merged: Record<string, unknown> = { ...effectiveSettings(stored) };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  const settings = merged as unknown as TenantSettings;
  if (settings.quarantineThreshold >= settings.rejectThreshold) {
    throw new DomainError('VALIDATION', `quarantineThreshold (${settings.quarantineThreshold}) must be below rejectThreshold (${settings.rejectThreshold}), or nothing would ever be quarantined`);
  }
  // The sender history marks a message suspect from suspectScore and spam
  // from spamScore (the quarantine threshold when unset): out of order, no
  // message is ever suspect. Checked once the tenant sets either.
  const own = settings.senderPolicy;
  if (own && (own.suspectScore !== undefined || own.spamScore !== undefined)) {
    const suspect = own.suspectScore ?? policyFor(settings).suspectScore;
    const spam = own.spamScore ?? settings.quarantineThreshold;
    if (suspect >= spam) {
      throw new DomainError('VALIDATION', `senderPolicy.suspectScore (${suspect}) must be below the spam score (${spam}, ${own.spamScore !== undefined ? 'senderPolicy.spamScore' : 'the quarantineThreshold, as senderPolicy.spamScore is unset'}), or no message would ever count as suspect`);
    }
  }
  return settings;
}

/** One atomic read-modify-write through the store (TenantStore.changeTenant); NOT_FOUND when there is no such tenant. */
async function changeTenant(deps: TenantOpsDeps, id: string, change: (current: Tenant) => Tenant): Promise<Tenant> {
  const tenant = await deps.tenants.changeTenant(id, change);
  if (!tenant) throw new DomainError('NOT_FOUND', `No tenant ${id}`);
  return tenant;
}
