// The message log and the quarantine.
import { deleteHeldMessage, listMessages, readMessageSource, releaseMessage, requireMessage } from '../../core/tenants/messages.js';
import { json, noContent, route } from '../route.js';
import { IdParam, Message, MessageList, MessageQuery, MessageSource } from '../schemas.js';
import { messageView } from '../views.js';

export const messageRoutes = [
  route({
    method: 'GET', path: '/v1/messages', auth: 'tenant', operationId: 'listMessages', tag: 'messages',
    summary: 'Search the message log, newest first; follow `cursor` for more',
    query: MessageQuery,
    responses: { 200: { description: 'A page of messages', schema: MessageList } },
    handle: async ({ deps, tenant, query }) => {
      const page = await listMessages(deps, tenant.id, query);
      return json(200, { items: page.items.map(messageView), ...(page.cursor ? { cursor: page.cursor } : {}) });
    },
  }),
  route({
    method: 'GET', path: '/v1/messages/{id}', auth: 'tenant', operationId: 'getMessage', tag: 'messages',
    summary: 'One message: verdict with every signal and weight, delivery status per recipient',
    params: IdParam,
    responses: { 200: { description: 'The message', schema: Message } },
    handle: async ({ deps, tenant, params }) => json(200, messageView(await requireMessage(deps, tenant.id, params.id))),
  }),
  route({
    method: 'GET', path: '/v1/messages/{id}/raw', auth: 'tenant', operationId: 'getMessageSource', tag: 'messages',
    summary: 'The stored message itself (headers and body as text), to review held mail',
    params: IdParam,
    responses: { 200: { description: 'The message source', schema: MessageSource } },
    handle: async ({ deps, tenant, params }) => json(200, await readMessageSource(deps, tenant.id, params.id)),
  }),
  route({
    method: 'POST', path: '/v1/messages/{id}/release', auth: 'tenant', operationId: 'releaseMessage', tag: 'messages',
    summary: 'Release a quarantined message to delivery',
    params: IdParam,
    responses: { 200: { description: 'The message, now released', schema: Message } },
    handle: async ({ deps, tenant, params }) => json(200, messageView(await releaseMessage(deps, tenant.id, params.id))),
  }),
  route({
    method: 'DELETE', path: '/v1/messages/{id}', auth: 'tenant', operationId: 'deleteMessage', tag: 'messages',
    summary: 'Delete a held (quarantined or rejected) message; the log keeps it as deleted',
    params: IdParam,
    responses: { 204: { description: 'Deleted' } },
    handle: async ({ deps, tenant, params }) => {
      await deleteHeldMessage(deps, tenant.id, params.id);
      return noContent();
    },
  }),
];
