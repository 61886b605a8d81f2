// Tells a tenant what the sender policy did: a webhook event for every lock,
// throttle (a campaign throttles each of its senders) and unlock, and for a lock an ARF report (RFC 5965) of the
// offending messages to the tenant's abuse contact. The report is handed
// straight to the transport — the gateway never filters its own reports, so
// a report about spam can never be held as spam. Failures are logged, never
// thrown: a notification must not undo or delay the lock itself.
import type { Tenant } from '../model.js';
import type { MessageStore, Notifier, SpoolStore, Transport } from '../ports.js';
import type { Clock } from '../ports.js';
import { domainOf } from '../policy/sender-key.js';
import { buildArfReport } from './arf.js';
import { problemLogOf, type ProblemLog } from '../log.js';

export type SenderEventType = 'sender.locked' | 'sender.throttled' | 'sender.unlocked';

export interface SenderEvent {
  type: SenderEventType;
  sender: string;
  messageId?: string;
  detail: unknown;
}

export interface NotifyDeps {
  clock: Clock;
  /** Where a failed webhook or report is reported. @default stderr */
  log?: ProblemLog;
  notifier?: Notifier;
  transport?: Transport;
  spool?: SpoolStore;
  messages?: MessageStore;
  config?: { hostname: string };
}

/** ARF reports per lock at most: the first messages are evidence enough, a flood of reports is not. */
export const MAX_REPORTS_PER_LOCK = 3;

export async function notifySenderEvent(deps: NotifyDeps, tenant: Tenant, event: SenderEvent, reportMessageIds: string[]): Promise<void> {
  if (deps.notifier) {
    try {
      await deps.notifier.notify(tenant, event);
    } catch (err) {
      problemLogOf(deps).problem('NOTIFY_WEBHOOK_FAILED', { tenantId: tenant.id, type: event.type, error: String(err) });
    }
  }
  if (event.type === 'sender.locked' && reportMessageIds.length > 0) {
    try {
      await sendAbuseReports(deps, tenant, event, reportMessageIds.slice(0, MAX_REPORTS_PER_LOCK));
    } catch (err) {
      problemLogOf(deps).problem('NOTIFY_ABUSE_REPORT_FAILED', { tenantId: tenant.id, error: String(err) });
    }
  }
}

/** Sends one ARF report per message; returns how many went out. */
async function sendAbuseReports(deps: NotifyDeps, tenant: Tenant, event: SenderEvent, messageIds: string[]): Promise<number> {
  const to = tenant.settings.abuseContact;
  if (!to || !deps.transport || !deps.spool || !deps.messages) return 0;
  const hostname = deps.config?.hostname ?? 'relayguard.local';
  const reporter = `abuse-reports@${hostname}`;
  let sent = 0;
  for (const id of messageIds) {
    const m = await deps.messages.get(id);
    if (!m || m.tenantId !== tenant.id) continue;
    const raw = await deps.spool.get(m.spoolKey);
    const lockReason = (event.detail as { lock?: { reason?: string } } | undefined)?.lock?.reason ?? '';
    const report = buildArfReport({
      reporter, to, hostname, now: deps.clock.now(),
      explanation: [
        `Relayguard locked the sender <${event.sender}> of tenant ${tenant.name} and held this message.`,
        lockReason ? `Why: ${lockReason}` : '',
        'Nothing was lost: held messages wait in quarantine. Unlock the sender in the console or API once the account is safe.',
      ].filter(Boolean).join('\n'),
      original: { raw, mailFrom: m.envelope.mailFrom, rcptTo: m.envelope.rcptTo, arrivalDate: new Date(m.receivedAt), sourceIp: m.clientIp },
      reportedDomain: domainOf(m.envelope.mailFrom) || undefined,
    });
    const [result] = await deps.transport.send({ mailFrom: '', rcptTo: [to], raw: report });
    // A report is sent once, never retried (the lock and the held mail stand either way): one the abuse
    // mailbox refused or that could not be handed over (a 4xx, 5xx, no answer, out of time) is logged, not lost silently.
    if (result && (result.code < 200 || result.code >= 300)) {
      problemLogOf(deps).problem('NOTIFY_ABUSE_REPORT_FAILED', { tenantId: tenant.id, messageId: id, to, reply: result.reply });
      continue;
    }
    sent++;
  }
  return sent;
}
