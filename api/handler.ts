// The API's one entry point, free of any transport: match the route, check
// the token, validate path, query and body against the route's schemas, run
// the handler, and turn any error into a problem+json response.
import { z } from 'zod';
import { isDomainError } from '../core/errors.js';
import { authenticate } from './auth.js';
import { buildOpenApi } from './openapi.js';
import { PROBLEM_TYPE, problem, problemResponse, validationProblem } from './problem.js';
import { compileRoutes } from './router.js';
import { allRoutes } from './routes.js';
import type { Api, ApiDeps, ApiRequest, ApiResponse } from './types.js';

export type { Api, ApiDeps, ApiRequest, ApiResponse } from './types.js';

const API_VERSION = '0.1.0';

class InputError {
  constructor(readonly error: z.ZodError, readonly where: string) {}
}

function parse(schema: z.ZodType, value: unknown, where: string): unknown {
  const result = schema.safeParse(value);
  if (!result.success) throw new InputError(result.error, where);
  return result.data;
}

export function createApi(deps: ApiDeps): Api {
  let document: object | undefined;
  const routes = allRoutes(() => (document ??= buildOpenApi(routes, API_VERSION)));
  const find = compileRoutes(routes);
  const onError = deps.onError ?? ((err, req) => console.error(`API ${req.method} ${req.path} failed:`, err));

  return async (req: ApiRequest): Promise<ApiResponse> => {
    try {
      const { match, allowed } = find(req.method, req.path);
      if (!match) {
        if (allowed.length) return methodNotAllowed(req, allowed);
        return problem('NOT_FOUND', `No route ${req.method.toUpperCase()} ${req.path}; GET /v1/openapi.json lists them`);
      }
      const { route } = match;
      const tenant = await authenticate(deps, route.auth, req.headers);
      const params = route.params ? parse(route.params, match.params, 'path') : undefined;
      const query = route.query ? parse(route.query, req.query, 'query') : undefined;
      if (route.body && req.body === undefined && !route.body.safeParse(undefined).success) {
        return problem('VALIDATION', 'This request needs a JSON body (Content-Type: application/json)');
      }
      const body = route.body ? parse(route.body, req.body, 'body') : undefined;
      const reply = await route.handle({ deps, tenant, params, query, body });
      return {
        status: reply.status,
        headers: {
          'cache-control': 'no-store',
          ...(reply.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...reply.headers,
        },
        body: reply.body,
      };
    } catch (err) {
      if (err instanceof InputError) return validationProblem(err.error, err.where);
      if (!isDomainError(err)) onError(err, req);
      return problemResponse(err);
    }
  };
}

function methodNotAllowed(req: ApiRequest, allowed: string[]): ApiResponse {
  return {
    status: 405,
    headers: { 'content-type': PROBLEM_TYPE, allow: allowed.join(', ') },
    body: {
      type: 'https://relayguard.dev/errors/method_not_allowed', title: 'Method not allowed', status: 405,
      detail: `${req.path} does not support ${req.method.toUpperCase()}; it supports ${allowed.join(', ')}`, code: 'METHOD_NOT_ALLOWED',
    },
  };
}
