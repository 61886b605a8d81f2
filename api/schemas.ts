// Every request and response shape of the API, once, as zod schemas. The
// handler validates requests with them and api/openapi.ts turns them into the
// OpenAPI document, so the documentation cannot drift from the behaviour.
// Request bodies are strict (an unknown key is a typo worth a 400); responses
// are open, so adding a field later breaks no client.
import { z } from 'zod';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, PASSWORD_RULE } from '../core/tenants/password-rule.js';
import { DEFAULT_IP_USER_QUOTA } from '../core/tenants/tenants.js';
import { PAGE_SIZE } from '../core/paging.js';

/** Named schemas, emitted as #/components/schemas/<id>. */
export const components = z.registry<{ id: string; description?: string }>();
export function named<T extends z.ZodType>(id: string, description: string, schema: T): T {
  components.add(schema, { id, description });
  return schema;
}

const isoTime = z.iso.datetime({ offset: true });

// ---- shared -------------------------------------------------------------

export const Problem = named('Problem', 'An RFC 9457 problem: every error response has this shape.', z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().describe('What went wrong and, where possible, what to do about it.'),
  code: z.string().describe('Stable error code, e.g. QUOTA_EXCEEDED (docs/api.md lists them).'),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional()
    .describe('For VALIDATION: each invalid field.'),
}));

export const Health = named('Health', 'Liveness.', z.object({ status: z.literal('ok'), time: isoTime }));

const SmtpEndpoint = z.object({ host: z.string(), port: z.number().int() }).describe('Where mail servers and clients submit mail (STARTTLS, AUTH after TLS).');

// ---- operator: tenants --------------------------------------------------

const tenantName = z.string().trim().min(1).max(200);
const ipUserQuota = z.number().int().min(0).max(10_000);

export const CreateTenantBody = named('CreateTenantRequest', 'A new tenant.', z.strictObject({
  name: tenantName,
  ipUserQuota: ipUserQuota.optional().describe(`IP users this tenant may register (default ${DEFAULT_IP_USER_QUOTA}).`),
}));

export const UpdateTenantBody = named('UpdateTenantRequest', 'Operator changes to a tenant.', z.strictObject({
  name: tenantName.optional(),
  ipUserQuota: ipUserQuota.optional(),
}));

export const Tenant = named('Tenant', 'A tenant as the operator sees it.', z.object({
  id: z.string(),
  name: z.string(),
  ipUserQuota: z.number().int(),
  createdAt: isoTime,
}));

export const TenantWithToken = named('TenantWithToken', 'A tenant and its bearer token; the token is shown only here.', Tenant.extend({
  token: z.string().describe('Bearer token for the tenant API. Store it now: only its hash is kept.'),
}));

export const TenantList = named('TenantList', 'All tenants.', z.object({ items: z.array(Tenant) }));

// ---- tenant: me and settings --------------------------------------------

export const Me = named('Me', 'The calling tenant.', z.object({
  id: z.string(),
  name: z.string(),
  ipUserQuota: z.number().int(),
  ipUsers: z.number().int().describe('IP users registered now.'),
  domains: z.number().int(),
  smtp: SmtpEndpoint,
  createdAt: isoTime,
}));

const threshold = z.number().min(0).max(1000);
const BulkSender = z.object({ sender: z.string().min(3).max(320), hourlyVolume: z.number().int().min(1).max(1_000_000) });

const SenderPolicy = z.strictObject({
  lockRisk: z.number().positive().max(1000).optional().describe('Decayed risk at which a sender is locked.'),
  riskHalfLifeSeconds: z.number().int().min(60).max(30 * 86400).optional(),
  lockTimeoutSeconds: z.number().int().min(60).max(30 * 86400).optional().describe('How long an automatic lock lasts.'),
  maxAutoUnlocks: z.number().int().min(0).max(100).optional().describe('Automatic unlocks before a lock becomes manual.'),
  throttleSeconds: z.number().int().min(0).max(86400).optional(),
  campaignWindowSeconds: z.number().int().min(60).max(7 * 86400).optional(),
  campaignMinSenders: z.number().int().min(2).max(10_000).optional(),
  spamScore: z.number().min(0).max(1000).optional(),
  suspectScore: z.number().min(0).max(1000).optional(),
}).describe('Overrides of the compromised-sender policy; unset fields keep its defaults.');

