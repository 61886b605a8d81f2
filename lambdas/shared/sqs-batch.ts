// SQS batches through Powertools' BatchProcessor: each record is handled on
// its own; a record whose handler throws is reported in batchItemFailures and
// only it comes back (ReportBatchItemFailures on the event source mapping).
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logger, maxReceives, metrics } from './runtime.js';

export async function processSqsBatch(event: SQSEvent, context: Context, handleRecord: (record: SQSRecord) => Promise<void>): Promise<SQSBatchResponse> {
  const processor = new BatchProcessor(EventType.SQS);
  // A batch in which every record failed is reported like any other, not thrown:
  // the same records come back either way, and the response stays inspectable.
  return processPartialResponse(event, handleRecord, processor, { context, throwOnFullBatchFailure: false });
}

/** The job in a record body; a body that is not a JSON object with a messageId is a poison message. */
export function parseJob<J extends { messageId: string }>(record: SQSRecord): J {
  const job = JSON.parse(record.body) as J;
  if (!job || typeof job.messageId !== 'string') throw new Error(`record ${record.messageId} carries no messageId`);
  return job;
}

export function receiveCount(record: SQSRecord): number {
  return Number(record.attributes?.ApproximateReceiveCount ?? 1);
}

export interface FailedJob {
  /** The log event of the failure, e.g. SCORE_FAILED. */
  event: string;
  /** Holds the message in quarantine with the reason: where the tenant sees it, rather than in the DLQ. */
  hold: (err: unknown) => Promise<void>;
  /** The metric counted when a message is held. */
  heldMetric: string;
  /** A failure that must come back whatever the receive count (another invocation is running the job). */
  alwaysRetry?: boolean;
}

/**
 * A job's handler threw: log it, and throw again (SQS redelivers the record)
 * unless this was its last receive, where the message is held instead, so
 * nothing accepted waits in the DLQ unseen.
 */
export async function retryOrHold(record: SQSRecord, messageId: string, err: unknown, f: FailedJob): Promise<void> {
  logger.error(f.event, { messageId, receiveCount: receiveCount(record), error: err as Error });
  if (receiveCount(record) < maxReceives() || f.alwaysRetry) throw err;
  await f.hold(err);
  metrics.addMetric(f.heldMetric, MetricUnit.Count, 1);
}
