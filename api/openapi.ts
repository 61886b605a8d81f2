// Builds the OpenAPI 3.1 document from the route table and the zod schemas
// the handler validates with: one source, so the two cannot disagree.
import { z } from 'zod';
import type { Route } from './route.js';
import { components } from './schemas.js';

type JsonSchema = Record<string, unknown>;

const PROBLEM_REF = { $ref: '#/components/schemas/Problem' };

/** Error statuses every route can answer with, by auth level. */
function problemResponses(route: Route): Record<string, object> {
  const statuses: Record<number, string> = { 500: 'Unexpected error' };
  if (route.body || route.query || route.params) statuses[400] = 'Invalid input: see detail and errors';
  // The adapters answer these before the route runs (local/http-server.ts,
  // lambdas/api.ts), for every method that carries a body, whether or not
  // the route reads one.
  if (route.body || route.method === 'POST' || route.method === 'PATCH') {
    statuses[413] = 'Request body over 1 MiB';
    statuses[415] = 'Request body is not JSON (send Content-Type: application/json)';
  }
  if (route.auth !== 'none') {
    statuses[401] = 'Missing or unknown bearer token';
    statuses[403] = route.auth === 'operator' ? 'Not the operator token' : 'Not a tenant token';
  }
  if (route.params) statuses[404] = 'No such object for this tenant';
  if (route.method !== 'GET' && route.auth === 'tenant') statuses[409] = 'Conflicts with the current state (taken, quota, state)';
  Object.assign(statuses, route.problems);
  return Object.fromEntries(Object.entries(statuses).map(([s, description]) => [
    s, { description, content: { 'application/problem+json': { schema: PROBLEM_REF } } },
  ]));
}

function strip(schema: JsonSchema): JsonSchema {
  const { $schema: _s, $id: _i, ...rest } = schema;
  return rest;
}

/** A $ref for a registered schema, else the schema inline. */
function schemaRef(schema: z.ZodType): JsonSchema {
  const id = components.get(schema)?.id;
  return id ? { $ref: `#/components/schemas/${id}` } : strip(z.toJSONSchema(schema, { io: 'input' }) as JsonSchema);
}

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query'): object[] {
  if (!(schema instanceof z.ZodObject)) return [];
  return Object.entries(schema.shape as Record<string, z.ZodType>).map(([name, prop]) => {
    const { description, ...json } = strip(z.toJSONSchema(prop, { io: 'input' }) as JsonSchema);
    return {
      name, in: where, required: where === 'path' || !prop.safeParse(undefined).success, schema: json,
      ...(description ? { description } : {}),
    };
  });
}

function requestBody(schema: z.ZodType | undefined): object | undefined {
  if (!schema) return undefined;
  const required = !schema.safeParse(undefined).success;
  const inner = schema instanceof z.ZodOptional ? (schema.unwrap() as z.ZodType) : schema;
  return { required, content: { 'application/json': { schema: schemaRef(inner) } } };
}

const SECURITY = { none: [], operator: [{ operatorToken: [] }], tenant: [{ tenantToken: [] }] } as const;

export function buildOpenApi(routes: Route[], version: string): object {
  const generated = z.toJSONSchema(components, { uri: (id) => `#/components/schemas/${id}`, io: 'input' }) as { schemas: Record<string, JsonSchema> };
  const schemas = Object.fromEntries(Object.entries(generated.schemas).map(([id, s]) => [id, strip(s)]));
  const paths: Record<string, Record<string, object>> = {};
  for (const route of routes) {
    const body = requestBody(route.body);
    const success = Object.fromEntries(Object.entries(route.responses).map(([status, r]) => [
      status, { description: r.description, ...(r.schema ? { content: { 'application/json': { schema: schemaRef(r.schema) } } } : {}) },
    ]));
    (paths[route.path] ??= {})[route.method.toLowerCase()] = {
      operationId: route.operationId,
      summary: route.summary,
      tags: [route.tag],
      security: SECURITY[route.auth],
      parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query')],
      ...(body ? { requestBody: body } : {}),
      responses: { ...success, ...problemResponses(route) },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Relayguard API',
      version,
      description: 'Tenant management, SMTP and IP users, sender locks, the message log and quarantine. Errors are application/problem+json.',
    },
    tags: [...new Set(routes.map((r) => r.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas,
      securitySchemes: {
        operatorToken: { type: 'http', scheme: 'bearer', description: 'The operator token: tenant management only.' },
        tenantToken: { type: 'http', scheme: 'bearer', description: "A tenant's token, from POST /v1/tenants." },
      },
    },
  };
}
