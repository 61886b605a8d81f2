// API Lambda: API Gateway (REST, proxy integration) → the same createApi as
// the local server. Only the transport differs: the event becomes an
// ApiRequest and the ApiResponse becomes the proxy result.
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { createApi, type Api, type ApiRequest, type ApiResponse } from '../api/handler.js';
import { problem } from '../api/problem.js';
import { systemClock } from '../core/ports.js';
import { awsStores, logger, problemLog } from './shared/runtime.js';
import { webhookKeyFor, webhookNotifier } from './shared/webhook.js';

let api: Api | undefined;

function theApi(): Api {
  if (api) return api;
  const s = awsStores();
  return (api = createApi({
    clock: systemClock, tenants: s.tenants, messages: s.messages, senders: s.senders, spool: s.spool, deliverQueue: s.deliverQueue,
    suppressions: s.suppressions,
    // Manual locks and unlocks reach the tenant's webhook, signed with the key its settings show.
    notifier: webhookNotifier(), webhookSecretFor: webhookKeyFor, log: problemLog,
    operatorTokenHash: process.env.OPERATOR_TOKEN_SHA256 ?? '',
    smtpHost: process.env.SMTP_HOST ?? 'relay.example.com',
    smtpPort: Number(process.env.SMTP_PORT ?? 587),
    onError: (err, req) => logger.error('API_ERROR', { method: req.method, path: req.path, error: err as Error }),
  }));
}

/** The same body limit as the local adapter (local/http-server.ts), so both deployments answer alike. */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * The proxy event as an ApiRequest, or the problem the local adapter would
 * answer instead: 413 for a body over 1 MiB, 415 for a body declared as
 * something other than JSON, 400 for one that does not parse.
 */
export function toApiRequest(event: APIGatewayProxyEvent): ApiRequest | ApiResponse {
  const query: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.queryStringParameters ?? {})) if (v !== undefined) query[k] = v;
  let body: unknown;
  if (event.body) {
    const bytes = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
    if (bytes.length > MAX_BODY_BYTES) return problem('MESSAGE_TOO_BIG', `Request bodies are limited to ${MAX_BODY_BYTES} bytes`);
    const text = bytes.toString('utf8');
    if (text.trim() !== '') {
      const type = (headerOf(event.headers, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      if (type && type !== 'application/json' && !type.endsWith('+json')) {
        const r = problem('VALIDATION', `Send JSON with Content-Type: application/json (got ${type})`);
        return { ...r, status: 415, body: { ...(r.body as object), status: 415, title: 'Unsupported media type' } };
      }
      try { body = JSON.parse(text); } catch {
        return problem('VALIDATION', 'The request body is not valid JSON');
      }
    }
  }
  return { method: event.httpMethod, path: event.path, query, headers: { ...event.headers }, body };
}

/** API Gateway passes header names as the client sent them. */
function headerOf(headers: APIGatewayProxyEvent['headers'] | null, name: string): string | undefined {
  for (const [k, v] of Object.entries(headers ?? {})) if (k.toLowerCase() === name) return v;
  return undefined;
}

export function toProxyResult(res: ApiResponse): APIGatewayProxyResult {
  return { statusCode: res.status, headers: res.headers, body: res.body === undefined ? '' : JSON.stringify(res.body) };
}

export async function handler(event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> {
  logger.addContext(context);
  const req = toApiRequest(event);
  if ('status' in req) return toProxyResult(req);
  return toProxyResult(await theApi()(req));
}
