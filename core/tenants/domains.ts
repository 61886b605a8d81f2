// A tenant's sending domains. Adding one also creates its domain user (the
// login a mail server relays with; password shown once) and a DKIM key, and
// tells the tenant which DNS records to publish.
import { DomainError, isDomainError } from '../errors.js';
import type { DnsRecord, DomainRecord, SmtpUser } from '../model.js';
import type { TenantOpsDeps } from './deps.js';
import { generateDkimKey } from './dkim.js';
import { normaliseDomain } from './domain-name.js';
import { generatePassword } from './password.js';
import { newSmtpUser } from './users.js';

export async function addDomain(
  deps: TenantOpsDeps,
  tenantId: string,
  input: string,
): Promise<{ domain: DomainRecord; user: SmtpUser; password: string }> {
  const name = normaliseDomain(input);
  await refuseOverlapWithOthers(deps, tenantId, name);
  const now = deps.clock.now();
  const at = now.toISOString();
  const key = await generateDkimKey(now);
  const domain: DomainRecord = {
    tenantId, domain: name, dkimSelector: key.selector, dkimPrivateKey: key.privateKey, dkimPublicKey: key.publicKey, createdAt: at,
  };
  try {
    await deps.tenants.createDomain(domain);
  } catch (err) {
    // Same answer whether this tenant or another holds it: never confirm another tenant's domains.
    if (isDomainError(err, 'DOMAIN_TAKEN')) throw new DomainError('DOMAIN_TAKEN', `${name} is already registered`);
    throw err;
  }
  // The check above and the insert are two steps (with a key generation in
  // between): a parent or subdomain another tenant added meanwhile is only
  // visible now. Each of two racing tenants checks after its own insert, so
  // at least one sees the other and withdraws; never do both stay.
  try {
    await refuseOverlapWithOthers(deps, tenantId, name);
  } catch (err) {
    await deps.tenants.deleteDomain(tenantId, name);
    throw err;
  }
  const password = generatePassword();
  const user = await newSmtpUser(tenantId, name, 'domain', password, now);
  try {
    await deps.tenants.createUser(user);
  } catch (err) {
    // Leave no half-added domain behind: without its user it could never send.
    await deps.tenants.deleteDomain(tenantId, name);
    throw err;
  }
  return { domain, user, password };
}

/**
 * Senders may use subdomains of the domains their tenant owns (core/policy
 * sender-key isOwnedDomain), so domains of two tenants must never nest:
 * a subdomain of another tenant's domain, or a parent of one, would let one
 * tenant send as part of another's name. Upward by walking the labels (a
 * handful of point reads), downward by one query for the domains under it.
 */
async function refuseOverlapWithOthers(deps: TenantOpsDeps, tenantId: string, name: string): Promise<void> {
  const labels = name.split('.');
  for (let i = 1; i < labels.length - 1; i++) {
    const parent = labels.slice(i).join('.');
    const owner = await deps.tenants.getDomain(parent);
    if (owner && owner.tenantId !== tenantId) throw new DomainError('DOMAIN_TAKEN', `${name} is under ${parent}, which is registered by another tenant`);
  }
  // Named no further: which subdomains another tenant has is not this tenant's business.
  if ((await deps.tenants.listDomainsUnder(name)).some((d) => d.tenantId !== tenantId)) {
    throw new DomainError('DOMAIN_TAKEN', `${name} has subdomains registered by another tenant`);
  }
}

/** The tenant's own domain record, or NOT_FOUND (also for another tenant's domain). */
export async function requireDomain(deps: TenantOpsDeps, tenantId: string, input: string): Promise<DomainRecord> {
  let name: string;
  try {
    name = normaliseDomain(input);
  } catch {
    throw new DomainError('NOT_FOUND', `No domain ${input}`);
  }
  const domain = await deps.tenants.getDomain(name);
  if (!domain || domain.tenantId !== tenantId) throw new DomainError('NOT_FOUND', `No domain ${name}`);
  return domain;
}

/**
 * Removes a domain with its domain user and every mailbox user under it:
 * those logins could no longer send anything, so keeping them would only
 * leave passwords lying around.
 */
export async function removeDomain(deps: TenantOpsDeps, tenantId: string, input: string): Promise<{ removedUsers: string[] }> {
  const domain = await requireDomain(deps, tenantId, input);
  const users = await deps.tenants.listUsers(tenantId);
  const doomed = users.filter((u) => u.username === domain.domain || u.username.endsWith(`@${domain.domain}`));
  for (const u of doomed) await deps.tenants.deleteUser(tenantId, u.username);
  await deps.tenants.deleteDomain(tenantId, domain.domain);
  return { removedUsers: doomed.map((u) => u.username) };
}


function txt(name: string, value: string, purpose: string): DnsRecord {
  const strings: string[] = [];
  for (let i = 0; i < value.length; i += 255) strings.push(value.slice(i, i + 255));
  return { type: 'TXT', name, value, strings, purpose };
}

/**
 * The records a tenant publishes for one domain: its DKIM key (required: the
 * gateway signs with it), and SPF and DMARC hints to merge into what the
 * domain already has (a domain may have only one SPF record).
 */
export function dnsRecordsFor(domain: DomainRecord, opts: { smtpHost: string }): DnsRecord[] {
  return [
    txt(`${domain.dkimSelector}._domainkey.${domain.domain}`, `v=DKIM1; k=rsa; p=${domain.dkimPublicKey}`,
      'DKIM: publish exactly this; the gateway signs outgoing mail with the matching private key'),
    txt(domain.domain, `v=spf1 a:${opts.smtpHost} ~all`,
      `SPF hint: add "a:${opts.smtpHost}" to the domain's existing SPF record instead of adding a second one`),
    txt(`_dmarc.${domain.domain}`, 'v=DMARC1; p=none',
      'DMARC hint: start with p=none and tighten once reports show all mail aligned'),
  ];
}
