// The writers of suppression entries from outside evidence: hard bounces
// seen by the deliver step (or reported by SES), and complaints from SES
// feedback. The first entry for an address stands: its reason and date are
// what the tenant sees, and a later bounce or complaint adds nothing to
// "do not send". Only the tenant removes an entry.
import type { MessageRecord, SuppressionEntry, SuppressionReason } from '../model.js';
import type { Clock, RecipientResult, SuppressionStore } from '../ports.js';
import { suppressionKey } from './address.js';
import { suppressionFor } from './rules.js';

export interface SuppressionDeps {
  clock: Clock;
  suppressions: SuppressionStore;
}

/** Remote replies can be long and multi-line: one line, bounded, is enough to explain an entry. */
function boundedDetail(text: string, max = 1000): string {
  const flat = text.replace(/[\r\n]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}...` : flat;
}

/** Adds an entry unless the address already has one; the first entry stands (`added` tells which). */
export async function addIfAbsent(
  deps: SuppressionDeps,
  input: { tenantId: string; address: string; reason: SuppressionReason; detail: string; messageId?: string },
): Promise<{ entry: SuppressionEntry; added: boolean }> {
  const address = suppressionKey(input.address);
  const existing = await deps.suppressions.get(input.tenantId, address);
  if (existing) return { entry: existing, added: false };
  const entry: SuppressionEntry = {
    tenantId: input.tenantId,
    address,
    reason: input.reason,
    detail: boundedDetail(input.detail),
    ...(input.messageId ? { messageId: input.messageId } : {}),
    createdAt: deps.clock.now().toISOString(),
  };
  // The look-up above spares a write in the common case; the store decides between concurrent writers.
  return deps.suppressions.put(entry);
}

/**
 * After a delivery attempt: every recipient whose reply says the address is
 * dead (core/suppression/rules.ts) is suppressed for the message's tenant.
 * Advisory for the deliver step, which must not repeat an attempt because of
 * it: errors are returned, never thrown.
 */
export async function recordHardBounces(
  deps: { clock: Clock; suppressions?: SuppressionStore },
  record: Pick<MessageRecord, 'id' | 'tenantId'>,
  results: RecipientResult[],
): Promise<{ added: SuppressionEntry[]; error?: unknown }> {
  const store = deps.suppressions;
  const added: SuppressionEntry[] = [];
  if (!store) return { added };
  try {
    for (const r of results) {
      if (!suppressionFor(r.code, r.reply).suppress) continue;
      const out = await addIfAbsent({ clock: deps.clock, suppressions: store },
        { tenantId: record.tenantId, address: r.rcpt, reason: 'hard-bounce', detail: r.reply, messageId: record.id });
      if (out.added) added.push(out.entry);
    }
    return { added };
  } catch (error) {
    return { added, error };
  }
}

/**
 * A hard bounce reported after the fact (SES bounce events on AWS): the
 * same rules as for the deliver step's own replies. `reply` is the remote
 * reply, e.g. SES's diagnosticCode without its "smtp; " prefix.
 * Returns the entry when the reply suppresses the address.
 */
export async function recordBounce(
  deps: SuppressionDeps,
  input: { tenantId: string; address: string; messageId?: string; reply: string },
): Promise<SuppressionEntry | undefined> {
  const reply = input.reply.replace(/^smtp;\s*/i, '');
  const code = Number(/^\s*(\d{3})\b/.exec(reply)?.[1] ?? 0);
  if (!suppressionFor(code, reply).suppress) return undefined;
  return (await addIfAbsent(deps, { ...input, reason: 'hard-bounce', detail: reply })).entry;
}

/**
 * A recipient complained (SES complaint feedback, an ARF report): never mail
 * them again. Called by the AWS feedback Lambda; returns the entry in force.
 */
export async function recordComplaint(
  deps: SuppressionDeps,
  input: { tenantId: string; address: string; messageId?: string; detail: string },
): Promise<SuppressionEntry> {
  return (await addIfAbsent(deps, { ...input, reason: 'complaint', detail: input.detail || 'complaint' })).entry;
}
