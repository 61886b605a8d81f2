// Intake on AWS: the message record goes to DynamoDB first, then the score
// job to SQS; the ingress says 250 only after both resolve. If the SQS send
// fails after the put, the client gets a 4xx and retries, and the orphaned
// record stays visible as `accepted` in the log (never silently lost).
import type { Intake, JobQueue, MessageStore, ScoreJob } from '../../core/ports.js';
import type { MessageRecord } from '../../core/model.js';

export class DynamoSqsIntake implements Intake {
  constructor(private readonly messages: MessageStore, private readonly scoreQueue: JobQueue<ScoreJob>) {}

  async accept(record: MessageRecord): Promise<void> {
    await this.messages.put(record);
    await this.scoreQueue.send({ messageId: record.id });
  }
}
