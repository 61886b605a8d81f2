// Operator routes: tenant management with the operator token.
import { createTenant, requireTenant, rotateTenantToken, updateTenant } from '../../core/tenants/tenants.js';
import { json, route } from '../route.js';
import { CreateTenantBody, IdParam, Tenant, TenantList, TenantWithToken, UpdateTenantBody } from '../schemas.js';
import type { Tenant as TenantRecord } from '../../core/model.js';
import { tenantView } from '../views.js';

/** A tenant with the token just issued (create and rotate; shown in that response only). */
const withToken = ({ tenant, token }: { tenant: TenantRecord; token: string }) => ({ ...tenantView(tenant), token });

export const tenantRoutes = [
  route({
    method: 'POST', path: '/v1/tenants', auth: 'operator', operationId: 'createTenant', tag: 'operator',
    summary: 'Create a tenant; its bearer token is in this response only',
    body: CreateTenantBody,
    responses: { 201: { description: 'Created', schema: TenantWithToken } },
    handle: async ({ deps, body }) => json(201, withToken(await createTenant(deps, body))),
  }),
  route({
    method: 'GET', path: '/v1/tenants', auth: 'operator', operationId: 'listTenants', tag: 'operator',
    summary: 'List tenants',
    responses: { 200: { description: 'All tenants', schema: TenantList } },
    handle: async ({ deps }) => json(200, { items: (await deps.tenants.listTenants()).map(tenantView) }),
  }),
  route({
    method: 'GET', path: '/v1/tenants/{id}', auth: 'operator', operationId: 'getTenant', tag: 'operator',
    summary: 'Read one tenant',
    params: IdParam,
    responses: { 200: { description: 'The tenant', schema: Tenant } },
    handle: async ({ deps, params }) => json(200, tenantView(await requireTenant(deps, params.id))),
  }),
  route({
    method: 'PATCH', path: '/v1/tenants/{id}', auth: 'operator', operationId: 'updateTenant', tag: 'operator',
    summary: "Rename a tenant or change its IP-user quota (existing IP users stay when it is lowered)",
    params: IdParam,
    body: UpdateTenantBody,
    responses: { 200: { description: 'The updated tenant', schema: Tenant } },
    handle: async ({ deps, params, body }) => json(200, tenantView(await updateTenant(deps, params.id, body))),
  }),
  route({
    method: 'POST', path: '/v1/tenants/{id}/token', auth: 'operator', operationId: 'rotateTenantToken', tag: 'operator',
    summary: "Replace a tenant's token (the old one stops working); the new token is in this response only",
    params: IdParam,
    responses: { 200: { description: 'The tenant with its new token', schema: TenantWithToken } },
    handle: async ({ deps, params }) => json(200, withToken(await rotateTenantToken(deps, params.id))),
  }),
];
