// Response shapes of the REST API as the console reads them (api/schemas.ts;
// GET /v1/openapi.json is the source of truth). Record shapes are derived from
// core/model.ts (type-only: nothing of core reaches the bundle).
import type {
  DnsRecord, Identity, IpUser as IpUserRecord, MessageRecord, SenderRecord, SmtpUser as SmtpUserRecord, SuppressionEntry, Tenant as TenantRecord,
  TenantSettings, TenantStats,
} from '../../../core/model.js';

export type { DnsRecord };

export type Tenant = Pick<TenantRecord, 'id' | 'name' | 'ipUserQuota' | 'createdAt'>;
export interface TenantWithToken extends Tenant { token: string }

export interface SmtpEndpoint { host: string; port: number }

export interface Me extends Tenant { ipUsers: number; domains: number; smtp: SmtpEndpoint }

export type Settings = TenantSettings & { smtp?: SmtpEndpoint };

export interface Domain { domain: string; dkimSelector: string; createdAt: string; dnsRecords: DnsRecord[] }
export type Credentials = Pick<SmtpUserRecord, 'username' | 'kind' | 'passwordVersion'> & { password: string };
export interface DomainCreated extends Domain { domainUser: Credentials }

export type SmtpUser = Omit<SmtpUserRecord, 'tenantId' | 'passwordHash'>;

export type IpUser = Omit<IpUserRecord, 'tenantId'>;
export interface IpUserList { items: IpUser[]; quota?: number }

/** `reputation` is present when the API reports reputation facts (score, bounce and complaint rates…). */
export type Sender = Omit<SenderRecord, 'tenantId' | 'lockHistory'> & { locked: boolean };

/** Each member of a union without its tenantId (the API leaves it out of tenant-scoped views). */
type WithoutTenant<T> = T extends unknown ? Omit<T, 'tenantId'> : never;

export type Message = Omit<MessageRecord, 'tenantId' | 'spoolKey' | 'identity'> & {
  identity: WithoutTenant<Identity>;
};
export interface MessageList { items: Message[]; cursor?: string }

export type Stats = TenantStats;

export type Suppression = Omit<SuppressionEntry, 'tenantId'>;
export interface SuppressionList { items: Suppression[]; cursor?: string }
