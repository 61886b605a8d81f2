// Unauthenticated routes: liveness and the API's own description.
import { route, json } from '../route.js';
import type { Route } from '../route.js';
import { Health } from '../schemas.js';

export function metaRoutes(document: () => object): Route[] {
  return [
    route({
      method: 'GET', path: '/healthz', auth: 'none', operationId: 'health', tag: 'meta',
      summary: 'Liveness: answers while the process can serve requests',
      responses: { 200: { description: 'Alive', schema: Health } },
      handle: async ({ deps }) => json(200, { status: 'ok', time: deps.clock.now().toISOString() }),
    }),
    route({
      method: 'GET', path: '/v1/openapi.json', auth: 'none', operationId: 'openapi', tag: 'meta',
      summary: 'This API as an OpenAPI 3.1 document',
      responses: { 200: { description: 'The OpenAPI document' } },
      handle: async () => json(200, document()),
    }),
  ];
}
