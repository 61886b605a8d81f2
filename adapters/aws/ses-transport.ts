// Delivery through Amazon SES (SESv2 SendEmail with raw content). SES takes
// the whole message for every recipient at once, so every recipient gets the
// same result. The SES message id is kept in the reply: bounce and complaint
// events name it, and the `relayguard-message` tag lets the feedback Lambda
// find our record without a lookup index.
//
// A deadline in the message (the deliver Lambda's) bounds the sends as it
// bounds an SMTP session: no SendEmail starts with less than `minSessionMs`
// left, and each one is aborted when the deadline passes, whatever the SDK's
// own timeouts and retries would do. The recipients are then deferred with
// core/delivery/attempt-deadline.ts's replies: not sent when their send was
// never made, outcome unknown when the request was under way (SES may have
// taken it; the retry may send it twice, but nothing is lost).
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { AwsClientOptions } from './clients.js';
import { sdkConfig } from './sdk-config.js';
import type { OutboundMessage, RecipientResult, Transport } from '../../core/ports.js';
import { mayStartSession, outOfTime } from '../../core/delivery/attempt-deadline.js';
import { timerToDeadline } from '../transport/deadline.js';

export const MESSAGE_TAG = 'relayguard-message';

/** SES takes at most 50 recipients per send; a message to more (the ingress allows 100) goes out in several sends. */
export const SES_MAX_RECIPIENTS = 50;

/** SES error names that mean "try again later" rather than "this message will never go". */
const TEMPORARY = new Set([
  'TooManyRequestsException', 'LimitExceededException', 'SendingPausedException', 'AccountSuspendedException',
  'InternalFailure', 'ServiceUnavailable', 'ThrottlingException', 'TimeoutError',
]);

export interface SesTransportOptions {
  /** The configuration set whose event destination feeds the feedback Lambda. */
  configurationSetName?: string;
  /** Our message id, tagged onto the send so SES events can be matched back. */
  messageId?: string;
  /** With a deadline, no SendEmail (one batch of recipients) starts with less than this left. @default MIN_SESSION_MS, 5 s */
  minSessionMs?: number;
}

/** What the results name as the next hop. */
const SES_HOP = 'ses';

export class SesTransport implements Transport {
  constructor(private readonly ses: SESv2Client, private readonly opts: SesTransportOptions = {}) {}

  /** The same transport, tagged with one message's id (the deliver Lambda makes one per job). */
  forMessage(messageId: string): SesTransport {
    return new SesTransport(this.ses, { ...this.opts, messageId });
  }

  async send(message: OutboundMessage): Promise<RecipientResult[]> {
    const results: RecipientResult[] = [];
    const { deadline } = message;
    for (let i = 0; i < message.rcptTo.length; i += SES_MAX_RECIPIENTS) {
      const batch = message.rcptTo.slice(i, i + SES_MAX_RECIPIENTS);
      if (!mayStartSession(deadline, Date.now(), this.opts.minSessionMs)) {
        results.push(...batch.map((rcpt) => outOfTime(rcpt, 'not-sent', SES_HOP)));
        continue;
      }
      results.push(...await this.sendOnce({ ...message, rcptTo: batch }));
    }
    return results;
  }

  /** One SendEmail for at most SES_MAX_RECIPIENTS recipients; each gets the same result. */
  private async sendOnce(message: OutboundMessage): Promise<RecipientResult[]> {
    const all = (code: number, reply: string) => message.rcptTo.map((rcpt) => ({ rcpt, code, reply, mx: SES_HOP }));
    // The SDK gives up its retries and the request when the signal fires; send() checked that time is left.
    const delay = timerToDeadline(message.deadline);
    const signal = delay === undefined ? undefined : AbortSignal.timeout(Math.max(1, delay));
    try {
      const out = await this.ses.send(new SendEmailCommand({
        ...(message.mailFrom ? { FromEmailAddress: message.mailFrom } : {}),
        Destination: { ToAddresses: message.rcptTo },
        Content: { Raw: { Data: message.raw } },
        ...(this.opts.configurationSetName ? { ConfigurationSetName: this.opts.configurationSetName } : {}),
        ...(this.opts.messageId ? { EmailTags: [{ Name: MESSAGE_TAG, Value: tagValue(this.opts.messageId) }] } : {}),
      }), signal ? { abortSignal: signal } : {});
      return all(250, `250 2.0.0 accepted by SES as ${out.MessageId ?? 'unknown'}`);
    } catch (err) {
      const name = (err as { name?: string }).name ?? 'Error';
      const text = (err as Error).message ?? String(err);
      const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      // Cut off by the deadline with no answer from SES: the request was made, so whether SES took it is unknown.
      if (signal?.aborted && status === undefined) return message.rcptTo.map((rcpt) => outOfTime(rcpt, 'outcome-unknown', SES_HOP));
      if (TEMPORARY.has(name) || status === undefined || status >= 500) return all(451, `451 4.4.2 SES ${name}: ${text}`);
      return all(554, `554 5.7.1 SES ${name}: ${text}`);
    }
  }
}

/** The SES client, pointed at an emulator when `endpoints.ses` is set. */
export function createSesClient(opts: AwsClientOptions = {}): SESv2Client {
  return new SESv2Client(sdkConfig(opts, opts.endpoints?.ses));
}

/** SES tag values allow letters, digits, '_', '-', '.', '@' only. */
function tagValue(v: string): string {
  return v.replace(/[^A-Za-z0-9_.@-]/g, '_').slice(0, 256);
}
