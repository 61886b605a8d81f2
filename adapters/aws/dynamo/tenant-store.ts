// Tenants, domains, SMTP users and IP users in the single table (layout.ts).
// Uniqueness (a domain or username belongs to one tenant) is a conditional
// put on the item's own key; the IP-user quota is a counter item updated in
// the same transaction as the insert, so two requests cannot both take the last slot.
// A tenant item carries a `version`: every change is a write conditioned on
// the version it read, retried on the fresh item when another write won.
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DeleteCommand, GetCommand, PutCommand, TransactWriteCommand, type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { DomainError } from '../../../core/errors.js';
import type { TenantStore } from '../../../core/ports.js';
import type { DomainRecord, IpUser, SmtpUser, Tenant } from '../../../core/model.js';
import { cancellationCodes, cancelledConditions, domainTreeKeys, GSI2, isConditionalFailure, key, stripKeys } from './layout.js';
import { byGsi1, queryAll } from './query.js';

/** Tries of one tenant change before it gives up with CONFLICT; each lost try means another write landed. */
const CHANGE_ATTEMPTS = 10;
/** Upper bound of the random pause before try n (ms): 10, 20, 40, ... capped at 250. */
const backoffMs = (attempt: number) => Math.min(250, 10 * 2 ** (attempt - 1));

const byName = <T>(field: keyof T) => (a: T, b: T) => String(a[field]).localeCompare(String(b[field]));

const tenantItem = (t: Tenant, version: number) => ({ ...t, ...key.tenant(t.id), gsi1pk: 'TENANTS', gsi1sk: t.id, entity: 'tenant', version });
const tokenItem = (t: Tenant) => ({ ...key.token(t.tokenHash), tenantId: t.id, entity: 'token' });
const userItem = (u: SmtpUser) => ({ ...u, ...key.user(u.username), gsi1pk: `TENANT#${u.tenantId}#USERS`, gsi1sk: u.username.toLowerCase(), entity: 'user' });

export class DynamoTenantStore implements TenantStore {
  constructor(private readonly db: DynamoDBDocumentClient, private readonly table: string) {}

  async createTenant(t: Tenant): Promise<void> {
    await this.db.send(new TransactWriteCommand({
      TransactItems: [
        { Put: { TableName: this.table, Item: tenantItem(t, 1), ConditionExpression: 'attribute_not_exists(pk)' } },
        { Put: { TableName: this.table, Item: tokenItem(t), ConditionExpression: 'attribute_not_exists(pk)' } },
      ],
    })).catch((err) => {
      if (cancelledConditions(err)?.length) throw new DomainError('CONFLICT', `tenant ${t.id} or its token already exists`);
      throw err;
    });
  }

  async getTenant(id: string): Promise<Tenant | undefined> {
    return this.getItem<Tenant>(key.tenant(id));
  }

