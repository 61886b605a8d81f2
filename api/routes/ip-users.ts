// IP users: address ranges that relay without login, within the tenant's quota.
import { addIpUser, removeIpUser } from '../../core/tenants/ip-users.js';
import { json, noContent, route } from '../route.js';
import { CreateIpUserBody, IdParam, IpUser, IpUserList } from '../schemas.js';
import { ipUserView } from '../views.js';

export const ipUserRoutes = [
  route({
    method: 'POST', path: '/v1/ip-users', auth: 'tenant', operationId: 'addIpUser', tag: 'ip-users',
    summary: 'Register an address or CIDR range (normalised; 409 past the quota or on overlap)',
    body: CreateIpUserBody,
    responses: { 201: { description: 'The IP user', schema: IpUser } },
    handle: async ({ deps, tenant, body }) => json(201, ipUserView(await addIpUser(deps, tenant.id, body.cidr))),
  }),
  route({
    method: 'GET', path: '/v1/ip-users', auth: 'tenant', operationId: 'listIpUsers', tag: 'ip-users',
    summary: 'List IP users and the quota',
    responses: { 200: { description: 'IP users', schema: IpUserList } },
    handle: async ({ deps, tenant }) =>
      json(200, { items: (await deps.tenants.listIpUsers(tenant.id)).map(ipUserView), quota: tenant.ipUserQuota }),
  }),
  route({
    method: 'DELETE', path: '/v1/ip-users/{id}', auth: 'tenant', operationId: 'deleteIpUser', tag: 'ip-users',
    summary: 'Remove an IP user',
    params: IdParam,
    responses: { 204: { description: 'Removed' } },
    handle: async ({ deps, tenant, params }) => {
      await removeIpUser(deps, tenant.id, params.id);
      return noContent();
    },
  }),
];
