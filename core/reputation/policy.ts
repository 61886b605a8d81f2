// The compromised-sender policy as data: every threshold and weight in one
// place, each with the reason it has the value it has. A tenant may override
// the top-level numbers (TenantSettings.senderPolicy); the tables are global.
import type { TenantSettings } from '../model.js';

export interface SenderPolicy {
  /** Risk at which a sender is locked, when the evidence spans two families and one of them is not volume/spread. */
  lockRisk: number;
  /** Risk halves every this many seconds: yesterday's oddity does not add to today's. */
  riskHalfLifeSeconds: number;
  /** How long an automatic lock lasts before it lifts itself (if allowed). */
  lockTimeoutSeconds: number;
  /** Automatic unlocks before the next lock is manual (lifted by the tenant only). */
  maxAutoUnlocks: number;
  /** How long a volume throttle (4xx at MAIL FROM) lasts. */
  throttleSeconds: number;
  /** Window in which the same content from several senders is a campaign. */
  campaignWindowSeconds: number;
  /** Distinct senders (of any tenants) of one content key that make a campaign. */
  campaignMinSenders: number;
  /** Content score at which a message counts as spam for the sender's history (the tenant's quarantine threshold when unset). */
  spamScore?: number;
  /** Content score at which a message counts as suspect (below the spam score). */
  suspectScore: number;
}

export const DEFAULT_SENDER_POLICY: SenderPolicy = {
  // 10 ≈ two strongly anomalous messages (a held message carries 4–6 of
  // behaviour weight) or one anomaly confirmed by content, access or outcome.
  lockRisk: 10,
  riskHalfLifeSeconds: 2 * 3600,
  // Long enough that an attacker's script gives up, short enough that a
  // misjudged server recovers within a working morning.
  lockTimeoutSeconds: 4 * 3600,
  maxAutoUnlocks: 2,
  throttleSeconds: 15 * 60,
  campaignWindowSeconds: 3600,
  campaignMinSenders: 3,
  suspectScore: 2.5,
};

/** Which kind of evidence a signal is. Locking needs more than one kind. */
export type Family = 'volume' | 'spread' | 'outcome' | 'access' | 'identity' | 'campaign' | 'content';

export interface SignalRule {
  family: Family;
  /** Weight added to the message's verdict score and to the sender's risk. */
  weight: number;
  /** One line the API shows next to the signal. */
  meaning: string;
}

