// The ingress's count of the locks it sets itself (login evidence at AUTH):
// one SENDER_LOCKED line per new lock in the task's log. The stack turns
// those lines into the SenderLocked metric with a metric filter
// (cdk/constructs/ingress.ts), beside the Lambdas' own Powertools series, so
// the lockouts-per-hour alarm sees every lock. A log line, not a metric API
// call: no request on the SMTP path, and nothing lost when CloudWatch is
// slow. Every event then goes on to the tenant's notifier (the webhook).
import type { Notifier } from '../core/ports.js';
import { onSenderLocked } from '../core/notify/on-lock.js';

/** The fields the metric filter selects on (event) and takes its dimension from (service). */
export const LOCK_LINE = { event: 'SENDER_LOCKED', service: 'relayguard-ingress' } as const;

/** `log` writes one JSON line with `event` and the fields (ingress/aws-main.ts). */
export function loggingLocks(next: Notifier, log: (event: string, fields: Record<string, unknown>) => void): Notifier {
  return onSenderLocked(next, (tenant, sender) => log(LOCK_LINE.event, { service: LOCK_LINE.service, tenantId: tenant.id, sender }));
}
