// Counts the locks core sets (its `sender.locked` notification, sent once per
// new lock): the SenderLocked metric behind the lockouts-per-hour alarm and a
// SENDER_LOCKED warning, without core knowing about metrics. Every event then
// goes on to the tenant's notifier (the webhook).
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Notifier } from '../../core/ports.js';
import { onSenderLocked } from '../../core/notify/on-lock.js';
import { logger, metrics } from './powertools.js';

/** `logFields` are added to the SENDER_LOCKED line (e.g. the step that locked). */
export function countingLocks(next: Notifier, logFields: Record<string, unknown> = {}): Notifier {
  return onSenderLocked(next, (_tenant, sender) => {
    metrics.addMetric('SenderLocked', MetricUnit.Count, 1);
    logger.warn('SENDER_LOCKED', { sender, ...logFields });
  });
}
