// A job queue on SQS. Only `send` is a port: on AWS the Lambda event source
// mapping receives, deletes on success and redrives to the DLQ, so the
// receiving side lives in lambdas/, not here.
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { JobQueue } from '../../core/ports.js';

/** SQS refuses a DelaySeconds above 15 minutes; longer backoffs are re-delayed by the handler. */
export const SQS_MAX_DELAY_SECONDS = 900;

export class SqsJobQueue<J> implements JobQueue<J> {
  constructor(private readonly sqs: SQSClient, readonly queueUrl: string) {}

  async send(job: J, delaySeconds = 0): Promise<void> {
    const delay = Math.max(0, Math.min(SQS_MAX_DELAY_SECONDS, Math.round(delaySeconds)));
    await this.sqs.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(job), DelaySeconds: delay }));
  }
}
