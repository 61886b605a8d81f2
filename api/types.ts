// The API's transport-free contract. The node:http adapter (local/http-server.ts)
// and the API Gateway Lambda each turn their request into an ApiRequest and
// write the ApiResponse back; everything in between is the same code.
import type { ProblemLog } from '../core/log.js';
import type { Clock, DeliverJob, JobQueue, MessageStore, Notifier, SenderStore, SpoolStore, SuppressionStore, TenantStore } from '../core/ports.js';

export interface ApiRequest {
  method: string;
  /** The path as sent, percent-encoded (e.g. /v1/users/alice%40example.com); the router decodes each segment. No query string. */
  path: string;
  query: Record<string, string>;
  /** Header names in any case; the API looks them up case-insensitively. */
  headers: Record<string, string | undefined>;
  /** The parsed JSON body, or undefined when there is none. A malformed body is the adapter's 400. */
  body: unknown;
}

export interface ApiResponse {
  status: number;
  /** Always carries content-type when there is a body. */
  headers: Record<string, string>;
  /** JSON-serialisable, or undefined for no body (204). */
  body: unknown;
}

export interface ApiDeps {
  clock: Clock;
  tenants: TenantStore;
  messages: MessageStore;
  senders: SenderStore;
  spool: SpoolStore;
  deliverQueue: JobQueue<DeliverJob>;
  /** sha256 hex of the operator token (core/tenants/password.ts hashToken). */
  operatorTokenHash: string;
  /** Public SMTP host name tenants configure their servers with; shown in /v1/me and used in SPF hints. */
  smtpHost: string;
  /** The port the submission server listens on. */
  smtpPort: number;
  /** The port tenants should configure, when it differs from smtpPort (a NAT or load balancer in front); shown in /v1/me and /v1/settings. @default smtpPort */
  publicSmtpPort?: number;
  /** Tells tenants' webhooks about manual locks and unlocks. @default no notifications */
  notifier?: Notifier;
  /** Where handled problems (a failed webhook) are reported. @default stderr */
  log?: ProblemLog;
  /** The tenants' suppression lists (GET/POST/DELETE /v1/suppressions). @default none: those routes answer 404 */
  suppressions?: SuppressionStore;
  /** The key a tenant's webhook deliveries are signed with, shown in its settings. Absent: not shown. */
  webhookSecretFor?: (tenantId: string) => string | Promise<string>;
  /** Why a webhook URL can never be reached from this deployment (an address the notifier refuses), or undefined. Absent: not checked. */
  webhookRefusal?: (url: string) => string | undefined;
  /** Unexpected errors (500s) are reported here. @default console.error */
  onError?: (err: unknown, req: ApiRequest) => void;
}

export type Api = (req: ApiRequest) => Promise<ApiResponse>;
