// The tenant model and the records every store keeps. Plain data only: the
// ports in ports.ts move these shapes between core and the adapters, so the
// SQLite and DynamoDB stores hold exactly the same facts.

/** Per-tenant scoring and policy settings; every field has a default in settings.ts. */
export interface TenantSettings {
  /** Content score at or above which a message is held in quarantine. */
  quarantineThreshold: number;
  /** Content score at or above which a message is rejected (kept, never delivered). */
  rejectThreshold: number;
  /** Record verdicts but deliver everything (a trial mode). */
  monitorOnly: boolean;
  /** Messages per sender per hour before the sender is locked; 0 disables. */
  senderHourlyLimit: number;
  /** Webhook notified of locks and held mail (HMAC-signed). */
  webhookUrl?: string;
  /** Where abuse reports about this tenant's senders go. */
  abuseContact?: string;
  /** Senders allowed to send bulk mail, with the volume they declared per hour. */
  bulkSenders?: { sender: string; hourlyVolume: number }[];
  /** Overrides of the compromised-sender policy (core/reputation/policy.ts); unset fields keep its defaults. */
  senderPolicy?: {
    lockRisk?: number;
    riskHalfLifeSeconds?: number;
    lockTimeoutSeconds?: number;
    maxAutoUnlocks?: number;
    throttleSeconds?: number;
    campaignWindowSeconds?: number;
    campaignMinSenders?: number;
    spamScore?: number;
    suspectScore?: number;
  };
}

export interface Tenant {
  id: string;
  name: string;
  /** sha256 of the bearer token; the token itself is shown once. */
  tokenHash: string;
  /** How many IP users this tenant may register. */
  ipUserQuota: number;
  settings: TenantSettings;
  createdAt: string;
}

export interface DomainRecord {
  tenantId: string;
  domain: string;
  dkimSelector: string;
  /** PKCS#8 PEM. Stored with the domain so any worker can sign. */
  dkimPrivateKey: string;
  /** Base64 SPKI DER, the p= value of the DKIM TXT record. */
  dkimPublicKey: string;
  createdAt: string;
}

export type SmtpUserKind = 'domain' | 'mailbox';

export interface SmtpUser {
  tenantId: string;
  /** The domain for a domain user, the address for a mailbox user; stored lower-case. */
  username: string;
  kind: SmtpUserKind;
  /** scrypt$N$r$p$salt$hash, see core/tenants/password.ts. */
  passwordHash: string;
  /** Incremented on every rotation; an unlock may require a rotation newer than the lock. */
  passwordVersion: number;
  createdAt: string;
  passwordChangedAt: string;
}

export interface IpUser {
  id: string;
  tenantId: string;
  /** Normalised CIDR, e.g. 192.0.2.0/24 or 2001:db8::/64. */
  cidr: string;
  createdAt: string;
}

/** Who handed a message to the gateway. */
export type Identity =
  | { kind: 'smtp-user'; tenantId: string; username: string; userKind: SmtpUserKind }
  | { kind: 'ip-user'; tenantId: string; ipUserId: string; cidr: string };

export interface Envelope {
  mailFrom: string; // '' for the null reverse path
  rcptTo: string[];
}

export type Verdict = 'deliver' | 'quarantine' | 'reject';

/** One named piece of evidence with its weight; positive weights push toward spam. */
export interface Signal {
  name: string;
  weight: number;
  /** Human-readable detail: what matched, where. */
  detail?: string;
}

export interface VerdictRecord {
  verdict: Verdict;
  score: number;
  thresholds: { quarantine: number; reject: number };
  signals: Signal[];
  /** True when the tenant is monitor-only: the verdict is recorded, the mail delivered. */
  monitorOnly: boolean;
  decidedAt: string;
}

export type RecipientState = 'pending' | 'delivered' | 'deferred' | 'bounced';

export interface RecipientStatus {
  rcpt: string;
  state: RecipientState;
  attempts: number;
  /** The last SMTP reply from the receiving side, or the local error. */
  reply?: string;
  lastAttemptAt?: string;
  /** Which host took or refused it. */
  mx?: string;
}

export type MessageStatus =
  | 'accepted' // durable, not yet scored
  | 'queued' // scored clean, waiting for delivery
  | 'delivering'
  | 'delivered'
  | 'partially-delivered'
  | 'bounced'
  | 'quarantined'
  | 'rejected'
  | 'released'
  | 'deleted';

