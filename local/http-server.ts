// The node:http adapter for the API: parses JSON bodies (1 MiB at most, with
// the same checks and problems as the Lambda: api/json-body.ts), hands
// an ApiRequest to the transport-free handler and writes its ApiResponse.
// GET requests outside /v1 and /healthz are the web console's static files,
// with index.html as the fallback for the console's own client-side routes.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { bodyTooLarge, decodeJsonBody, MAX_BODY_BYTES } from '../api/json-body.js';
import { problem, problemResponse } from '../api/problem.js';
import type { Api, ApiResponse } from '../api/types.js';

export interface HttpServerOptions {
  api: Api;
  /** @default 127.0.0.1 */
  host?: string;
  /** 0 picks a free port. */
  port: number;
  /** The built console (console/dist); without it only the API is served. */
  staticDir?: string;
  /** Largest accepted request body. @default 1 MiB */
  maxBodyBytes?: number;
}

export interface RunningHttpServer {
  port: number;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.ico': 'image/x-icon', '.woff2': 'font/woff2', '.map': 'application/json', '.txt': 'text/plain; charset=utf-8',
};

const SECURITY_HEADERS = { 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };

class BodyError extends Error {
  constructor(readonly response: ApiResponse) { super(response.status.toString()); }
}

/**
 * Streams the body in and decodes it as the Lambda does (api/json-body.ts);
 * only an oversized body is refused before it has all arrived.
 */
async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  if (Number(req.headers['content-length'] ?? 0) > maxBytes) throw new BodyError(bodyTooLarge(maxBytes));
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new BodyError(bodyTooLarge(maxBytes));
    chunks.push(chunk);
  }
  const decoded = decodeJsonBody(Buffer.concat(chunks), req.headers['content-type'], maxBytes);
  if ('status' in decoded) throw new BodyError(decoded);
  return decoded.body;
}

function writeResponse(res: ServerResponse, r: ApiResponse, headOnly: boolean): void {
  const payload = r.body === undefined ? undefined
    : Buffer.isBuffer(r.body) ? r.body
    : typeof r.body === 'string' ? Buffer.from(r.body)
    : Buffer.from(JSON.stringify(r.body));
  res.writeHead(r.status, { ...SECURITY_HEADERS, ...r.headers, ...(payload ? { 'content-length': String(payload.length) } : {}) });
  res.end(headOnly ? undefined : payload);
}

/** Resolves a URL path inside `root`, or undefined when it would escape it. */
function staticPath(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try { decoded = decodeURIComponent(urlPath); } catch { return undefined; }
  if (decoded.includes('\0')) return undefined;
  const full = resolve(root, `.${normalize(`/${decoded}`)}`);
  return full === root || full.startsWith(root + sep) ? full : undefined;
}

async function serveStatic(res: ServerResponse, root: string, urlPath: string, headOnly: boolean): Promise<boolean> {
  const candidate = staticPath(root, urlPath);
  let file = candidate;
  let info = file ? await stat(file).catch(() => undefined) : undefined;
  if (info?.isDirectory()) {
    file = join(file!, 'index.html');
    info = await stat(file).catch(() => undefined);
  }
  // Unknown paths without a file extension are the console's client-side routes.
  if (!info?.isFile() && !extname(urlPath)) {
    file = join(root, 'index.html');
    info = await stat(file).catch(() => undefined);
  }
  if (!file || !info?.isFile()) return false;
  const isIndex = file.endsWith(`${sep}index.html`);
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'content-type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'content-length': String(info.size),
    // Hashed asset names may be cached; index.html must not be, or a deploy would not show.
    'cache-control': isIndex ? 'no-cache' : 'public, max-age=3600',
  });
  if (headOnly) { res.end(); return true; }
  await new Promise<void>((done, fail) => {
    createReadStream(file!).on('error', fail).pipe(res).on('finish', done).on('error', fail);
  });
  return true;
}

/**
 * The request target as a URL, or undefined when it cannot be one (e.g.
 * `//[`): a client's malformed request line is its own 400, not our 500.
 */
function requestUrl(target: string): URL | undefined {
  try {
    return new URL(target, 'http://localhost');
  } catch {
    return undefined;
  }
}

const isApiPath = (p: string) => p === '/healthz' || p === '/v1' || p.startsWith('/v1/');

export async function startHttpServer(opts: HttpServerOptions): Promise<RunningHttpServer> {
  const maxBodyBytes = opts.maxBodyBytes ?? MAX_BODY_BYTES;
  const root = opts.staticDir ? resolve(opts.staticDir) : undefined;

  const server = createServer(async (req, res) => {
    const headOnly = req.method === 'HEAD';
    const method = headOnly ? 'GET' : (req.method ?? 'GET');
    try {
      const url = requestUrl(req.url ?? '/');
      if (!url) {
        writeResponse(res, problem('VALIDATION', 'The request target is not a valid path; send e.g. GET /v1/openapi.json'), headOnly);
        return;
      }
      if (root && method === 'GET' && !isApiPath(url.pathname) && (await serveStatic(res, root, url.pathname, headOnly))) return;
      const body = method === 'GET' || method === 'DELETE' ? undefined : await readJsonBody(req, maxBodyBytes);
      const headers: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
      const query: Record<string, string> = {};
      for (const [k, v] of url.searchParams) query[k] = v;
      const response = await opts.api({ method, path: url.pathname, query, headers, body });
      writeResponse(res, response, headOnly);
    } catch (err) {
      if (err instanceof BodyError) {
        // Do not wait for the rest of an oversized upload: answer, then drop the connection.
        if (err.response.status === 413) res.setHeader('connection', 'close');
        writeResponse(res, err.response, headOnly);
        return;
      }
      console.error('HTTP adapter failed:', err);
      // The same 500 problem as the API handler's own for an unexpected error.
      if (!res.headersSent) writeResponse(res, problemResponse(err), headOnly);
      else res.destroy();
    }
  });
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;

  await new Promise<void>((ready, fail) => {
    server.once('error', fail);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => { server.off('error', fail); ready(); });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((done) => {
      server.close(() => done());
      server.closeAllConnections();
    }),
  };
}
