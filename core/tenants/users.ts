// SMTP users: domain users come with their domain (domains.ts); mailbox users
// are single addresses inside one of the tenant's domains. Only scrypt hashes
// are stored; a password is returned once, on create or rotate. A mailbox
// user may be created with a chosen password (bulk import) that passes
// password-rule.ts; otherwise one is generated.
import { DomainError } from '../errors.js';
import type { SmtpUser, SmtpUserKind } from '../model.js';
import type { TenantOpsDeps } from './deps.js';
import { normaliseAddress, normaliseDomain } from './domain-name.js';
import { generatePassword, hashPassword } from './password.js';
import { checkChosenPassword } from './password-rule.js';

export async function addMailboxUser(deps: TenantOpsDeps, tenantId: string, input: string, chosenPassword?: string): Promise<{ user: SmtpUser; password: string }> {
  const { address, domain } = normaliseAddress(input);
  if (chosenPassword !== undefined) checkChosenPassword(chosenPassword, address);
  const owned = await deps.tenants.getDomain(domain);
  if (!owned || owned.tenantId !== tenantId) {
    const mine = (await deps.tenants.listDomains(tenantId)).map((d) => d.domain);
    throw new DomainError('VALIDATION', `${address} is not in one of your domains (${mine.length ? mine.join(', ') : 'none yet'}); add ${domain} with POST /v1/domains first`);
  }
  const password = chosenPassword ?? generatePassword();
  const user = await newSmtpUser(tenantId, address, 'mailbox', password, deps.clock.now());
  await deps.tenants.createUser(user);
  return { user, password };
}

/** A new login at its first password version (not yet stored). */
export async function newSmtpUser(tenantId: string, username: string, kind: SmtpUserKind, password: string, now: Date): Promise<SmtpUser> {
  const at = now.toISOString();
  return { tenantId, username, kind, passwordHash: await hashPassword(password), passwordVersion: 1, createdAt: at, passwordChangedAt: at };
}

/** Login names are domains or addresses; both compare case-insensitively. */
function canonicalUsername(input: string): string | undefined {
  try {
    return input.includes('@') ? normaliseAddress(input).address : normaliseDomain(input);
  } catch {
    return undefined;
  }
}

/** The tenant's own user, or NOT_FOUND (also for another tenant's user). */
export async function requireUser(deps: TenantOpsDeps, tenantId: string, username: string): Promise<SmtpUser> {
  const name = canonicalUsername(username);
  const user = name ? await deps.tenants.getUser(name) : undefined;
  if (!user || user.tenantId !== tenantId) throw new DomainError('NOT_FOUND', `No user ${username}`);
  return user;
}

export async function rotatePassword(deps: TenantOpsDeps, tenantId: string, username: string): Promise<{ user: SmtpUser; password: string }> {
  const user = await requireUser(deps, tenantId, username);
  const password = generatePassword();
  const next: SmtpUser = {
    ...user,
    passwordHash: await hashPassword(password),
    passwordVersion: user.passwordVersion + 1,
    passwordChangedAt: deps.clock.now().toISOString(),
  };
  await deps.tenants.updateUser(next);
  return { user: next, password };
}

export async function removeUser(deps: TenantOpsDeps, tenantId: string, username: string): Promise<void> {
  const user = await requireUser(deps, tenantId, username);
  if (user.kind === 'domain') {
    throw new DomainError('FORBIDDEN', `${user.username} is the domain user of ${user.username}; it goes with the domain (DELETE /v1/domains/${user.username}), or rotate its password instead`);
  }
  await deps.tenants.deleteUser(tenantId, user.username);
}
