// A running API for tests: the real local stores in a temporary folder, the
// real handler, the real node:http adapter on 127.0.0.1 port 0, and a small
// fetch wrapper. Every test gets its own; `stop()` closes and removes it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLocalStores, type LocalStores } from '../../adapters/local/index.js';
import { createApi } from '../../api/handler.js';
import type { Clock } from '../../core/ports.js';
import { hashToken } from '../../core/tenants/password.js';
import { startHttpServer } from '../../local/http-server.js';

export const OPERATOR_TOKEN = 'rgo_test-operator-token';

/** A clock tests can move; starts at the real time so ISO strings look normal. */
export class TestClock implements Clock {
  constructor(public at = new Date()) {}
  now() { return new Date(this.at); }
  advance(ms: number) { this.at = new Date(this.at.getTime() + ms); }
}

export interface Reply {
  status: number;
  headers: Headers;
  body: any;
}

export interface Harness {
  base: string;
  stores: LocalStores;
  clock: TestClock;
  call(method: string, path: string, opts?: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> }): Promise<Reply>;
  /** Operator creates a tenant; returns its id and token. */
  tenant(name?: string, ipUserQuota?: number): Promise<{ id: string; token: string }>;
  stop(): Promise<void>;
}

export async function startHarness(opts: { staticDir?: string; publicSmtpPort?: number } = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'rg-api-'));
  const clock = new TestClock();
  const stores = openLocalStores(join(dir, 'data'), clock);
  const api = createApi({
    clock, tenants: stores.tenants, messages: stores.messages, senders: stores.senders, spool: stores.spool,
    deliverQueue: stores.deliverQueue, operatorTokenHash: hashToken(OPERATOR_TOKEN), smtpHost: 'smtp.relay.test', smtpPort: 587,
    ...(opts.publicSmtpPort !== undefined ? { publicSmtpPort: opts.publicSmtpPort } : {}),
  });
  const server = await startHttpServer({ api, host: '127.0.0.1', port: 0, ...(opts.staticDir ? { staticDir: opts.staticDir } : {}) });
  const base = `http://127.0.0.1:${server.port}`;
  const call = httpCaller(base);

  return {
    base, stores, clock, call,
    async tenant(name = 'Acme Hosting', ipUserQuota) {
      const r = await call('POST', '/v1/tenants', { token: OPERATOR_TOKEN, body: { name, ...(ipUserQuota !== undefined ? { ipUserQuota } : {}) } });
      if (r.status !== 201) throw new Error(`creating tenant failed: ${r.status} ${JSON.stringify(r.body)}`);
      return { id: r.body.id, token: r.body.token };
    },
    async stop() {
      await server.close();
      stores.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A fetch wrapper for the API at `base`: bearer token, JSON body, JSON (or text) reply. */
export function httpCaller(base: string): Harness['call'] {
  return async (method, path, o = {}) => {
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    let body: string | undefined = o.rawBody;
    if (o.body !== undefined) body = JSON.stringify(o.body);
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    const res = await fetch(base + path, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    const type = res.headers.get('content-type') ?? '';
    return { status: res.status, headers: res.headers, body: text && type.includes('json') ? JSON.parse(text) : text };
  };
}

/** Asserts an RFC 9457 problem response and returns its body. */
export function expectProblem(r: Reply, status: number, code: string): { detail: string; errors?: { path: string; message: string }[] } {
  const ok = r.status === status && (r.headers.get('content-type') ?? '').startsWith('application/problem+json') && r.body?.code === code
    && typeof r.body.detail === 'string' && r.body.detail.length > 0 && r.body.status === status;
  if (!ok) throw new Error(`expected ${status} ${code} problem, got ${r.status} ${r.headers.get('content-type')} ${JSON.stringify(r.body)}`);
  return r.body;
}
