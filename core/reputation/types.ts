// The ports the reputation entry points use. A pipeline step builds them with
// reputationDeps (core/pipeline/deps.ts: the report transport in place of the
// delivery one); FeedbackDeps satisfies them as it is. Everything past clock
// and senders is optional so the ingress can call with less and tests can
// leave parts out.
import type { Identity, LockState, Signal, Tenant } from '../model.js';
import type { Clock, MessageStore, Notifier, SenderStore, SpoolStore, TenantStore, Transport } from '../ports.js';
import type { CampaignIndex } from './ports.js';
import type { ProblemLog } from '../log.js';

export interface ReputationDeps {
  clock: Clock;
  senders: SenderStore;
  /** Cross-sender campaign index; without it campaigns are counted per hour in the SenderStore (no member list to throttle). */
  campaigns?: CampaignIndex;
  /** Password rotation checks (unlock) and the tenant of a campaign member. */
  tenants?: Pick<TenantStore, 'getUser' | 'getTenant'>;
  /** To hold a locked sender's mail still in the pipeline. */
  messages?: MessageStore;
  /** Webhook to the tenant. */
  notifier?: Notifier;
  /** The abuse report e-mail goes straight to the transport: the gateway never filters its own reports. */
  transport?: Transport;
  spool?: SpoolStore;
  config?: { hostname: string };
  /** Where handled problems are reported. @default stderr */
  log?: ProblemLog;
}

export interface SenderContext {
  tenant: Tenant;
  sender: string;
  clientIp: string;
  identity: Identity;
}

export interface SenderAssessment {
  /** Behaviour signals; their weights add to the verdict score (core/verdict.ts decideVerdict, called by core/pipeline/score.ts). */
  signals: Signal[];
  /** Set when this message caused (or found) a lock: the message is held. */
  locked?: LockState;
  /** Set when this message put the sender under a throttle (4xx at MAIL FROM until then). */
  throttledUntil?: string;
  /** The sender's decayed risk after this message, and what a lock needs. */
  risk?: number;
  /** Monitor-only tenant: the lock that would have been set. */
  wouldLock?: string;
}

export interface LoginAttempt {
  tenantId: string;
  username: string;
  clientIp: string;
  success: boolean;
  /** A fingerprint of the TLS client hello (cipher list, extensions), when the ingress has one. */
  tlsClient?: string;
}

export interface FeedbackEvent {
  tenantId: string;
  sender: string;
  messageId: string;
  type: 'bounce' | 'complaint';
  recipients: string[];
  /**
   * The provider's id of this event, the same on every redelivery of it (SES:
   * the bounce's or complaint's feedback id). With it the event moves the
   * counters and adds its ledger entries once, however often it is recorded.
   * @default none: every call counts (callers whose events are never redelivered, the simulation)
   */
  eventId?: string;
}
