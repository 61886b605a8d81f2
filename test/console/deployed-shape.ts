// The AWS shapes in miniature, for the console tests, in front of the real
// gateway's API:
// - cdk/constructs/console-hosting.ts: one CloudFront origin; S3 serves the
//   files (exact keys only, 403 for anything else, / is index.html) and
//   /v1/* goes to API Gateway's prod stage, whose token authorizer answers
//   401 {"message":"Unauthorized"} itself when there is no token.
// - two origins: the files with a config.json naming the API, and the API
//   under a stage path on another origin with CORS.
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';

export interface DeployedShape {
  /** Where the browser opens the console. */
  siteUrl: string;
  /** Where the console's API calls must go (prefix of every /v1 URL). */
  apiPrefix: string;
  preflights(): number;
  stop(): Promise<void>;
}

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.map': 'application/json' };

async function listen(server: Server): Promise<string> {
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function close(servers: Server[]): Promise<void> {
  await Promise.all(servers.map((s) => new Promise<void>((ok) => { s.closeAllConnections(); s.close(() => ok()); })));
}

/** S3 behind CloudFront: exact object keys, index.html as the root object, 403 AccessDenied otherwise. */
async function serveObject(distDir: string, path: string, res: ServerResponse, overrides: Record<string, string> = {}): Promise<void> {
  const key = path === '/' ? '/index.html' : path;
  if (key in overrides) {
    res.writeHead(200, { 'content-type': 'application/json' }).end(overrides[key]);
    return;
  }
  const file = normalize(join(distDir, key));
  try {
    if (!file.startsWith(distDir + sep)) throw new Error('outside');
    const body = await readFile(file);
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
  } catch {
    res.writeHead(403, { 'content-type': 'application/xml' }).end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>');
  }
}

/** API Gateway (REST, token authorizer on /v1/{proxy+}, public /v1/openapi.json) in front of the gateway's API. */
async function apiGateway(req: IncomingMessage, res: ServerResponse, gatewayApi: string, path: string, search: string, extraHeaders: Record<string, string>): Promise<void> {
  if (!req.headers.authorization && path !== '/v1/openapi.json') {
    res.writeHead(401, { ...extraHeaders, 'content-type': 'application/json', 'x-amzn-errortype': 'UnauthorizedException' }).end('{"message":"Unauthorized"}');
    return;
  }
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const headers: Record<string, string> = {};
  for (const h of ['authorization', 'content-type', 'accept']) if (req.headers[h]) headers[h] = String(req.headers[h]);
  const upstream = await fetch(gatewayApi + path + search, { method: req.method, headers, ...(chunks.length ? { body: Buffer.concat(chunks) } : {}) });
  const body = Buffer.from(await upstream.arrayBuffer());
  res.writeHead(upstream.status, { ...extraHeaders, ...(upstream.headers.get('content-type') ? { 'content-type': upstream.headers.get('content-type')! } : {}) });
  res.end(body);
}

/** The shape cdk/constructs/console-hosting.ts deploys: one origin, /v1/* to the API's prod stage. */
export async function startCloudFrontShape(distDir: string, gatewayApi: string): Promise<DeployedShape> {
  const cdn = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname.startsWith('/v1/')) return apiGateway(req, res, gatewayApi, url.pathname, url.search, {});
    if (req.method !== 'GET' && req.method !== 'HEAD') { res.writeHead(403).end(); return; }
    return serveObject(distDir, url.pathname, res);
  });
  const siteUrl = await listen(cdn);
  return { siteUrl, apiPrefix: `${siteUrl}/v1/`, preflights: () => 0, stop: () => close([cdn]) };
}

/** Files on one origin with config.json naming the API; the API on another origin under `stage`, with CORS. */
export async function startTwoOriginShape(distDir: string, gatewayApi: string, stage: string): Promise<DeployedShape> {
  let preflights = 0;
  let siteUrl = '';
  let apiUrl = '';
  const site = createServer((req, res) => serveObject(distDir, new URL(req.url ?? '/', 'http://x').pathname, res, { '/config.json': JSON.stringify({ apiBase: apiUrl + stage }) }));
  const api = createServer(async (req, res) => {
    const cors = {
      'access-control-allow-origin': siteUrl,
      'access-control-allow-headers': 'authorization, content-type',
      'access-control-allow-methods': 'GET, POST, PATCH, DELETE, OPTIONS',
      'access-control-max-age': '600',
    };
    if (req.method === 'OPTIONS') { preflights++; res.writeHead(204, cors).end(); return; }
    const url = new URL(req.url ?? '/', 'http://x');
    if (!url.pathname.startsWith(`${stage}/v1/`)) { res.writeHead(403, { ...cors, 'content-type': 'application/json' }).end('{"message":"Missing Authentication Token"}'); return; }
    return apiGateway(req, res, gatewayApi, url.pathname.slice(stage.length), url.search, cors);
  });
  siteUrl = await listen(site);
  apiUrl = await listen(api);
  return { siteUrl, apiPrefix: `${apiUrl}${stage}/v1/`, preflights: () => preflights, stop: () => close([site, api]) };
}
