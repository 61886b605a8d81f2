// Which of the tenant's domains signs a message. DMARC passes when the DKIM
// d= aligns (relaxed) with the header From, so the From domain is tried
// first, then its parent domains; mail whose From is not the tenant's (a
// contact form forwarding a visitor's address) is signed for the envelope
// sender's domain instead, which at least gives receivers a stable identity.
// A domain registered by another tenant never signs.
import type { DomainRecord } from '../model.js';

export type DomainLookup = (domain: string) => Promise<DomainRecord | undefined>;

/** `a.b.example.com` gives a.b.example.com, b.example.com, example.com (never a bare TLD). */
export function domainAndParents(domain: string): string[] {
  const labels = domain.toLowerCase().replace(/\.$/, '').split('.').filter(Boolean);
  const out: string[] = [];
  for (let i = 0; i + 1 < labels.length; i++) out.push(labels.slice(i).join('.'));
  return out;
}

export async function chooseSigningDomain(
  tenantId: string,
  candidates: { headerFromDomain?: string; mailFromDomain?: string },
  lookup: DomainLookup,
): Promise<DomainRecord | undefined> {
  const seen = new Set<string>();
  for (const start of [candidates.headerFromDomain, candidates.mailFromDomain]) {
    if (!start) continue;
    for (const domain of domainAndParents(start)) {
      if (seen.has(domain)) continue;
      seen.add(domain);
      const record = await lookup(domain);
      if (record && record.tenantId === tenantId && record.dkimPrivateKey) return record;
    }
  }
  return undefined;
}
