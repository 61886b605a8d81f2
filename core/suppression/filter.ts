// The check before sending: recipients on the tenant's suppression list are
// not offered to the receiving server. They bounce here, with a reply that
// says why and since when, and go into the DSN like any other failed
// recipient: the sender learns the mail was not sent, as SES does it. No
// storm: one DSN per message and attempt, never one to the null sender.
import type { RecipientStatus, SuppressionEntry } from '../model.js';
import type { SuppressionStore } from '../ports.js';
import { enhancedStatus } from '../delivery/bounce-rules.js';
import { isPending } from '../delivery/recipients.js';
import { suppressionKey } from './address.js';

export interface SuppressionCheck {
  recipients: RecipientStatus[];
  /** Recipients this check bounced (they go into the DSN). */
  bounced: RecipientStatus[];
}

/**
 * The enhanced status the DSN reports (core/delivery/dsn.ts reads it from
 * the reply): the original one for a hard bounce, 5.7.1 "delivery not
 * authorized" for a complaint or a tenant's own entry.
 */
function statusOf(entry: SuppressionEntry): string {
  const own = entry.reason === 'hard-bounce' ? enhancedStatus(entry.detail) : undefined;
  if (own?.startsWith('5.')) return own;
  return entry.reason === 'hard-bounce' ? '5.1.1' : '5.7.1';
}

/** The reply recorded on the message for a suppressed recipient: "suppressed: <reason> since <date> (<status>)". */
export function suppressedReply(entry: SuppressionEntry): string {
  return `suppressed: ${entry.reason} since ${entry.createdAt} (${statusOf(entry)})`;
}

/**
 * Marks the pending recipients that are on the tenant's list as bounced.
 * A store that cannot answer throws: the deliver job runs again later, it
 * never sends on a check it could not make.
 */
export async function applySuppressions(
  deps: { suppressions?: SuppressionStore },
  tenantId: string,
  recipients: RecipientStatus[],
): Promise<SuppressionCheck> {
  const store = deps.suppressions;
  if (!store || !recipients.some(isPending)) return { recipients, bounced: [] };
  const entries = await Promise.all(recipients.map((r) => (isPending(r) ? store.get(tenantId, suppressionKey(r.rcpt)) : undefined)));
  const bounced: RecipientStatus[] = [];
  const next = recipients.map((r, i) => {
    const entry = entries[i];
    if (!entry) return r;
    // Not an attempt: attempts and lastAttemptAt stay as they were, and no mx took part.
    const updated: RecipientStatus = { ...r, state: 'bounced', reply: suppressedReply(entry) };
    delete updated.mx;
    bounced.push(updated);
    return updated;
  });
  return { recipients: next, bounced };
}
