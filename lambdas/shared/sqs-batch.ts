// SQS batches through Powertools' BatchProcessor: each record is handled on
// its own; a record whose handler throws is reported in batchItemFailures and
// only it comes back (ReportBatchItemFailures on the event source mapping).
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

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
