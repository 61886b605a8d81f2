// Bearer tokens: the operator token (its hash comes in the deps) and tenant
// tokens (looked up by hash). Tokens are never stored or logged in clear.
import { timingSafeEqual } from 'node:crypto';
import { DomainError } from '../core/errors.js';
import type { Tenant } from '../core/model.js';
import type { TenantStore } from '../core/ports.js';
import { hashToken } from '../core/tenants/password.js';
import type { Auth } from './route.js';
import type { ApiDeps } from './types.js';

function header(headers: Record<string, string | undefined>, name: string): string | undefined {
  const want = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === want) return v;
  return undefined;
}

/** The token in an Authorization value; UNAUTHORIZED when missing or not "Bearer <token>". */
function bearer(value: string | undefined): string {
  if (!value) throw new DomainError('UNAUTHORIZED', 'Send "Authorization: Bearer <token>"');
  const m = /^Bearer\s+(\S+)\s*$/i.exec(value);
  if (!m) throw new DomainError('UNAUTHORIZED', 'The Authorization header must be "Bearer <token>"');
  return m[1]!;
}

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && y.length > 0 && timingSafeEqual(x, y);
}

export type Caller = { role: 'operator' } | { role: 'tenant'; tenant: Tenant };

/**
 * Whose bearer token an Authorization value carries: the operator's (its
 * hash compared in constant time) or a tenant's (looked up by hash). Throws
 * UNAUTHORIZED for a missing, malformed or unknown token. The API routes and
 * the API Gateway authorizer both decide with this.
 */
export async function callerOf(tenants: Pick<TenantStore, 'getTenantByTokenHash'>, operatorTokenHash: string, authorization: string | undefined): Promise<Caller> {
  const hash = hashToken(bearer(authorization));
  if (sameHash(hash, operatorTokenHash)) return { role: 'operator' };
  const tenant = await tenants.getTenantByTokenHash(hash);
  if (tenant) return { role: 'tenant', tenant };
  throw new DomainError('UNAUTHORIZED', 'Unknown token');
}

/** Resolves the caller for a route's auth level; throws UNAUTHORIZED (401) or FORBIDDEN (403). */
export async function authenticate(deps: ApiDeps, auth: Auth, headers: Record<string, string | undefined>): Promise<Tenant | undefined> {
  if (auth === 'none') return undefined;
  const caller = await callerOf(deps.tenants, deps.operatorTokenHash, header(headers, 'authorization'));
  if (auth === 'operator') {
    if (caller.role === 'operator') return undefined;
    throw new DomainError('FORBIDDEN', 'This route needs the operator token; a tenant token cannot manage tenants');
  }
  if (caller.role === 'tenant') return caller.tenant;
  throw new DomainError('FORBIDDEN', 'This route needs a tenant token; the operator token only manages tenants (/v1/tenants)');
}
