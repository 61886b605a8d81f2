// Everything the pipeline's core functions need, as ports. The Lambda
// handlers (lambdas/) and the local runner (local/) each build one of these
// from their adapters and call the same functions in core/pipeline/.
import type {
  Clock, DeliverJob, Intake, JobQueue, MessageStore, Notifier, ScoreJob, SenderStore,
  SpoolStore, SuppressionStore, TenantStore, Transport, UrlReputation, VirusScanner,
} from '../ports.js';
import type { CampaignIndex } from '../reputation/ports.js';
import type { ReputationDeps } from '../reputation/types.js';
import type { ProblemLog } from '../log.js';

export interface PipelineConfig {
  /** How long 4xx-deferred mail is retried before it bounces with a DSN. @default 48 h */
  deliveryRetrySeconds: number;
  /** Hostname used in DSNs, Received headers and the SMTP greeting. */
  hostname: string;
  /** How long quarantined and rejected mail is kept. @default 30 days */
  retentionSeconds: number;
  /** Seconds between delivery attempts of deferred mail; the last value repeats. @default core/delivery/backoff.ts DEFAULT_BACKOFF_SECONDS (1 min rising to 4 h) */
  deliveryBackoffSeconds?: readonly number[];
}

export interface PipelineDeps {
  clock: Clock;
  config: PipelineConfig;
  spool: SpoolStore;
  tenants: TenantStore;
  messages: MessageStore;
  senders: SenderStore;
  intake: Intake;
  scoreQueue: JobQueue<ScoreJob>;
  deliverQueue: JobQueue<DeliverJob>;
  transport: Transport;
  /**
   * Sends mail that is none of the logged messages: the ARF abuse reports of
   * a lock decided in this step. On AWS the deliver function's `transport`
   * tags each SES send with the message it delivers, so SES events find that
   * message again; a report must not carry that tag.
   * @default transport
   */
  reportTransport?: Transport;
  virusScanner?: VirusScanner;
  urlReputation?: UrlReputation;
  notifier?: Notifier;
  /** Cross-sender, cross-tenant campaign index (core/reputation/ports.ts); without it campaigns are counted in the SenderStore and earlier senders are not throttled. */
  campaigns?: CampaignIndex;
  /** The tenants' suppression lists (core/suppression). @default none: every recipient is offered to the receiving server and hard bounces are not recorded */
  suppressions?: SuppressionStore;
  /** Where handled problems (failed webhooks, holds, outcome records) are reported. @default stderr */
  log?: ProblemLog;
}

/**
 * What the sender policy gets from a pipeline step: everything a lock decided
 * there needs — hold the sender's queued mail, post the webhook, and send the
 * ARF reports (spooled originals, the report transport, the hostname).
 */
export function reputationDeps(deps: PipelineDeps): ReputationDeps {
  return {
    clock: deps.clock, senders: deps.senders, tenants: deps.tenants, messages: deps.messages, spool: deps.spool,
    transport: deps.reportTransport ?? deps.transport, config: { hostname: deps.config.hostname },
    ...(deps.notifier ? { notifier: deps.notifier } : {}),
    ...(deps.campaigns ? { campaigns: deps.campaigns } : {}),
    ...(deps.log ? { log: deps.log } : {}),
  };
}

export const DEFAULT_PIPELINE_CONFIG: PipelineConfig = {
  deliveryRetrySeconds: 48 * 3600,
  hostname: 'relayguard.local',
  retentionSeconds: 30 * 86400,
};
