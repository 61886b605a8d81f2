// A tenant's sending domains, with their DKIM keys and DNS records.
import { addDomain, removeDomain, requireDomain } from '../../core/tenants/domains.js';
import { json, noContent, route } from '../route.js';
import { CreateDomainBody, Domain, DomainCreated, DomainList, DomainParam } from '../schemas.js';
import { credentialsView, domainView } from '../views.js';

export const domainRoutes = [
  route({
    method: 'POST', path: '/v1/domains', auth: 'tenant', operationId: 'addDomain', tag: 'domains',
    summary: "Add a domain: creates its DKIM key and its domain user, whose password is in this response only",
    body: CreateDomainBody,
    responses: { 201: { description: 'The domain, the DNS records to publish and the domain user', schema: DomainCreated } },
    handle: async ({ deps, tenant, body }) => {
      const { domain, user, password } = await addDomain(deps, tenant.id, body.domain);
      return json(201, { ...domainView(domain, deps.smtpHost), domainUser: credentialsView(user, password) });
    },
  }),
  route({
    method: 'GET', path: '/v1/domains', auth: 'tenant', operationId: 'listDomains', tag: 'domains',
    summary: "List the tenant's domains",
    responses: { 200: { description: 'Domains', schema: DomainList } },
    handle: async ({ deps, tenant }) =>
      json(200, { items: (await deps.tenants.listDomains(tenant.id)).map((d) => domainView(d, deps.smtpHost)) }),
  }),
  route({
    method: 'GET', path: '/v1/domains/{domain}', auth: 'tenant', operationId: 'getDomain', tag: 'domains',
    summary: 'One domain with the DNS records to publish (DKIM TXT, SPF and DMARC hints)',
    params: DomainParam,
    responses: { 200: { description: 'The domain', schema: Domain } },
    handle: async ({ deps, tenant, params }) => json(200, domainView(await requireDomain(deps, tenant.id, params.domain), deps.smtpHost)),
  }),
  route({
    method: 'DELETE', path: '/v1/domains/{domain}', auth: 'tenant', operationId: 'deleteDomain', tag: 'domains',
    summary: 'Remove a domain, its domain user and the mailbox users under it',
    params: DomainParam,
    responses: { 204: { description: 'Removed' } },
    handle: async ({ deps, tenant, params }) => {
      await removeDomain(deps, tenant.id, params.domain);
      return noContent();
    },
  }),
];
