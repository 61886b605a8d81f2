import type { TenantSettings } from './model.js';

/** Defaults for every tenant setting; a tenant's stored settings override these field by field. */
export const DEFAULT_TENANT_SETTINGS: TenantSettings = {
  quarantineThreshold: 5,
  rejectThreshold: 10,
  monitorOnly: false,
  senderHourlyLimit: 500,
};

export function effectiveSettings(stored: Partial<TenantSettings> | undefined): TenantSettings {
  return { ...DEFAULT_TENANT_SETTINGS, ...(stored ?? {}) };
}
