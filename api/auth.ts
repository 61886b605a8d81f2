// Bearer tokens: the operator token (its hash comes in the deps) and tenant
// tokens (looked up by hash). Tokens are never stored or logged in clear.
import { timingSafeEqual } from 'node:crypto';
import { DomainError } from '../core/errors.js';
import type { Tenant } from '../core/model.js';
import { hashToken } from '../core/tenants/password.js';
import type { Auth } from './route.js';
import type { ApiDeps } from './types.js';

function header(headers: Record<string, string | undefined>, name: string): string | undefined {
  const want = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === want) return v;
  return undefined;
}

function bearer(headers: Record<string, string | undefined>): string {
  const value = header(headers, 'authorization');
  if (!value) throw new DomainError('UNAUTHORIZED', 'Send "Authorization: Bearer <token>"');
  const m = /^Bearer\s+(\S+)\s*$/i.exec(value);
  if (!m) throw new DomainError('UNAUTHORIZED', 'The Authorization header must be "Bearer <token>"');
  return m[1]!;
}

function isOperator(deps: ApiDeps, hash: string): boolean {
  const a = Buffer.from(hash, 'hex');
  const b = Buffer.from(deps.operatorTokenHash, 'hex');
  return a.length === b.length && b.length > 0 && timingSafeEqual(a, b);
}

/** Resolves the caller for a route's auth level; throws UNAUTHORIZED (401) or FORBIDDEN (403). */
export async function authenticate(deps: ApiDeps, auth: Auth, headers: Record<string, string | undefined>): Promise<Tenant | undefined> {
  if (auth === 'none') return undefined;
  const hash = hashToken(bearer(headers));
  if (auth === 'operator') {
    if (isOperator(deps, hash)) return undefined;
    if (await deps.tenants.getTenantByTokenHash(hash)) throw new DomainError('FORBIDDEN', 'This route needs the operator token; a tenant token cannot manage tenants');
    throw new DomainError('UNAUTHORIZED', 'Unknown token');
  }
  const tenant = await deps.tenants.getTenantByTokenHash(hash);
  if (tenant) return tenant;
  if (isOperator(deps, hash)) throw new DomainError('FORBIDDEN', 'This route needs a tenant token; the operator token only manages tenants (/v1/tenants)');
  throw new DomainError('UNAUTHORIZED', 'Unknown token');
}