export const Settings = named('Settings', 'Effective tenant settings (defaults filled in).', z.object({
  quarantineThreshold: z.number().describe('Content score at or above which a message is held.'),
  rejectThreshold: z.number().describe('Content score at or above which a message is rejected.'),
  monitorOnly: z.boolean().describe('Record verdicts but deliver everything.'),
  senderHourlyLimit: z.number().int().describe('Messages per sender per hour before the sender is locked; 0 disables.'),
  webhookUrl: z.string().optional(),
  webhookSigningSecret: z.string().optional().describe('HMAC-SHA256 key of the webhook signature header; verify every delivery with it.'),
  abuseContact: z.string().optional(),
  bulkSenders: z.array(BulkSender).optional(),
  senderPolicy: z.record(z.string(), z.number()).optional(),
  smtp: SmtpEndpoint,
}));

export const UpdateSettingsBody = named('UpdateSettingsRequest', 'Fields to change; null clears an optional field.', z.strictObject({
  quarantineThreshold: threshold.optional(),
  rejectThreshold: threshold.optional(),
  monitorOnly: z.boolean().optional(),
  senderHourlyLimit: z.number().int().min(0).max(1_000_000).optional(),
  webhookUrl: z.url({ protocol: /^https?$/ }).max(2000).nullable().optional().describe('http(s) URL notified of locks and held mail.'),
  abuseContact: z.email().max(320).nullable().optional(),
  bulkSenders: z.array(BulkSender).max(1000).nullable().optional(),
  senderPolicy: SenderPolicy.nullable().optional().describe('Replaces the whole set of overrides; null goes back to the defaults.'),
}));

// ---- domains ------------------------------------------------------------

export const DnsRecord = named('DnsRecord', 'A DNS record to publish.', z.object({
  type: z.literal('TXT'),
  name: z.string(),
  value: z.string(),
  strings: z.array(z.string()).describe('The value as 255-byte TXT strings, for DNS editors that want them split.'),
  purpose: z.string(),
}));

export const Domain = named('Domain', 'A sending domain.', z.object({
  domain: z.string(),
  dkimSelector: z.string(),
  createdAt: isoTime,
  dnsRecords: z.array(DnsRecord),
}));

export const DomainList = named('DomainList', "The tenant's domains.", z.object({ items: z.array(Domain) }));

export const CreateDomainBody = named('CreateDomainRequest', 'A domain to add.', z.strictObject({
  domain: z.string().min(1).max(253).describe('e.g. example.com; IDNs are stored as punycode.'),
}));

export const Credentials = named('Credentials', 'An SMTP login and its password; the password is shown only in this response.', z.object({
  username: z.string(),
  password: z.string(),
  kind: z.enum(['domain', 'mailbox']),
  passwordVersion: z.number().int(),
}));

export const DomainCreated = named('DomainCreated', 'The new domain, its DNS records and its domain user.', Domain.extend({
  domainUser: Credentials,
}));

// ---- users --------------------------------------------------------------

export const SmtpUser = named('SmtpUser', 'An SMTP login (never its password).', z.object({
  username: z.string(),
  kind: z.enum(['domain', 'mailbox']),
  passwordVersion: z.number().int(),
  createdAt: isoTime,
  passwordChangedAt: isoTime,
}));

export const SmtpUserList = named('SmtpUserList', "The tenant's SMTP users.", z.object({ items: z.array(SmtpUser) }));

export const CreateUserBody = named('CreateUserRequest', 'A mailbox user: an address in one of your domains.', z.strictObject({
  username: z.string().min(3).max(320).describe('e.g. alice@example.com'),
  password: z.string().min(PASSWORD_MIN_LENGTH, PASSWORD_RULE).max(PASSWORD_MAX_LENGTH, PASSWORD_RULE).optional()
    .describe(`For importing existing mailboxes; omit it to have a strong one generated. ${PASSWORD_RULE}.`),
}));

// ---- IP users -----------------------------------------------------------

export const IpUser = named('IpUser', 'A range whose connections relay without login.', z.object({
  id: z.string(),
  cidr: z.string().describe('Normalised: network address and prefix, e.g. 192.0.2.0/24.'),
  createdAt: isoTime,
}));

export const IpUserList = named('IpUserList', "The tenant's IP users and its quota.", z.object({
  items: z.array(IpUser),
  quota: z.number().int(),
}));

export const CreateIpUserBody = named('CreateIpUserRequest', 'An IPv4 or IPv6 address or CIDR range (at most /16 or /48).', z.strictObject({
  cidr: z.string().min(2).max(64).describe('e.g. 192.0.2.10, 192.0.2.0/28 or 2001:db8:1::/64'),
}));

