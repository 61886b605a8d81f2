// The AWS shape in miniature, for the console tests: the built console on one
// origin (S3 behind CloudFront) with a config.json naming the API, and the API
// on another origin under a stage path (API Gateway with CORS), forwarded to
// the real gateway's API.
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';

export interface DeployedShape {
  siteUrl: string;
  apiUrl: string;
  preflights(): number;
  stop(): Promise<void>;
}

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.map': 'application/json' };

async function listen(server: Server): Promise<string> {
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export async function startDeployedShape(distDir: string, gatewayApi: string, stage: string): Promise<DeployedShape> {
  let preflights = 0;
  let siteUrl = '';
  let apiUrl = '';

  const site = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/config.json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ apiBase: apiUrl + stage }));
      return;
    }
    const file = normalize(join(distDir, path === '/' ? 'index.html' : path));
    if (!file.startsWith(distDir)) { res.writeHead(403).end(); return; }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });

  const api = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const cors = {
      'access-control-allow-origin': siteUrl,
      'access-control-allow-headers': 'authorization, content-type',
      'access-control-allow-methods': 'GET, POST, PATCH, DELETE, OPTIONS',
      'access-control-max-age': '600',
    };
    if (req.method === 'OPTIONS') { preflights++; res.writeHead(204, cors).end(); return; }
    const url = new URL(req.url ?? '/', 'http://x');
    if (!url.pathname.startsWith(stage + '/')) { res.writeHead(404, cors).end(); return; }
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const headers: Record<string, string> = {};
    for (const h of ['authorization', 'content-type', 'accept']) if (req.headers[h]) headers[h] = String(req.headers[h]);
    const upstream = await fetch(gatewayApi + url.pathname.slice(stage.length) + url.search, {
      method: req.method, headers, ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
    });
    const body = Buffer.from(await upstream.arrayBuffer());
    res.writeHead(upstream.status, { ...cors, 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
    res.end(body);
  });

  siteUrl = await listen(site);
  apiUrl = await listen(api);
  return {
    siteUrl, apiUrl,
    preflights: () => preflights,
    async stop() {
      await Promise.all([site, api].map((s) => new Promise<void>((ok) => { s.closeAllConnections(); s.close(() => ok()); })));
    },
  };
}
