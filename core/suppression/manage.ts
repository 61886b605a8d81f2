// A tenant's own view of its suppression list: search it, add an address by
// hand, take one off (the next message to it is offered to the receiving
// server again). Addresses are scoped to the tenant, so another tenant's
// entries are simply not there.
import { DomainError } from '../errors.js';
import type { SuppressionEntry } from '../model.js';
import type { SuppressionQuery } from '../ports.js';
import { parseSuppressionAddress } from './address.js';
import { addIfAbsent, type SuppressionDeps } from './record.js';

export async function listSuppressions(
  deps: Pick<SuppressionDeps, 'suppressions'>,
  tenantId: string,
  query: SuppressionQuery,
): Promise<{ items: SuppressionEntry[]; cursor?: string }> {
  const q = query.query?.trim().toLowerCase();
  return deps.suppressions.list(tenantId, { limit: query.limit, ...(q ? { query: q } : {}), ...(query.cursor ? { cursor: query.cursor } : {}) });
}

/**
 * Adds a manual entry. An address already on the list keeps its entry (its
 * reason and date say more than "added again"): `created` tells which.
 */
export async function addSuppression(
  deps: SuppressionDeps,
  tenantId: string,
  input: string,
  note?: string,
): Promise<{ entry: SuppressionEntry; created: boolean }> {
  const address = parseSuppressionAddress(input);
  const { entry, added } = await addIfAbsent(deps, { tenantId, address, reason: 'manual', detail: note?.trim() ? note : 'added by the tenant' });
  return { entry, created: added };
}

/** Takes an address off the list; NOT_FOUND when it was not on it. */
export async function removeSuppression(deps: Pick<SuppressionDeps, 'suppressions'>, tenantId: string, input: string): Promise<void> {
  const address = parseSuppressionAddress(input);
  if (!(await deps.suppressions.delete(tenantId, address))) {
    throw new DomainError('NOT_FOUND', `${address} is not on the suppression list`);
  }
}