// ---- senders ------------------------------------------------------------

const Lock = z.object({
  reason: z.string(),
  evidence: z.object({ signals: z.array(z.string()).optional(), messageIds: z.array(z.string()).optional() }).optional(),
  lockedAt: isoTime,
  until: isoTime.optional().describe('Automatic locks expire; manual ones have no end.'),
  by: z.enum(['auto', 'manual']),
  requiresPasswordRotation: z.boolean().optional().describe('Unlocking needs a password rotation newer than the lock.'),
});

export const LockEvent = named('LockEvent', 'One change of a sender\'s lock.', z.object({
  type: z.enum(['locked', 'unlocked', 'auto-unlocked']).describe('auto-unlocked: an automatic lock ran out.'),
  at: isoTime,
  by: z.enum(['tenant', 'policy']).describe('tenant: through the API or console; policy: the compromised-sender policy or its timeout.'),
  reason: z.string().describe('The lock reason, or the reason given for the unlock.'),
  until: isoTime.optional().describe('locked: when the lock runs out by itself.'),
  lockedAt: isoTime.optional().describe('unlocked, auto-unlocked: when the lifted lock was set.'),
}));

export const ReputationSummary = named('ReputationSummary', 'The sender\'s reputation in brief, from the compromised-sender policy.', z.object({
  risk: z.number().describe('Current decayed risk; the sender is locked at lockAt.'),
  lockAt: z.number().describe('The risk at which the sender is locked.'),
  state: z.enum(['locked', 'throttled', 'ok']),
  messages: z.number().int().describe('Messages scored since the sender was first seen.'),
  activeDays: z.number().int().describe('Days with mail from this sender.'),
  peakHourRecipients: z.number().describe('Learned peak of recipients in one hour.'),
  peakDayRecipients: z.number().describe('Learned peak of recipients in one day.'),
  recentSignals: z.array(z.string()).describe('Behaviour signals behind the current risk, newest first (at most 5).'),
}));

export const Sender = named('Sender', 'A sender key (envelope address or X-AuthUser) with its lock state.', z.object({
  sender: z.string(),
  locked: z.boolean().describe('True while a lock is in force.'),
  lock: Lock.optional(),
  autoUnlocks: z.number().int(),
  throttledUntil: isoTime.optional(),
  throttleReason: z.string().optional(),
  firstSeenAt: isoTime,
  lastSeenAt: isoTime,
  reputation: ReputationSummary.optional().describe('In the sender list.'),
  lockHistory: z.array(LockEvent).optional().describe('Lock changes, oldest first (the last 20): in one sender and in lock and unlock answers.'),
}));

export const SenderDetail = named('SenderDetail', 'A sender with the reputation behind its state and its lock history.', Sender.extend({
  reputation: ReputationSummary.extend({
    evidence: z.array(z.object({
      at: isoTime, signal: z.string(), family: z.string(), weightNow: z.number(), messageId: z.string().optional(), detail: z.string().optional(),
    })),
    baseline: z.record(z.string(), z.unknown()).describe('Learned normal behaviour: volumes, active days, peaks, allowances.'),
    wouldLock: z.object({ at: isoTime, reason: z.string() }).optional().describe('Monitor-only: the lock that would have been set.'),
  }),
  lockHistory: z.array(LockEvent).describe('Lock changes, oldest first (the last 20).'),
}));

export const SenderList = named('SenderList', 'Senders seen for this tenant.', z.object({ items: z.array(Sender) }));

export const LockBody = named('LockRequest', 'Why the sender is locked.', z.strictObject({
  reason: z.string().max(500).optional(),
}));

export const UnlockBody = named('UnlockRequest', 'Why the sender is unlocked; kept in its lock history.', z.strictObject({
  reason: z.string().max(500).optional(),
}));

// ---- messages -----------------------------------------------------------

const Signal = named('Signal', 'One piece of evidence and its weight; positive weights push toward spam.', z.object({
  name: z.string(), weight: z.number(), detail: z.string().optional(),
}));

const VerdictSchema = z.object({
  verdict: z.enum(['deliver', 'quarantine', 'reject']),
  score: z.number(),
  thresholds: z.object({ quarantine: z.number(), reject: z.number() }),
  signals: z.array(Signal),
  monitorOnly: z.boolean(),
  decidedAt: isoTime,
});

const Identity = z.union([
  z.object({ kind: z.literal('smtp-user'), username: z.string(), userKind: z.enum(['domain', 'mailbox']) }),
  z.object({ kind: z.literal('ip-user'), ipUserId: z.string(), cidr: z.string() }),
]);

