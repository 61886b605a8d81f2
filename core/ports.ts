// The ports: every piece of I/O core needs, as interfaces. adapters/local
// (spool folder + SQLite) and adapters/aws (S3, SQS, DynamoDB, SES) each
// implement all of them; test/contract runs one suite against both.
import type { CampaignIndex, KnownRecipientStore, MessageCounterStore } from './reputation/ports.js';
import type {
  DomainRecord,
  IpUser,
  LockState,
  MessageRecord,
  SenderRecord,
  SmtpUser,
  SuppressionEntry,
  Tenant,
  VerdictRecord,
} from './model.js';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** Raw message bodies. `put` resolves only once the bytes are durable. */
export interface SpoolStore {
  put(key: string, body: AsyncIterable<Uint8Array>): Promise<{ size: number }>;
  get(key: string): Promise<Buffer>;
  delete(key: string): Promise<void>;
}

export interface TenantStore {
  createTenant(tenant: Tenant): Promise<void>;
  getTenant(id: string): Promise<Tenant | undefined>;
  getTenantByTokenHash(tokenHash: string): Promise<Tenant | undefined>;
  listTenants(): Promise<Tenant[]>;
  /**
   * Read-modify-write of one tenant, atomic against every other writer:
   * `change` gets the tenant as stored and returns the new record. When
   * another write lands in between, the store runs `change` again on the
   * fresh record (so `change` must only compute; what it throws propagates
   * and nothing is written). Two writers of different fields (a settings
   * change, a token rotation) therefore both stand. Resolves to the record
   * written, or undefined when there is no such tenant; DomainError CONFLICT
   * when the record kept changing for every one of a bounded number of tries.
   */
  changeTenant(id: string, change: (current: Tenant) => Tenant): Promise<Tenant | undefined>;
  /** Replaces the stored tenant with `tenant` whole (nothing when absent): last writer wins. Changes of one field go through changeTenant. */
  updateTenant(tenant: Tenant): Promise<void>;

  /** Fails with DomainError DOMAIN_TAKEN when any tenant has the domain already. */
  createDomain(domain: DomainRecord): Promise<void>;
  getDomain(domain: string): Promise<DomainRecord | undefined>;
  listDomains(tenantId: string): Promise<DomainRecord[]>;
  /** Every tenant's registered domains strictly under `domain` (a.b.example under b.example), for the overlap check when one is added. */
  listDomainsUnder(domain: string): Promise<DomainRecord[]>;
  deleteDomain(tenantId: string, domain: string): Promise<boolean>;

  /** Fails with DomainError USER_EXISTS when the username is taken. */
  createUser(user: SmtpUser): Promise<void>;
  getUser(username: string): Promise<SmtpUser | undefined>;
  listUsers(tenantId: string): Promise<SmtpUser[]>;
  updateUser(user: SmtpUser): Promise<void>;
  deleteUser(tenantId: string, username: string): Promise<boolean>;

  /** Fails with DomainError QUOTA_EXCEEDED past `quota` (checked atomically). */
  createIpUser(ipUser: IpUser, quota: number): Promise<void>;
  listIpUsers(tenantId: string): Promise<IpUser[]>;
  /** Every tenant's IP users: the ingress matches connecting addresses against them. */
  listAllIpUsers(): Promise<IpUser[]>;
  deleteIpUser(tenantId: string, id: string): Promise<boolean>;
}

export interface MessageQuery {
  sender?: string;
  verdict?: string;
  status?: string;
  recipient?: string;
  subject?: string;
  /** ISO times bounding receivedAt. */
  since?: string;
  until?: string;
  limit?: number;
  /** Opaque cursor from the previous page. */
  cursor?: string;
}

export interface MessageStore {
  get(id: string): Promise<MessageRecord | undefined>;
  /** Whole-record replace: the record is owned by one worker at a time (queue visibility). */
  put(record: MessageRecord): Promise<void>;
  /**
   * Compare-and-set for a status change a caller decided on a record it read
   * (release, delete, the retention sweep): replaces the record with
   * `record.id` by `record` only if the stored one still has `expected`'s
   * `status` and `updatedAt`, in one atomic step. Returns false, writing
   * nothing, when the record changed since or is gone: the caller lost a race
   * and re-reads.
   */
  putIfUnchanged(record: MessageRecord, expected: Pick<MessageRecord, 'status' | 'updatedAt'>): Promise<boolean>;
  /** Newest first. */
  list(tenantId: string, query: MessageQuery): Promise<{ items: MessageRecord[]; cursor?: string }>;
  /** Messages of one sender still waiting in the pipeline (accepted/queued/delivering/deferred). */
  listPendingBySender(tenantId: string, sender: string): Promise<MessageRecord[]>;
  /**
   * Oldest messages received before `before`, any tenant, for the retention
   * sweep. Optional: stores with native expiry (DynamoDB TTL + S3 lifecycle)
   * leave it out.
   */
  listReceivedBefore?(before: string, limit: number): Promise<MessageRecord[]>;
  /** Removes a log record for good (retention). */
  remove?(id: string): Promise<void>;
}

