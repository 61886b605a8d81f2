// Feedback Lambda: SES events (bounce, complaint, delivery, reject) arrive
// through SNS; each is mapped to DeliveryFeedback and applied by core.
// A failure throws, and SNS retries the delivery to this function. When
// complaints lock a sender, the lock is counted (SenderLocked) and the tenant
// is told like after any lock: webhook, and an ARF report through the
// delivery transport.
import type { Context, SNSEvent } from 'aws-lambda';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { handleDeliveryFeedback } from '../core/pipeline/feedback.js';
import { feedbackFromSesEvent } from '../adapters/aws/ses-events.js';
import { reportDeadline } from '../core/delivery/attempt-deadline.js';
import { logger, metrics, pipelineDeps } from './shared/runtime.js';

export async function handler(event: SNSEvent, context: Context): Promise<{ applied: number; ignored: number }> {
  logger.addContext(context);
  // Abuse reports after a lock end before the invocation does (a stalled abuse mailbox must not run it past its timeout).
  const deps = pipelineDeps('feedback', undefined, { reportDeadline: reportDeadline(Date.now(), context.getRemainingTimeInMillis()) });
  let applied = 0;
  let ignored = 0;
  try {
    for (const record of event.Records) {
      const fb = feedbackFromSesEvent(record.Sns.Message);
      if (!fb) { ignored++; continue; }
      const outcome = await handleDeliveryFeedback(deps, fb);
      logger.info('FEEDBACK_APPLIED', { messageId: fb.messageId, kind: fb.kind, outcome });
      if (outcome === 'applied') {
        applied++;
        metrics.addMetric(`Feedback_${fb.kind}`, MetricUnit.Count, 1);
      } else ignored++;
    }
    return { applied, ignored };
  } finally {
    metrics.publishStoredMetrics();
  }
}
