// Score Lambda: SQS score jobs → core handleScoreJob, one record at a time,
// failures reported per record. On its last receive a job that still fails
// holds its message in quarantine with the reason (nothing accepted is lost);
// a body without a message id goes on to the DLQ.
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { ScoreJob } from '../core/ports.js';
import { handleScoreJob, holdAfterScoringFailure } from '../core/pipeline/score.js';
import { reportDeadline } from '../core/delivery/attempt-deadline.js';
import { logger, metrics, pipelineDeps } from './shared/runtime.js';
import { parseJob, processSqsBatch, retryOrHold } from './shared/sqs-batch.js';

export async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  logger.addContext(context);
  // Abuse reports after a lock end before the invocation does (a stalled abuse mailbox must not run it past its timeout).
  const deps = pipelineDeps('score', undefined, { reportDeadline: reportDeadline(Date.now(), context.getRemainingTimeInMillis()) });
  try {
    return await processSqsBatch(event, context, async (record: SQSRecord) => {
      const job = parseJob<ScoreJob>(record);
      try {
        await handleScoreJob(deps, job);
        metrics.addMetric('MessagesScored', MetricUnit.Count, 1);
      } catch (err) {
        await retryOrHold(record, job.messageId, err, { event: 'SCORE_FAILED', hold: (e) => holdAfterScoringFailure(deps, job.messageId, e), heldMetric: 'ScoringHeld' });
      }
    });
  } finally {
    metrics.publishStoredMetrics();
  }
}