/**
 * Records an accepted message durably and schedules it for scoring, as one
 * step: locally one SQLite transaction (group-committed), on AWS a DynamoDB
 * put followed by an SQS send. SMTP says 250 only after this resolves.
 */
export interface Intake {
  accept(record: MessageRecord): Promise<void>;
}

export interface ScoreJob {
  messageId: string;
}

export interface DeliverJob {
  messageId: string;
  /** 1 for the first try. */
  attempt: number;
  /**
   * Set on the job a release queues (its time). It makes the job new: the
   * deliver Lambda's idempotency keys on the whole job, and the job that held
   * the message (same id, same attempt number) is already recorded as done.
   */
  releasedAt?: string;
}

export interface JobQueue<J> {
  /** `delaySeconds` postpones the first visibility (backoff between delivery tries). */
  send(job: J, delaySeconds?: number): Promise<void>;
}

/**
 * A sender's record (optimistic concurrency: `version` must match to save) and
 * rate counters, (KnownRecipientStore) the recipients it has written to, and
 * (MessageCounterStore) a message's counters moved once however often its
 * score job runs.
 */
export interface SenderStore extends KnownRecipientStore, MessageCounterStore {
  get(tenantId: string, sender: string): Promise<(SenderRecord & { version: number }) | undefined>;
  list(tenantId: string): Promise<SenderRecord[]>;
  /**
   * Saves when the stored version equals `expectedVersion` (0 = must not
   * exist yet); returns false on a lost race so the caller re-reads and retries.
   */
  save(record: SenderRecord, expectedVersion: number): Promise<boolean>;
  /**
   * Atomically adds to named counters of a time bucket and returns their new
   * values; counters vanish after `ttlSeconds`. Two workers never lose an increment.
   */
  increment(
    tenantId: string,
    sender: string,
    bucket: string,
    deltas: Record<string, number>,
    ttlSeconds: number,
  ): Promise<Record<string, number>>;
}

/** The result of handing a message to a receiving server, per recipient. */
export interface RecipientResult {
  rcpt: string;
  /** The SMTP reply code, or 0 when no server answered (network error). */
  code: number;
  reply: string;
  mx?: string;
}

export interface OutboundMessage {
  mailFrom: string;
  rcptTo: string[];
  raw: Buffer;
  /**
   * Epoch milliseconds by which this attempt must be over, whatever the
   * receiver does; a transport ends the attempt by then and reports the
   * recipients it could not finish as out of time (core/delivery/attempt-deadline.ts).
   * The deliver Lambda sets it inside its invocation's time. @default none:
   * the transport's own timeouts, up to the 10-minute wait for the reply to DATA
   */
  deadline?: number;
}

/** Hands mail to the next hop: direct MX, a smarthost, or SES. Each honours `OutboundMessage.deadline`. */
export interface Transport {
  send(message: OutboundMessage): Promise<RecipientResult[]>;
}

export interface VirusScanResult {
  infected: boolean;
  /** Signature name, e.g. Eicar-Test-Signature. */
  name?: string;
}

export interface VirusScanner {
  /** Throws when the scanner cannot answer; the caller treats that as temporary, never clean. */
  scan(raw: Buffer): Promise<VirusScanResult>;
}

export interface UrlReputation {
  /** Returns the listed hosts among `hosts`, each with the list that named it. */
  check(hosts: string[]): Promise<{ host: string; list: string }[]>;
}

/** Tells a tenant about locks and held mail (webhook with retries). */
export interface Notifier {
  notify(tenant: Tenant, event: { type: string; sender?: string; messageId?: string; detail: unknown }): Promise<void>;
}

export interface SuppressionQuery {
  /** Substring of the address, case-insensitive. */
  query?: string;
  limit: number;
  /** Opaque cursor from the previous page. */
  cursor?: string;
}

/** Per-tenant suppression list (core/suppression): addresses mail is no longer offered to. */
export interface SuppressionStore {
  /** `address` in the form core/suppression/address.ts suppressionKey gives. */
  get(tenantId: string, address: string): Promise<SuppressionEntry | undefined>;
  /**
   * Inserts the entry unless (tenantId, address) already has one, atomically:
   * the first entry stands and is never replaced (only delete removes it).
   * Resolves to the entry in force and whether this call added it; of
   * concurrent calls for one address exactly one adds.
   */
  put(entry: SuppressionEntry): Promise<{ entry: SuppressionEntry; added: boolean }>;
  /** False when there was no such entry. */
  delete(tenantId: string, address: string): Promise<boolean>;
  /** Newest first. */
  list(tenantId: string, query: SuppressionQuery): Promise<{ items: SuppressionEntry[]; cursor?: string }>;
}

export type { VerdictRecord, LockState };

/** Every store port, as one adapter set (local or AWS) provides them; each set adds its own extras. */
export interface StorePorts {
  spool: SpoolStore;
  tenants: TenantStore;
  messages: MessageStore;
  senders: SenderStore;
  suppressions: SuppressionStore;
  campaigns: CampaignIndex;
  intake: Intake;
  scoreQueue: JobQueue<ScoreJob>;
  deliverQueue: JobQueue<DeliverJob>;
}