export const MESSAGE_STATUSES = ['accepted', 'queued', 'delivering', 'delivered', 'partially-delivered', 'bounced', 'quarantined', 'rejected', 'released', 'deleted'] as const;

export const Message = named('Message', 'One message log entry.', z.object({
  id: z.string(),
  messageId: z.string().optional().describe('The Message-ID header.'),
  subject: z.string().optional(),
  headerFrom: z.string().optional(),
  envelope: z.object({ mailFrom: z.string(), rcptTo: z.array(z.string()) }),
  smtpUtf8: z.boolean().optional().describe('The client declared SMTPUTF8 (a non-ASCII local part in the envelope); absent when it did not.'),
  clientIp: z.string(),
  identity: Identity,
  sender: z.string().describe('The key reputation and locks are kept under.'),
  size: z.number().int(),
  receivedAt: isoTime,
  status: z.enum(MESSAGE_STATUSES),
  verdict: VerdictSchema.optional().describe('Absent until scored.'),
  recipients: z.array(z.object({
    rcpt: z.string(),
    state: z.enum(['pending', 'delivered', 'deferred', 'bounced']),
    attempts: z.number().int(),
    reply: z.string().optional().describe("The receiving server's last reply."),
    lastAttemptAt: isoTime.optional(),
    mx: z.string().optional(),
  })),
  expiresAt: isoTime.optional(),
  dsnMessageId: z.string().optional(),
  updatedAt: isoTime,
}));

export const MessageList = named('MessageList', 'A page of the message log, newest first.', z.object({
  items: z.array(Message),
  cursor: z.string().optional().describe('Pass as ?cursor= for the next page; absent on the last page.'),
}));

export const MessageSource = named('MessageSource', 'The stored message as text (8-bit parts decoded as UTF-8), capped at 512 KiB.', z.object({
  id: z.string(),
  size: z.number().int().describe('Size of the whole stored message in bytes.'),
  truncated: z.boolean().describe('True when raw holds only the first 512 KiB.'),
  raw: z.string(),
}));

export const MessageQuery = z.object({
  sender: z.string().max(320).optional(),
  recipient: z.string().max(320).optional(),
  subject: z.string().max(200).optional().describe('Substring, case-insensitive.'),
  verdict: z.enum(['deliver', 'quarantine', 'reject']).optional(),
  status: z.enum(MESSAGE_STATUSES).optional(),
  since: isoTime.optional().describe('Received at or after.'),
  until: isoTime.optional().describe('Received before.'),
  limit: z.coerce.number().int().min(1).max(PAGE_SIZE.max).optional().describe(`Page size, default ${PAGE_SIZE.default}.`),
  cursor: z.string().max(500).optional(),
}).refine((q) => !q.since || !q.until || Date.parse(q.since) <= Date.parse(q.until), {
  // A reversed window matches nothing, and the DynamoDB store's BETWEEN key condition fails on it (a 500 there).
  path: ['until'], message: 'must not be before since',
});

// ---- stats --------------------------------------------------------------

const VerdictCounts = { deliver: z.number().int(), quarantine: z.number().int(), reject: z.number().int(), unscored: z.number().int() };
export const Stats = named('Stats', 'The last 24 hours.', z.object({
  since: isoTime,
  until: isoTime,
  hourly: z.array(z.object({ hour: isoTime, ...VerdictCounts })),
  totals: z.object({ messages: z.number().int(), ...VerdictCounts }),
  topSenders: z.array(z.object({ sender: z.string(), messages: z.number().int(), quarantined: z.number().int(), rejected: z.number().int() })),
  locks: z.array(z.object({
    sender: z.string(), reason: z.string(), lockedAt: isoTime, by: z.enum(['auto', 'manual']).describe('Who set it: the policy or the tenant.'),
    active: z.boolean().describe('Still in force.'),
    liftedAt: isoTime.optional().describe('When it was lifted, by the tenant or by its timeout.'),
    liftReason: z.string().optional(),
  })).describe('Every lock set in the window, also those lifted since; newest first.'),
  truncated: z.boolean(),
}));

// ---- path parameters ----------------------------------------------------

export const DomainParam = z.object({ domain: z.string().min(1).max(253) });
export const UsernameParam = z.object({ username: z.string().min(1).max(320) });
export const IdParam = z.object({ id: z.string().min(1).max(100) });
export const SenderParam = z.object({ sender: z.string().min(1).max(320) });
