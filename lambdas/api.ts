// API Lambda: API Gateway (REST, proxy integration) → the same createApi as
// the local server. Only the transport differs: the event becomes an
// ApiRequest and the ApiResponse becomes the proxy result.
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { createApi, type Api, type ApiRequest, type ApiResponse } from '../api/handler.js';
import { decodeJsonBody } from '../api/json-body.js';
import { systemClock } from '../core/ports.js';
import { awsStores, logger, problemLog } from './shared/runtime.js';
import { webhookKeyFor, webhookNotifier } from './shared/webhook.js';
import { literalHostRefusal } from '../adapters/webhook/destination.js';
import { privateWebhooksAllowed } from '../adapters/aws/webhook-secret.js';

let api: Api | undefined;

function theApi(): Api {
  if (api) return api;
  const s = awsStores();
  return (api = createApi({
    clock: systemClock, tenants: s.tenants, messages: s.messages, senders: s.senders, spool: s.spool, deliverQueue: s.deliverQueue,
    suppressions: s.suppressions,
    // Manual locks and unlocks reach the tenant's webhook, signed with the key its settings show.
    notifier: webhookNotifier(), webhookSecretFor: webhookKeyFor, log: problemLog,
    // The URLs the notifier would refuse, judged as it will (private networks only with WEBHOOK_ALLOW_PRIVATE_NETWORKS).
    webhookRefusal: (url) => literalHostRefusal(url, { allowPrivateNetworks: privateWebhooksAllowed() }),
    operatorTokenHash: process.env.OPERATOR_TOKEN_SHA256 ?? '',
    smtpHost: process.env.SMTP_HOST ?? 'relay.example.com',
    smtpPort: Number(process.env.SMTP_PORT ?? 587),
    onError: (err, req) => logger.error('API_ERROR', { method: req.method, path: req.path, error: err as Error }),
  }));
}

/** Methods whose body neither adapter reads (local/http-server.ts does not either). */
const BODILESS = new Set(['GET', 'HEAD', 'DELETE']);

/**
 * The proxy event as an ApiRequest, or the problem the local adapter would
 * answer instead (api/json-body.ts): 413 for a body over 1 MiB, 415 for a
 * body declared as something other than JSON, 400 for one that does not parse.
 * The body of a GET, HEAD or DELETE is ignored, as the local adapter ignores it.
 */
export function toApiRequest(event: APIGatewayProxyEvent): ApiRequest | ApiResponse {
  const query: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.queryStringParameters ?? {})) if (v !== undefined) query[k] = v;
  let body: unknown;
  if (event.body && !BODILESS.has(event.httpMethod.toUpperCase())) {
    const decoded = decodeJsonBody(Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8'), headerOf(event.headers, 'content-type'));
    if ('status' in decoded) return decoded;
    body = decoded.body;
  }
  // HEAD is answered as GET, as the local adapter answers it (API Gateway drops the body).
  const method = event.httpMethod.toUpperCase() === 'HEAD' ? 'GET' : event.httpMethod;
  return { method, path: event.path, query, headers: { ...event.headers }, body };
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
