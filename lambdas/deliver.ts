// Deliver Lambda: SQS deliver jobs → core handleDeliverJob through SES or
// direct MX, failures reported per record. Each job runs at most once to
// completion: Powertools idempotency records the job (message id + attempt)
// in the idempotency table, so a redelivered SQS message that already
// finished returns without sending, and a concurrent duplicate fails fast
// and retries later. A sender that delivery results lock (many unknown
// recipients) is reported like a lock at scoring time: webhook, and ARF
// reports through the untagged delivery transport (pipelineDeps) — the
// per-message transport tags SES sends with the message id, which a report
// must not carry. A job still failing on its last receive holds its message
// in quarantine with the reason, as the score Lambda does.
// Every attempt has a deadline: the time the invocation has left, less
// RESULTS_MARGIN_MS for recording the results. A session the Lambda's timeout
// killed would come back from SQS unrecorded, and be sent twice if the
// receiver already had it; one cut at the deadline is recorded as a deferral.
// The ARF reports of a lock on the replies come last and get what is left of
// the invocation, less CLOSING_MARGIN_MS (reportDeadline).
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { IdempotencyAlreadyInProgressError, IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { DeliverJob, Transport } from '../core/ports.js';
import { handleDeliverJob, holdAfterDeliveryFailure } from '../core/pipeline/deliver.js';
import { attemptDeadline, reportDeadline } from '../core/delivery/attempt-deadline.js';
import { clientOptionsFromEnv } from '../adapters/aws/env.js';
import { sdkConfig } from '../adapters/aws/sdk-config.js';
import { deferIfEarly } from '../adapters/aws/sqs-queue.js';
import { awsStores, logger, metrics, pipelineDeps } from './shared/runtime.js';
import { parseJob, processSqsBatch, retryOrHold } from './shared/sqs-batch.js';
import { transportForMessage } from './shared/transport.js';

const idempotencyConfig = new IdempotencyConfig({
  // A finished job is remembered for a day, far longer than any SQS redelivery.
  expiresAfterSeconds: 24 * 3600,
});

/** The invocation's time, as epoch milliseconds: the attempt's deadline and that of the abuse reports after it. */
interface Deadlines {
  attempt: number;
  reports: number;
}

let deliverOnce: ((job: DeliverJob, transport: Transport, deadlines: Deadlines) => Promise<boolean>) | undefined;

function idempotentDeliver() {
  if (deliverOnce) return deliverOnce;
  const opts = clientOptionsFromEnv();
  const persistence = new DynamoDBPersistenceLayer({
    tableName: process.env.IDEMPOTENCY_TABLE ?? 'relayguard-idempotency',
    clientConfig: sdkConfig(opts, opts.endpoints?.dynamodb),
  });
  // Only the job (the first argument) is the idempotency key.
  deliverOnce = makeIdempotent(
    async (job: DeliverJob, transport: Transport, deadlines: Deadlines): Promise<boolean> => {
      await handleDeliverJob(pipelineDeps('deliver', transport, { reportDeadline: deadlines.reports }), job, { deadline: deadlines.attempt });
      return true;
    },
    { persistenceStore: persistence, config: idempotencyConfig },
  );
  return deliverOnce;
}

export async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  logger.addContext(context);
  idempotencyConfig.registerLambdaContext(context);
  const run = idempotentDeliver();
  try {
    return await processSqsBatch(event, context, async (record: SQSRecord) => {
      const job = parseJob<DeliverJob>(record);
      // A backoff longer than SQS can delay: not due yet, so back on the queue for the rest of the wait.
      if (await deferIfEarly(awsStores().deliverQueue, job)) return;
      try {
        const now = Date.now();
        const remaining = context.getRemainingTimeInMillis();
        await run(job, transportForMessage(job.messageId), { attempt: attemptDeadline(now, remaining), reports: reportDeadline(now, remaining) });
      } catch (err) {
        return retryOrHold(record, job.messageId, err, {
          event: 'DELIVER_FAILED', hold: (e) => holdAfterDeliveryFailure(pipelineDeps('deliver'), job.messageId, e), heldMetric: 'DeliveryHeld',
          // Another invocation is running this very job: never hold a message that is being delivered.
          alwaysRetry: err instanceof IdempotencyAlreadyInProgressError,
        });
      }
      metrics.addMetric('DeliveryAttempts', MetricUnit.Count, 1);
    });
  } finally {
    metrics.publishStoredMetrics();
  }
}
