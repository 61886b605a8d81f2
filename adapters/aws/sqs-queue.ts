// A job queue on SQS. Only `send` is a port: on AWS the Lambda event source
// mapping receives, deletes on success and redrives to the DLQ, so the
// receiving side lives in lambdas/, not here.
//
// SQS delays a message by at most 15 minutes, while delivery backoff grows to
// hours. A longer delay is carried in the body as `notBefore` (epoch ms); the
// handler that receives such a job early hands it back with `deferIfEarly`
// instead of running it, so the schedule core asked for is kept.
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { systemClock, type Clock, type JobQueue } from '../../core/ports.js';

export const SQS_MAX_DELAY_SECONDS = 900;

/** The field added to a job body that must not run before a time (epoch milliseconds). */
export const NOT_BEFORE = 'notBefore';

export class SqsJobQueue<J> implements JobQueue<J> {
  constructor(private readonly sqs: SQSClient, readonly queueUrl: string, private readonly clock: Clock = systemClock) {}

  async send(job: J, delaySeconds = 0): Promise<void> {
    const wanted = Math.max(0, Math.round(delaySeconds));
    const { [NOT_BEFORE]: _old, ...plain } = job as J & { [NOT_BEFORE]?: number };
    const body = wanted > SQS_MAX_DELAY_SECONDS ? { ...plain, [NOT_BEFORE]: this.clock.now().getTime() + wanted * 1000 } : plain;
    await this.sqs.send(new SendMessageCommand({
      QueueUrl: this.queueUrl, MessageBody: JSON.stringify(body), DelaySeconds: Math.min(SQS_MAX_DELAY_SECONDS, wanted),
    }));
  }
}

/**
 * For a job that arrived before its `notBefore`: sends it again for the time
 * still to wait and returns true (the caller acknowledges the record and does
 * nothing else); false when the job is due.
 */
export async function deferIfEarly<J extends object>(queue: JobQueue<J>, job: J, clock: Clock = systemClock): Promise<boolean> {
  const notBefore = (job as { [NOT_BEFORE]?: unknown })[NOT_BEFORE];
  if (typeof notBefore !== 'number') return false;
  // A few seconds early is due: SQS timers are not exact.
  const waitSeconds = Math.ceil((notBefore - clock.now().getTime()) / 1000);
  if (waitSeconds <= 5) return false;
  await queue.send(job, waitSeconds);
  return true;
}
