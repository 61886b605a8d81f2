// URL reputation through the UrlReputation port (DNS blocklists in
// deployment). Optional, and never allowed to slow the pipeline: a strict
// timeout, and a lookup that fails or times out yields a zero-weight
// 'url-check-unavailable' signal instead of an answer.
import type { Signal } from '../model.js';
import type { UrlReputation } from '../ports.js';

/** Weight of a link to a host a blocklist names. */
export const URL_BLOCKLISTED_WEIGHT = 5;
/** At most this many distinct hosts are looked up per message. */
export const MAX_HOSTS_CHECKED = 20;

export async function checkUrlReputation(port: UrlReputation, hosts: string[], timeoutMs: number): Promise<Signal[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), timeoutMs); });
  try {
    const result = await Promise.race([port.check(hosts.slice(0, MAX_HOSTS_CHECKED)), timeout]);
    if (result === 'timeout') return [{ name: 'url-check-unavailable', weight: 0, detail: `no answer within ${timeoutMs} ms` }];
    if (result.length === 0) return [];
    return [{ name: 'url-blocklisted', weight: URL_BLOCKLISTED_WEIGHT, detail: result.slice(0, 5).map((r) => `${r.host} (${r.list})`).join(', ') }];
  } catch (err) {
    return [{ name: 'url-check-unavailable', weight: 0, detail: (err as Error).message ?? String(err) }];
  } finally {
    clearTimeout(timer);
  }
}
