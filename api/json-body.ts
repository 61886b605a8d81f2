// A request body as the HTTP adapters take it: at most 1 MiB, JSON (or
// declared as no type at all), and parsable. Anything else is the problem to
// answer before a route runs. Both adapters decode with this, so they answer
// the same problem for the same body: lambdas/api.ts with the whole body,
// local/http-server.ts once it has streamed the body in (refusing an
// oversized one early with bodyTooLarge).
import type { ApiResponse } from './types.js';
import { problem } from './problem.js';

export const MAX_BODY_BYTES = 1024 * 1024;

/** The 413 for a body over `maxBytes`. */
export function bodyTooLarge(maxBytes = MAX_BODY_BYTES): ApiResponse {
  return problem('MESSAGE_TOO_BIG', `Request bodies are limited to ${maxBytes} bytes`);
}

/** The parsed body (undefined for a blank one), or the 413 / 415 / 400 problem to answer instead. */
export function decodeJsonBody(bytes: Buffer, contentType: string | undefined, maxBytes = MAX_BODY_BYTES): { body: unknown } | ApiResponse {
  if (bytes.length > maxBytes) return bodyTooLarge(maxBytes);
  const text = bytes.toString('utf8');
  if (text.trim() === '') return { body: undefined };
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type && type !== 'application/json' && !type.endsWith('+json')) {
    const r = problem('VALIDATION', `Send JSON with Content-Type: application/json (got ${type})`);
    return { ...r, status: 415, body: { ...(r.body as object), status: 415, title: 'Unsupported media type' } };
  }
  try {
    return { body: JSON.parse(text) };
  } catch {
    return problem('VALIDATION', 'The request body is not valid JSON');
  }
}