  async getTenantByTokenHash(tokenHash: string): Promise<Tenant | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: key.token(tokenHash) }));
    const tenantId = out.Item?.tenantId as string | undefined;
    if (!tenantId) return undefined;
    const tenant = await this.getTenant(tenantId);
    // A token item left behind by an interrupted rotation must not authenticate.
    return tenant?.tokenHash === tokenHash ? tenant : undefined;
  }

  async listTenants(): Promise<Tenant[]> {
    return (await this.listGsi1<Tenant>('TENANTS')).sort(byName<Tenant>('id'));
  }

  async changeTenant(id: string, change: (current: Tenant) => Tenant): Promise<Tenant | undefined> {
    for (let attempt = 1; ; attempt++) {
      const out = await this.db.send(new GetCommand({ TableName: this.table, Key: key.tenant(id), ConsistentRead: true }));
      if (!out.Item) return undefined;
      const current = stripKeys<Tenant>(out.Item)!;
      const next = { ...change(current), id };
      if (await this.writeTenant(current, next, out.Item.version as number | undefined)) return next;
      if (attempt >= CHANGE_ATTEMPTS) {
        throw new DomainError('CONFLICT', `tenant ${id} changed under each of ${CHANGE_ATTEMPTS} tries to update it; try again`);
      }
      await sleep(Math.random() * backoffMs(attempt));
    }
  }

  async updateTenant(t: Tenant): Promise<void> {
    await this.changeTenant(t.id, () => t);
  }

  /**
   * Writes `next` over `current` if the item still has the version read
   * (items written before versions existed have none: then only if it still
   * has none), moving the token item in the same transaction. False when
   * another write came first: the caller reads again and retries.
   */
  private async writeTenant(current: Tenant, next: Tenant, version: number | undefined): Promise<boolean> {
    const tokenMoves = current.tokenHash !== next.tokenHash;
    try {
      await this.db.send(new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: this.table,
              Item: tenantItem(next, (version ?? 0) + 1),
              ...(version === undefined
                ? { ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#v)', ExpressionAttributeNames: { '#v': 'version' } }
                : { ConditionExpression: '#v = :v', ExpressionAttributeNames: { '#v': 'version' }, ExpressionAttributeValues: { ':v': version } }),
            },
          },
          ...(tokenMoves
            ? [
                { Delete: { TableName: this.table, Key: key.token(current.tokenHash) } },
                { Put: { TableName: this.table, Item: tokenItem(next) } },
              ]
            : []),
        ],
      }));
      return true;
    } catch (err) {
      // The version check failed, or DynamoDB refused the transaction because another one held one of its items.
      const codes = cancellationCodes(err);
      if (codes && (codes[0] === 'ConditionalCheckFailed' || codes.includes('TransactionConflict'))) return false;
      throw err;
    }
  }

  async createDomain(d: DomainRecord): Promise<void> {
    await this.putNew(
      { ...d, ...key.domain(d.domain), gsi1pk: `TENANT#${d.tenantId}#DOMAINS`, gsi1sk: d.domain.toLowerCase(), ...domainTreeKeys(d.domain), entity: 'domain' },
      () => new DomainError('DOMAIN_TAKEN', `domain ${d.domain} is already registered`),
    );
  }

  async getDomain(domain: string): Promise<DomainRecord | undefined> {
    return this.getItem<DomainRecord>(key.domain(domain));
  }

  async listDomains(tenantId: string): Promise<DomainRecord[]> {
    return (await this.listGsi1<DomainRecord>(`TENANT#${tenantId}#DOMAINS`)).sort(byName<DomainRecord>('domain'));
  }

  async listDomainsUnder(domain: string): Promise<DomainRecord[]> {
    const { gsi2pk, gsi2sk } = domainTreeKeys(domain);
    const items = await queryAll(this.db, {
      TableName: this.table, IndexName: GSI2, KeyConditionExpression: 'gsi2pk = :p AND begins_with(gsi2sk, :s)',
      ExpressionAttributeValues: { ':p': gsi2pk, ':s': gsi2sk },
    });
    // The prefix matches the domain itself too: only strictly lower ones count.
    return items.map((i) => stripKeys<DomainRecord>(i)!).filter((d) => d.domain !== domain.toLowerCase()).sort(byName<DomainRecord>('domain'));
  }

  async deleteDomain(tenantId: string, domain: string): Promise<boolean> {
    return this.deleteOwned(key.domain(domain), tenantId);
  }

  async createUser(u: SmtpUser): Promise<void> {
    await this.putNew(userItem(u), () => new DomainError('USER_EXISTS', `user ${u.username} already exists`));
  }

  async getUser(username: string): Promise<SmtpUser | undefined> {
    return this.getItem<SmtpUser>(key.user(username));
  }

  async listUsers(tenantId: string): Promise<SmtpUser[]> {
    return (await this.listGsi1<SmtpUser>(`TENANT#${tenantId}#USERS`)).sort(byName<SmtpUser>('username'));
  }

  async updateUser(u: SmtpUser): Promise<void> {
    try {
      await this.db.send(new PutCommand({
        TableName: this.table,
        Item: userItem(u),
        // Only an existing user of the same tenant is replaced; an update never creates.
        ConditionExpression: 'attribute_exists(pk) AND tenantId = :t',
        ExpressionAttributeValues: { ':t': u.tenantId },
      }));
    } catch (err) {
      if (!isConditionalFailure(err)) throw err;
    }
  }

  async deleteUser(tenantId: string, username: string): Promise<boolean> {
    return this.deleteOwned(key.user(username), tenantId);
  }

  async createIpUser(ip: IpUser, quota: number): Promise<void> {
    try {
      await this.db.send(new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: this.table,
              Key: key.ipUserCount(ip.tenantId),
              UpdateExpression: 'ADD #n :one',
              ConditionExpression: 'attribute_not_exists(#n) OR #n < :quota',
              ExpressionAttributeNames: { '#n': 'count' },
              ExpressionAttributeValues: { ':one': 1, ':quota': quota },
            },
          },
          {
            Put: {
              TableName: this.table,
              Item: { ...ip, ...key.ipUser(ip.tenantId, ip.id), gsi1pk: 'IPUSERS', gsi1sk: `${ip.tenantId}#${ip.id}`, entity: 'ipuser' },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
      }));
    } catch (err) {
      const failed = cancelledConditions(err);
      if (failed?.includes(0)) throw new DomainError('QUOTA_EXCEEDED', `IP user quota reached: ${quota} in use`);
      if (failed?.includes(1)) throw new DomainError('CONFLICT', `IP user ${ip.id} already exists`);
      throw err;
    }
  }

  async listIpUsers(tenantId: string): Promise<IpUser[]> {
    const items = await queryAll(this.db, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :p AND begins_with(sk, :s)',
      ExpressionAttributeValues: { ':p': `TENANT#${tenantId}`, ':s': 'IPUSER#' },
    });
    return items.map((i) => stripKeys<IpUser>(i)!).sort(byName<IpUser>('id'));
  }

  async listAllIpUsers(): Promise<IpUser[]> {
    return this.listGsi1<IpUser>('IPUSERS');
  }

  async deleteIpUser(tenantId: string, id: string): Promise<boolean> {
    try {
      await this.db.send(new TransactWriteCommand({
        TransactItems: [
          { Delete: { TableName: this.table, Key: key.ipUser(tenantId, id), ConditionExpression: 'attribute_exists(pk)' } },
          {
            Update: {
              TableName: this.table,
              Key: key.ipUserCount(tenantId),
              UpdateExpression: 'ADD #n :minus',
              ExpressionAttributeNames: { '#n': 'count' },
              ExpressionAttributeValues: { ':minus': -1 },
            },
          },
        ],
      }));
      return true;
    } catch (err) {
      if (cancelledConditions(err)?.includes(0)) return false;
      throw err;
    }
  }

  private async getItem<T>(k: { pk: string; sk: string }): Promise<T | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: k }));
    return stripKeys<T>(out.Item);
  }

  private async listGsi1<T>(gsi1pk: string): Promise<T[]> {
    const items = await queryAll(this.db, byGsi1(this.table, gsi1pk));
    return items.map((i) => stripKeys<T>(i)!);
  }

  /** Puts an item only when its key is free; a taken key throws `taken()`. */
  private async putNew(item: Record<string, unknown>, taken: () => DomainError): Promise<void> {
    try {
      await this.db.send(new PutCommand({ TableName: this.table, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }));
    } catch (err) {
      if (isConditionalFailure(err)) throw taken();
      throw err;
    }
  }

  /** Deletes an item only when it belongs to `tenantId`; false when absent or someone else's. */
  private async deleteOwned(k: { pk: string; sk: string }, tenantId: string): Promise<boolean> {
    try {
      await this.db.send(new DeleteCommand({
        TableName: this.table, Key: k, ConditionExpression: 'tenantId = :t', ExpressionAttributeValues: { ':t': tenantId },
      }));
      return true;
    } catch (err) {
      if (isConditionalFailure(err)) return false;
      throw err;
    }
  }
}
