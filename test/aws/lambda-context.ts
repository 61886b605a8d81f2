// Test factories for what the Lambda runtime hands a handler: a context and
// SQS/SNS events built from real SQS messages (the event source mapping's job).
import type { Context, SNSEvent, SQSEvent } from 'aws-lambda';
import { DeleteMessageCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';

let n = 0;
export function lambdaContext(functionName = 'relayguard-test'): Context {
  const id = `req-${++n}`;
  return {
    callbackWaitsForEmptyEventLoop: false, functionName, functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`, memoryLimitInMB: '512',
    awsRequestId: id, logGroupName: `/aws/lambda/${functionName}`, logStreamName: 'test',
    getRemainingTimeInMillis: () => 60_000, done: () => {}, fail: () => {}, succeed: () => {},
  };
}

/** Receives up to 10 messages, as the event source mapping would (bounded wait). */
export async function receiveBatch(sqs: SQSClient, queueUrl: string, want: number): Promise<Message[]> {
  const got: Message[] = [];
  for (let i = 0; i < 20 && got.length < want; i++) {
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageSystemAttributeNames: ['All'] }));
    got.push(...(out.Messages ?? []));
    if (got.length < want) await new Promise((r) => setTimeout(r, 50));
  }
  return got;
}

export function sqsEvent(messages: Message[], queueArn = 'arn:aws:sqs:us-east-1:000000000000:queue'): SQSEvent {
  return {
    Records: messages.map((m) => ({
      messageId: m.MessageId!, receiptHandle: m.ReceiptHandle!, body: m.Body ?? '',
      attributes: {
        ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1', SentTimestamp: m.Attributes?.SentTimestamp ?? String(Date.now()),
        SenderId: 'test', ApproximateFirstReceiveTimestamp: String(Date.now()),
      },
      messageAttributes: {}, md5OfBody: m.MD5OfBody ?? '', eventSource: 'aws:sqs', eventSourceARN: queueArn, awsRegion: 'us-east-1',
    })),
  };
}

/** What the event source mapping does with a handler's answer: delete every record not reported as failed. */
export async function acknowledge(sqs: SQSClient, queueUrl: string, messages: Message[], failed: string[]): Promise<void> {
  for (const m of messages) {
    if (!failed.includes(m.MessageId!)) await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle! }));
  }
}

export function snsEvent(messages: unknown[]): SNSEvent {
  return {
    Records: messages.map((m, i) => ({
      EventSource: 'aws:sns', EventVersion: '1.0', EventSubscriptionArn: 'arn:aws:sns:us-east-1:000000000000:feedback:sub',
      Sns: {
        Type: 'Notification', MessageId: `sns-${i}`, TopicArn: 'arn:aws:sns:us-east-1:000000000000:feedback', Subject: '',
        Message: JSON.stringify(m), Timestamp: new Date().toISOString(), SignatureVersion: '1', Signature: '', SigningCertUrl: '',
        UnsubscribeUrl: '', MessageAttributes: {},
      },
    })),
  };
}
