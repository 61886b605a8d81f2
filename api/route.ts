// One row of the route table: method, path pattern, who may call it, the
// schemas of its inputs and outputs, and the handler. The handler receives
// inputs already validated; api/openapi.ts documents the same rows.
import type { z } from 'zod';
import type { Tenant } from '../core/model.js';
import type { ApiDeps } from './types.js';

export type Auth = 'none' | 'operator' | 'tenant';
export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RouteContext<A extends Auth, P, Q, B> {
  deps: ApiDeps;
  /** The calling tenant, on tenant routes. */
  tenant: A extends 'tenant' ? Tenant : undefined;
  params: P;
  query: Q;
  body: B;
}

export interface RouteSpec<A extends Auth, P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  method: Method;
  /** OpenAPI-style pattern, e.g. /v1/domains/{domain}. */
  path: string;
  auth: A;
  operationId: string;
  summary: string;
  tag: string;
  params?: P;
  query?: Q;
  body?: B;
  /** Success responses: status → description and body schema (none for 204). Error responses are added for every route. */
  responses: Record<number, { description: string; schema?: z.ZodType }>;
  /** Problem statuses this route answers beyond those api/openapi.ts adds for every route of its kind: status → when. */
  problems?: Record<number, string>;
  handle(ctx: RouteContext<A, z.output<P>, z.output<Q>, z.output<B>>): Promise<Reply>;
}

/** The table's row type, with the handler's input types erased. */
export type Route = Omit<RouteSpec<Auth, z.ZodType, z.ZodType, z.ZodType>, 'handle'> & {
  handle(ctx: RouteContext<Auth, unknown, unknown, unknown>): Promise<Reply>;
};

/** Declares a route with typed handler inputs, checked against its schemas. */
export function route<A extends Auth, P extends z.ZodType = z.ZodUndefined, Q extends z.ZodType = z.ZodUndefined, B extends z.ZodType = z.ZodUndefined>(
  spec: RouteSpec<A, P, Q, B>,
): Route {
  return spec as unknown as Route;
}

export const json = (status: number, body: unknown): Reply => ({ status, body });
export const noContent = (): Reply => ({ status: 204 });
