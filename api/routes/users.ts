// SMTP users: mailbox users created here, domain users with their domain.
import { addMailboxUser, removeUser, requireUser, rotatePassword } from '../../core/tenants/users.js';
import { json, noContent, route } from '../route.js';
import { CreateUserBody, Credentials, SmtpUser, SmtpUserList, UsernameParam } from '../schemas.js';
import { credentialsView, userView } from '../views.js';

export const userRoutes = [
  route({
    method: 'POST', path: '/v1/users', auth: 'tenant', operationId: 'addUser', tag: 'users',
    summary: 'Add a mailbox user (an address in one of your domains) with a generated or chosen password; the password is in this response only',
    body: CreateUserBody,
    responses: { 201: { description: 'The login and its password', schema: Credentials } },
    handle: async ({ deps, tenant, body }) => {
      const { user, password } = await addMailboxUser(deps, tenant.id, body.username, body.password);
      return json(201, credentialsView(user, password));
    },
  }),
  route({
    method: 'GET', path: '/v1/users', auth: 'tenant', operationId: 'listUsers', tag: 'users',
    summary: 'List SMTP users (domain and mailbox users)',
    responses: { 200: { description: 'Users', schema: SmtpUserList } },
    handle: async ({ deps, tenant }) => json(200, { items: (await deps.tenants.listUsers(tenant.id)).map(userView) }),
  }),
  route({
    method: 'GET', path: '/v1/users/{username}', auth: 'tenant', operationId: 'getUser', tag: 'users',
    summary: 'One SMTP user',
    params: UsernameParam,
    responses: { 200: { description: 'The user', schema: SmtpUser } },
    handle: async ({ deps, tenant, params }) => json(200, userView(await requireUser(deps, tenant.id, params.username))),
  }),
  route({
    method: 'POST', path: '/v1/users/{username}/password', auth: 'tenant', operationId: 'rotatePassword', tag: 'users',
    summary: 'Rotate a password (domain or mailbox user); the new password is in this response only',
    params: UsernameParam,
    responses: { 200: { description: 'The login and its new password', schema: Credentials } },
    handle: async ({ deps, tenant, params }) => {
      const { user, password } = await rotatePassword(deps, tenant.id, params.username);
      return json(200, credentialsView(user, password));
    },
  }),
  route({
    method: 'DELETE', path: '/v1/users/{username}', auth: 'tenant', operationId: 'deleteUser', tag: 'users',
    summary: 'Remove a mailbox user (domain users go with their domain)',
    params: UsernameParam,
    responses: { 204: { description: 'Removed' } },
    handle: async ({ deps, tenant, params }) => {
      await removeUser(deps, tenant.id, params.username);
      return noContent();
    },
  }),
];