/** Every behaviour signal the policy emits. Weights add to the content score in the verdict (quarantine at 5 by default). */
export const SIGNAL_RULES = {
  // Volume: against the sender's own learned peaks, never a global constant alone.
  'rate-minute-high': { family: 'volume', weight: 1.5, meaning: 'more messages this minute than the sender has ever sent in a minute (times the allowance)' },
  'volume-hour-high': { family: 'volume', weight: 2, meaning: 'more recipients this hour than the sender\'s learned hourly peak allows; the sender is throttled' },
  'volume-day-high': { family: 'volume', weight: 1.5, meaning: 'more recipients today than the sender\'s learned daily peak allows' },
  'tenant-ceiling': { family: 'volume', weight: 2, meaning: 'the tenant\'s per-sender hourly ceiling is exceeded; the sender is throttled' },
  // Spread: who the mail goes to.
  'recipients-per-message-high': { family: 'spread', weight: 1.5, meaning: 'more recipients on one message than the sender normally uses' },
  'many-recipient-domains': { family: 'spread', weight: 1.5, meaning: 'more distinct recipient domains this hour than the sender normally reaches' },
  'new-recipients-share': { family: 'spread', weight: 1, meaning: 'almost every recipient this hour is one the sender never wrote to before' },
  'identical-body-fanout': { family: 'spread', weight: 2.5, meaning: 'the same normalised body went to more recipients today than the sender ever sends one text to' },
  'ip-user-new-senders': { family: 'spread', weight: 2, meaning: 'many never-seen envelope senders behind one IP user this hour (a hacked script)' },
  // Outcomes: what the world said about earlier mail.
  'spam-history': { family: 'outcome', weight: 2, meaning: 'a large share of the sender\'s recent messages scored as spam' },
  'invalid-recipients': { family: 'outcome', weight: 3, meaning: 'receiving servers refused many recipients as unknown (5.1.x) this hour: a bought or harvested list' },
  'complaints': { family: 'outcome', weight: 3, meaning: 'recipients complained about this sender\'s mail (three, above 0.3 % of delivered, over two days)' },
  // Access: how the account was used.
  'suspicious-login': { family: 'access', weight: 3, meaning: 'the account logged in suspiciously within the last hour (see the login evidence)' },
  'recent-password-change': { family: 'access', weight: 1, meaning: 'a burst right after the password changed' },
  // Identity: who the mail claims to be from.
  'from-mismatch': { family: 'identity', weight: 1, meaning: 'the From header domain is neither the envelope sender\'s nor the login\'s' },
  'new-display-name': { family: 'identity', weight: 1, meaning: 'a display name this established sender never used' },
  'new-reply-to-domain': { family: 'identity', weight: 1.5, meaning: 'a Reply-To domain this established sender never used' },
  'password-in-message': { family: 'identity', weight: 10, meaning: 'the message contains the sender\'s own SMTP password: a leaked-credential probe; locks at once' },
  // Campaigns: the same content from several senders, across tenants.
  'campaign': { family: 'campaign', weight: 4, meaning: 'the same body or URL set came from several senders within the hour' },
} as const satisfies Record<string, SignalRule>;

export type SignalName = keyof typeof SIGNAL_RULES;

/** Login evidence (recordLogin) and its risk weight; the sum is carried to the next messages as `suspicious-login`. */
export const LOGIN_RULES = {
  'failed-burst-then-success': { weight: 3, meaning: 'five or more failed logins from several addresses, then a success (credential stuffing)' },
  'many-ips': { weight: 3, meaning: 'four or more addresses used this account within an hour' },
  'new-network': { weight: 1.5, meaning: 'a network (/16, /48) this established account never logged in from' },
  'tls-client-changed': { weight: 0.5, meaning: 'a TLS client fingerprint the account never presented' },
} as const;

/**
 * How much a message scored as spam adds to the sender's risk (the score
 * itself is already in the verdict): a lone spam verdict among clean mail
 * is most likely the scorer's mistake and adds little; a second one among
 * the last N adds the full weight. Suspect scores only count through
 * `spam-history` (a share), so a busy sender's borderline mail never adds up.
 */
export const CONTENT_RISK = { lone: 1.5, repeated: 3 } as const;

/**
 * Allowances a sender gets before it has history, by how many days it has
 * been active. A new sender starts conservative; limits relax as it builds
 * history, and from then on its own learned peaks (times ALLOWANCE) decide.
 */
export const MATURITY_FLOORS = [
  { minActiveDays: 0, rcptPerMessage: 10, minuteMessages: 4, hourRecipients: 40, dayRecipients: 120, hourDomains: 8, fanoutDay: 6 },
  { minActiveDays: 3, rcptPerMessage: 15, minuteMessages: 6, hourRecipients: 80, dayRecipients: 250, hourDomains: 15, fanoutDay: 10 },
  { minActiveDays: 7, rcptPerMessage: 20, minuteMessages: 8, hourRecipients: 150, dayRecipients: 500, hourDomains: 25, fanoutDay: 15 },
  { minActiveDays: 30, rcptPerMessage: 30, minuteMessages: 10, hourRecipients: 300, dayRecipients: 1000, hourDomains: 40, fanoutDay: 20 },
] as const;

