// Every error leaves the API as application/problem+json (RFC 9457) with the
// domain error's stable code and a detail that says what to do.
import { z } from 'zod';
import { DomainError, toProblem } from '../core/errors.js';
import type { ApiResponse } from './types.js';

export const PROBLEM_TYPE = 'application/problem+json';

export function problemResponse(err: unknown, extraHeaders: Record<string, string> = {}): ApiResponse {
  if (err instanceof z.ZodError) return validationProblem(err);
  const { status, body } = toProblem(err);
  const headers: Record<string, string> = { 'content-type': PROBLEM_TYPE, ...extraHeaders };
  if (status === 401) headers['www-authenticate'] = 'Bearer realm="relayguard"';
  return { status, headers, body };
}

export function problem(code: ConstructorParameters<typeof DomainError>[0], detail: string, extraHeaders?: Record<string, string>): ApiResponse {
  return problemResponse(new DomainError(code, detail), extraHeaders);
}

/** Where: 'body', 'query' or 'path'; each issue keeps its field path so a form can point at the field. */
export function validationProblem(err: z.ZodError, where = 'body'): ApiResponse {
  const errors = err.issues.map((i) => ({ path: [where, ...i.path.map(String)].join('.'), message: i.message }));
  const detail = errors.map((e) => `${e.path}: ${e.message}`).join('; ');
  const base = problemResponse(new DomainError('VALIDATION', detail));
  return { ...base, body: { ...(base.body as object), errors } };
}
