// The tenant's suppression list: addresses its mail is no longer offered to
// (hard bounces, complaints, its own additions). Search it, add an address,
// take one off. Its schemas live here, registered with the same components
// registry as api/schemas.ts, so the OpenAPI document names them.
import { z } from 'zod';
import { DomainError } from '../../core/errors.js';
import type { SuppressionEntry } from '../../core/model.js';
import type { SuppressionStore } from '../../core/ports.js';
import { addSuppression, listSuppressions, removeSuppression } from '../../core/suppression/index.js';
import { json, noContent, route } from '../route.js';
import { named } from '../schemas.js';
import { PAGE_SIZE } from '../../core/paging.js';
import type { ApiDeps } from '../types.js';

export const Suppression = named('Suppression', 'An address the tenant\'s mail is no longer sent to; mail to it bounces at once with a DSN.', z.object({
  address: z.string().describe('Lower-case, the domain in ASCII (punycode).'),
  reason: z.enum(['hard-bounce', 'complaint', 'manual']),
  detail: z.string().describe('The receiving server\'s reply, the complaint feedback, or the note given when it was added.'),
  messageId: z.string().optional().describe('The message (GET /v1/messages/{id}) that bounced or drew the complaint.'),
  createdAt: z.iso.datetime({ offset: true }).describe('Since when the address is suppressed.'),
}));

export const SuppressionList = named('SuppressionList', 'A page of the suppression list, newest first.', z.object({
  items: z.array(Suppression),
  cursor: z.string().optional().describe('Pass as ?cursor= for the next page; absent on the last page.'),
}));

export const CreateSuppressionBody = named('CreateSuppressionRequest', 'An address to stop sending to.', z.strictObject({
  address: z.string().min(3).max(320).describe('e.g. bob@example.net'),
  reason: z.string().max(500).optional().describe('Why, in your words; kept as the entry\'s detail.'),
}));

const SuppressionQuery = z.object({
  q: z.string().max(320).optional().describe('Part of the address, case-insensitive.'),
  limit: z.coerce.number().int().min(1).max(PAGE_SIZE.max).optional().describe(`Page size, default ${PAGE_SIZE.default}.`),
  cursor: z.string().max(500).optional(),
});

const AddressParam = z.object({ address: z.string().min(1).max(320) });

/** The list is optional in ApiDeps: a deployment without one answers 404, like any route to nothing. */
function storeOf(deps: ApiDeps): { clock: ApiDeps['clock']; suppressions: SuppressionStore } {
  if (!deps.suppressions) throw new DomainError('NOT_FOUND', 'This deployment keeps no suppression list');
  return { clock: deps.clock, suppressions: deps.suppressions };
}

/** The 404 of a deployment without a list, in the document too (api/openapi.ts adds a 404 only to routes with path parameters). */
const NO_LIST = { 404: 'This deployment keeps no suppression list' };

const view = (e: SuppressionEntry) => ({
  address: e.address, reason: e.reason, detail: e.detail, ...(e.messageId ? { messageId: e.messageId } : {}), createdAt: e.createdAt,
});

export const suppressionRoutes = [
  route({
    method: 'GET', path: '/v1/suppressions', auth: 'tenant', operationId: 'listSuppressions', tag: 'suppressions', problems: NO_LIST,
    summary: 'Search the suppression list, newest first; follow `cursor` for more',
    query: SuppressionQuery,
    responses: { 200: { description: 'A page of suppressed addresses', schema: SuppressionList } },
    handle: async ({ deps, tenant, query }) => {
      const page = await listSuppressions(storeOf(deps), tenant.id, {
        limit: query.limit ?? PAGE_SIZE.default, ...(query.q ? { query: query.q } : {}), ...(query.cursor ? { cursor: query.cursor } : {}),
      });
      return json(200, { items: page.items.map(view), ...(page.cursor ? { cursor: page.cursor } : {}) });
    },
  }),
  route({
    method: 'POST', path: '/v1/suppressions', auth: 'tenant', operationId: 'addSuppression', tag: 'suppressions', problems: NO_LIST,
    summary: 'Stop sending to an address (201); an address already on the list keeps its entry (200)',
    body: CreateSuppressionBody,
    responses: {
      201: { description: 'Added', schema: Suppression },
      200: { description: 'Already on the list: the entry in force', schema: Suppression },
    },
    handle: async ({ deps, tenant, body }) => {
      const { entry, created } = await addSuppression(storeOf(deps), tenant.id, body.address, body.reason);
      return json(created ? 201 : 200, view(entry));
    },
  }),
  route({
    method: 'DELETE', path: '/v1/suppressions/{address}', auth: 'tenant', operationId: 'removeSuppression', tag: 'suppressions',
    problems: { 404: 'The address is not on the list, or this deployment keeps no suppression list' },
    summary: 'Take an address off the list: the next message to it is offered to the receiving server again',
    params: AddressParam,
    responses: { 204: { description: 'Removed' } },
    handle: async ({ deps, tenant, params }) => {
      await removeSuppression(storeOf(deps), tenant.id, params.address);
      return noContent();
    },
  }),
];