/** Learned peaks are multiplied by this before comparing: honest senders vary, a hijacked one explodes. */
export const ALLOWANCE = { rcptPerMessage: 2, minuteMessages: 2.5, hourRecipients: 2.5, dayRecipients: 2.5, hourDomains: 2.5, fanoutDay: 2 } as const;

/** Learned peaks fade by this factor per day, so a one-off send does not raise the allowance forever (half-life ≈ 5 weeks). */
export const PEAK_DECAY_PER_DAY = 0.98;

/** Other thresholds, each a single number with its reason. */
export const THRESHOLDS = {
  /** Recipients sampled per message for never-seen checks (bounded store writes for a 50-recipient newsletter batch). */
  recipientSample: 8,
  /** Distinct recipient domains tracked per message. */
  domainSample: 20,
  /** How long a recipient stays "known" to a sender after the sender last wrote to it (sliding expiry). */
  knownRecipientDays: 180,
  /**
   * A repeat contact rewrites a known recipient's entry (its last contact and
   * expiry) only when the stored last contact is at least this old, so a
   * busy sender's regular recipients cost one write each per week, not one
   * per message. A week keeps a recipient known for 173 to 180 days after
   * the last contact, which no honest sender notices; a day would keep the
   * expiry exact to a day but rewrite a weekly correspondent at every
   * message; a month would let expiry come a sixth early.
   */
  knownRecipientRefreshDays: 7,
  /** new-recipients-share: sampled recipients this hour before the share means anything, and the share. */
  newShareMinSample: 5,
  newShare: 0.9,
  /** ...and only for senders whose usual share of new recipients is below this (not shops, not signup mail). */
  newShareUsual: 0.5,
  /** Weight of the newest message in the usual-share average. */
  newShareAlpha: 0.05,
  /** new-recipients-share and identity novelty only for established senders (history to differ from). */
  establishedMessages: 20,
  establishedActiveDays: 3,
  /** spam-history: the last N messages, and how many spam (or suspect) among them. */
  historyLength: 10,
  historySpam: 2,
  historySuspect: 4,
  /** invalid-recipients: 5.1.x refusals this hour, and their share of attempted recipients. */
  invalidMin: 5,
  invalidShare: 0.2,
  /** Invalid recipients that lock on their own (the list is certainly bought). */
  invalidLockMin: 10,
  invalidLockShare: 0.3,
  /** complaints: over today and yesterday, at least this many and above this share of delivered recipients. */
  complaintsMin: 3,
  complaintsShare: 0.003,
  /** Complaints that lock on their own (1 % of delivered mail is a spam run, not a newsletter). */
  complaintsLock: 5,
  complaintsLockShare: 0.01,
  /** ip-user-new-senders: never-seen envelope senders behind one IP user per hour. */
  ipUserNewSenders: 6,
  /** Logins: failures that make a burst, distinct IPs that make "many". */
  loginFailBurst: 5,
  loginFailIps: 3,
  loginManyIps: 4,
  /** How long a suspicious login taints the messages after it. */
  loginTaintSeconds: 3600,
  /** Logins an account needs before a new network means anything. */
  loginEstablished: 5,
  /** A burst within this long after a password change counts as `recent-password-change`. */
  passwordChangeSeconds: 3600,
} as const;

/** The effective policy for a tenant: defaults overridden by its settings. */
/** Every setting a tenant may override: the defaults' keys, and spamScore, which has no default (the quarantine threshold stands in). */
const POLICY_KEYS: ReadonlySet<string> = new Set([...Object.keys(DEFAULT_SENDER_POLICY), 'spamScore']);

export function policyFor(settings: TenantSettings): SenderPolicy {
  const over = settings.senderPolicy ?? {};
  const p: SenderPolicy = { ...DEFAULT_SENDER_POLICY };
  for (const [k, v] of Object.entries(over)) if (typeof v === 'number' && Number.isFinite(v) && POLICY_KEYS.has(k)) (p as unknown as Record<string, number>)[k] = v;
  return p;
}
