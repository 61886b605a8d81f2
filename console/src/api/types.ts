// Response shapes of the REST API as the console reads them (mirrors
// api/schemas.ts; GET /v1/openapi.json is the source of truth).
import type { MessageRecord, LockState, TenantSettings } from '../../../core/model.js';

export interface Tenant { id: string; name: string; ipUserQuota: number; createdAt: string }
export interface TenantWithToken extends Tenant { token: string }

export interface SmtpEndpoint { host: string; port: number }

export interface Me {
  id: string;
  name: string;
  ipUserQuota: number;
  ipUsers: number;
  domains: number;
  smtp: SmtpEndpoint;
  createdAt: string;
}

export type Settings = TenantSettings & { smtp?: SmtpEndpoint };

export interface DnsRecord { type: 'TXT'; name: string; value: string; strings: string[]; purpose: string }
export interface Domain { domain: string; dkimSelector: string; createdAt: string; dnsRecords: DnsRecord[] }
export interface Credentials { username: string; password: string; kind: 'domain' | 'mailbox'; passwordVersion: number }
export interface DomainCreated extends Domain { domainUser: Credentials }

export interface SmtpUser { username: string; kind: 'domain' | 'mailbox'; passwordVersion: number; createdAt: string; passwordChangedAt: string }

export interface IpUser { id: string; cidr: string; createdAt: string }
export interface IpUserList { items: IpUser[]; quota?: number }

export interface Sender {
  sender: string;
  locked: boolean;
  lock?: LockState;
  autoUnlocks: number;
  throttledUntil?: string;
  throttleReason?: string;
  firstSeenAt: string;
  lastSeenAt: string;
  /** Present when the API reports reputation facts (score, bounce and complaint rates…). */
  reputation?: Record<string, unknown>;
}

export type Message = Omit<MessageRecord, 'tenantId' | 'spoolKey' | 'identity'> & {
  identity: { kind: 'smtp-user'; username: string; userKind: string } | { kind: 'ip-user'; ipUserId: string; cidr: string };
};
export interface MessageList { items: Message[]; cursor?: string }

export interface Stats {
  since: string;
  until: string;
  hourly: { hour: string; deliver: number; quarantine: number; reject: number; unscored: number }[];
  totals: { messages: number; deliver: number; quarantine: number; reject: number; unscored: number };
  topSenders: { sender: string; messages: number; quarantined: number; rejected: number }[];
  locks: { sender: string; reason: string; lockedAt: string; by: 'auto' | 'manual'; active: boolean }[];
  truncated: boolean;
}

export interface Suppression {
  address: string;
  /** hard-bounce, complaint or manual */
  reason: string;
  /** The receiving server's reply, the complaint feedback, or the note given when added. */
  detail?: string;
  /** The message that bounced or drew the complaint. */
  messageId?: string;
  createdAt: string;
}
export interface SuppressionList { items: Suppression[]; cursor?: string }
