// What every pipeline Lambda shares, built once per cold start: Powertools
// logger and metrics, the AWS stores from the environment the CDK app sets,
// and the PipelineDeps the core functions take (with the tenants' webhook
// notifier and the delivery transport, which carries abuse reports).
import type { ProblemLog } from '../../core/log.js';
import { systemClock, type Transport } from '../../core/ports.js';
import { withDeadline } from '../../core/delivery/attempt-deadline.js';
import { DEFAULT_PIPELINE_CONFIG, type PipelineDeps } from '../../core/pipeline/deps.js';
import { clientOptionsFromEnv, retentionSecondsFromEnv } from '../../adapters/aws/env.js';
import { openAwsStores, resourcesFromEnv, type AwsStores } from '../../adapters/aws/index.js';
import { webhookNotifier } from './webhook.js';
import { countingLocks } from './lock-metric.js';
import { logger } from './powertools.js';
import { deliveryTransport } from './transport.js';

export { logger, metrics } from './powertools.js';

let stores: AwsStores | undefined;

export function awsStores(): AwsStores {
  return (stores ??= openAwsStores(resourcesFromEnv(), clientOptionsFromEnv(), systemClock));
}

/** Handled problems (a failed webhook, a hold that could not be written) as Powertools error entries, with the invocation's context. */
export const problemLog: ProblemLog = { problem: (code, fields) => logger.error(code, fields) };

export interface StepLimits {
  /**
   * Epoch milliseconds by which each abuse report's send must be over (SES
   * and SMTP honour it alike). Without it a report in direct-MX mode has
   * nodemailer's limits, up to 10 minutes for the reply to DATA, and a
   * stalled abuse mailbox holds the Lambda until its timeout kills it. The
   * deliver Lambda passes reportDeadline (core/delivery/attempt-deadline.ts):
   * the invocation's end less 2 s. The reports are the step's last work, after
   * the results are written, so they may use whatever is left; a session that
   * no longer fits is not started and that report is not sent (reports are
   * never retried). Neither the attempt's deadline, which the attempt may have
   * used up, nor a fixed budget inside RESULTS_MARGIN_MS: what the webhook
   * leaves of those 15 s (it may take 9) holds one 5 s session, not three.
   * @default none: the transport's own limits
   */
  reportDeadline?: number;
}

/**
 * The deps of one pipeline step. The ARF reports of a lock leave through the
 * untagged delivery transport (lambdas/shared/transport.ts) in every step;
 * `transport` sends the step's mail: deliver passes the transport that tags
 * an SES send with its message id, the others send only reports. Every lock a
 * step sets is counted (the SenderLocked metric and a SENDER_LOCKED line
 * naming `step`) before its webhook goes out.
 */
export function pipelineDeps(step: 'score' | 'deliver' | 'feedback', transport: Transport = deliveryTransport(), limits: StepLimits = {}): PipelineDeps {
  const s = awsStores();
  const reports = deliveryTransport();
  return {
    clock: systemClock,
    config: { ...DEFAULT_PIPELINE_CONFIG, hostname: process.env.RELAY_HOSTNAME ?? DEFAULT_PIPELINE_CONFIG.hostname, retentionSeconds: retentionSecondsFromEnv() ?? DEFAULT_PIPELINE_CONFIG.retentionSeconds },
    spool: s.spool, tenants: s.tenants, messages: s.messages, senders: s.senders, suppressions: s.suppressions, campaigns: s.campaigns, intake: s.intake,
    scoreQueue: s.scoreQueue, deliverQueue: s.deliverQueue, transport,
    reportTransport: limits.reportDeadline === undefined ? reports : withDeadline(reports, limits.reportDeadline),
    notifier: countingLocks(webhookNotifier(), { step }), log: problemLog,
  };
}

/** Receives after which SQS moves a job to the DLQ (the queue's maxReceiveCount). */
export function maxReceives(): number {
  return Number(process.env.MAX_RECEIVES ?? 5);
}