export interface MessageRecord {
  id: string;
  tenantId: string;
  /** The key of the raw message in the spool. */
  spoolKey: string;
  messageId?: string;
  subject?: string;
  headerFrom?: string;
  envelope: Envelope;
  clientIp: string;
  identity: Identity;
  /** The key reputation and locks are kept under; see core/policy/sender-key.ts. */
  sender: string;
  size: number;
  receivedAt: string;
  status: MessageStatus;
  verdict?: VerdictRecord;
  /** Evidence only the ingress can see (e.g. the account's own password in the text), merged into the verdict by the score step. */
  ingressSignals?: Signal[];
  /**
   * The client declared SMTPUTF8 on MAIL FROM (RFC 6531): the envelope or
   * headers may carry UTF-8 addresses, which a next hop that does not offer
   * SMTPUTF8 cannot take. @default absent: not declared (all addresses' local parts are ASCII)
   */
  smtpUtf8?: boolean;
  recipients: RecipientStatus[];
  /** When delivery gives up and bounces what is left. */
  expiresAt?: string;
  /** DSN sent to the envelope sender, if any: its Message-ID. */
  dsnMessageId?: string;
  updatedAt: string;
}

export interface LockState {
  reason: string;
  /** Evidence: signal names and message ids that led to the lock. */
  evidence?: { signals?: string[]; messageIds?: string[] };
  lockedAt: string;
  /** Automatic locks expire; manual locks (by tenant or after too many auto-unlocks) do not. */
  until?: string;
  by: 'auto' | 'manual';
  /** A mailbox user must rotate the password before the lock can be lifted. */
  requiresPasswordRotation?: boolean;
}

/**
 * One change of a sender's lock. Kept on the sender (the last few, see
 * core/reputation/lock-history.ts) so an unlock's reason survives, and a lock
 * lifted since still counts in the dashboard's last 24 hours.
 */
export interface LockEvent {
  type: 'locked' | 'unlocked' | 'auto-unlocked';
  at: string;
  /** Who: the tenant (through the API) or the policy (an automatic lock, or its timeout). */
  by: 'tenant' | 'policy';
  reason: string;
  /** `locked`: when the lock runs out by itself; absent for locks only a person lifts. */
  until?: string;
  /** `unlocked`, `auto-unlocked`: the lockedAt of the lock that was lifted. */
  lockedAt?: string;
}

export interface SenderRecord {
  tenantId: string;
  sender: string;
  lock?: LockState;
  /** The last lock events, oldest first (bounded); absent on records written before it existed. */
  lockHistory?: LockEvent[];
  /** How many times an automatic lock has been lifted automatically. */
  autoUnlocks: number;
  /** Throttled until this time (4xx at MAIL FROM). */
  throttledUntil?: string;
  throttleReason?: string;
  firstSeenAt: string;
  lastSeenAt: string;
  /** Free-form reputation facts owned by core/reputation. */
  reputation?: Record<string, unknown>;
}

/** Why an address is on a tenant's suppression list (core/suppression). */
export type SuppressionReason = 'hard-bounce' | 'complaint' | 'manual';

/** An address the tenant's mail is no longer offered to; such recipients bounce at once, with a DSN. */
export interface SuppressionEntry {
  tenantId: string;
  /** Lower-case, domain in ASCII (core/suppression/address.ts). */
  address: string;
  reason: SuppressionReason;
  /** The remote server's reply, the complaint feedback, or the tenant's note. */
  detail: string;
  /** Our id of the message that bounced or drew the complaint. */
  messageId?: string;
  createdAt: string;
}

/** A DNS record a tenant publishes for a domain (DKIM key, SPF hint). */
export interface DnsRecord {
  type: 'TXT';
  name: string;
  /** The whole record value. */
  value: string;
  /** The value split into the 255-byte strings a TXT record is made of (DKIM keys are longer). */
  strings: string[];
  purpose: string;
}

/** The dashboard figures of GET /v1/stats (core/tenants/stats.ts computes them). */
export interface TenantStats {
  since: string;
  until: string;
  /** 24 hourly buckets, oldest first; `unscored` counts mail not yet through the scorer. */
  hourly: { hour: string; deliver: number; quarantine: number; reject: number; unscored: number }[];
  totals: { messages: number; deliver: number; quarantine: number; reject: number; unscored: number };
  topSenders: { sender: string; messages: number; quarantined: number; rejected: number }[];
  locks: LockInWindow[];
  /** True when the window held more messages than were read; the figures are then a lower bound. */
  truncated: boolean;
}

export interface LockInWindow {
  sender: string;
  reason: string;
  lockedAt: string;
  /** Who set it: the policy (auto) or the tenant (manual). */
  by: 'auto' | 'manual';
  /** Still in force now. */
  active: boolean;
  /** When it was lifted (by the tenant or by its timeout), and why; absent while in force or when replaced by a newer lock. */
  liftedAt?: string;
  liftReason?: string;
}
