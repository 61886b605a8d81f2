// Campaigns: the same normalised body, or the same set of URL hosts, from
// several senders (of any tenants) within the window.
import { createHash } from 'node:crypto';
import type { Signal } from '../../model.js';
import type { ContentFacts } from '../../scoring/index.js';
import { signal, type CheckInput } from './input.js';

/** The content keys a message is indexed under. URL sets need two hosts, so one shared link (a CDN, a social site) is no campaign. */
export function campaignKeys(facts: ContentFacts): string[] {
  const keys: string[] = [];
  if (facts.bodyFingerprint) keys.push(`fp:${facts.bodyFingerprint}`);
  const hosts = [...new Set(facts.urls.map(hostOf).filter(Boolean))].sort();
  if (hosts.length >= 2) keys.push(`urls:${createHash('sha1').update(hosts.join(' ')).digest('hex').slice(0, 24)}`);
  return keys;
}

function hostOf(url: string): string {
  try { return new URL(url).hostname.toLowerCase(); } catch { return ''; }
}

/**
 * True when the members make a campaign. Spanning tenants does not lower the
 * bar: two companies can send the same order-confirmation template honestly.
 */
export function isCampaign(senders: number, minSenders: number): boolean {
  return senders >= minSenders;
}

export function campaignSignals(i: CheckInput): Signal[] {
  const c = i.campaign;
  if (!c || !isCampaign(c.count, i.policy.campaignMinSenders)) return [];
  if (c.members.length === 0) return [signal('campaign', `${c.key}: ${c.count} senders this hour`)];
  const tenants = new Set(c.members.map((m) => m.tenantId)).size;
  return [signal('campaign', `${c.key}: ${c.count} senders in ${tenants} tenant(s) within ${i.policy.campaignWindowSeconds / 60} min`)];
}
