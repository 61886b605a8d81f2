// The calling tenant: who it is, its settings, its dashboard numbers.
import { DomainError } from '../../core/errors.js';
import { effectiveSettings } from '../../core/settings.js';
import { gatherStats } from '../../core/tenants/stats.js';
import { updateSettings } from '../../core/tenants/tenants.js';
import { json, route } from '../route.js';
import { Me, Settings, Stats, UpdateSettingsBody } from '../schemas.js';
import type { ApiDeps } from '../types.js';
import { tenantView } from '../views.js';

const smtp = (deps: ApiDeps) => ({ host: deps.smtpHost, port: deps.publicSmtpPort ?? deps.smtpPort });

export const accountRoutes = [
  route({
    method: 'GET', path: '/v1/me', auth: 'tenant', operationId: 'getMe', tag: 'account',
    summary: 'The calling tenant, its usage and where to submit mail',
    responses: { 200: { description: 'The tenant', schema: Me } },
    handle: async ({ deps, tenant }) => {
      const [ipUsers, domains] = await Promise.all([deps.tenants.listIpUsers(tenant.id), deps.tenants.listDomains(tenant.id)]);
      return json(200, { ...tenantView(tenant), ipUsers: ipUsers.length, domains: domains.length, smtp: smtp(deps) });
    },
  }),
  route({
    method: 'GET', path: '/v1/settings', auth: 'tenant', operationId: 'getSettings', tag: 'account',
    summary: 'Effective settings: thresholds, monitor-only, limits, webhook',
    responses: { 200: { description: 'Settings with defaults filled in', schema: Settings } },
    handle: async ({ deps, tenant }) => json(200, { ...effectiveSettings(tenant.settings), smtp: smtp(deps), ...(await signing(deps, tenant.id)) }),
  }),
  route({
    method: 'PATCH', path: '/v1/settings', auth: 'tenant', operationId: 'updateSettings', tag: 'account',
    summary: 'Change settings; null clears webhookUrl, abuseContact or bulkSenders',
    body: UpdateSettingsBody,
    responses: { 200: { description: 'The new effective settings', schema: Settings } },
    handle: async ({ deps, tenant, body }) => {
      // A URL the notifier will always refuse (the metadata service, a private address on AWS): say so now, not at the first lock.
      const refused = typeof body.webhookUrl === 'string' ? deps.webhookRefusal?.(body.webhookUrl) : undefined;
      if (refused) throw new DomainError('VALIDATION', `webhookUrl cannot be used: ${refused}`);
      return json(200, { ...(await updateSettings(deps, tenant.id, body)), smtp: smtp(deps), ...(await signing(deps, tenant.id)) });
    },
  }),
  route({
    method: 'GET', path: '/v1/stats', auth: 'tenant', operationId: 'getStats', tag: 'account',
    summary: 'Last 24 hours: messages per hour by verdict, top senders, locks',
    responses: { 200: { description: 'Statistics', schema: Stats } },
    handle: async ({ deps, tenant }) => json(200, await gatherStats(deps, tenant.id)),
  }),
];

/** The webhook signing key, for the tenant to verify our deliveries (only where the deployment provides one). */
async function signing(deps: ApiDeps, tenantId: string): Promise<{ webhookSigningSecret?: string }> {
  return deps.webhookSecretFor ? { webhookSigningSecret: await deps.webhookSecretFor(tenantId) } : {};
}
