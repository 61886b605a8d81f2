// Tenants, domains, SMTP users and IP users in SQLite (JSON documents).
import { stmt, writeTransaction, type Db } from './sqlite.js';
import { DomainError } from '../../core/errors.js';
import type { TenantStore } from '../../core/ports.js';
import type { DomainRecord, IpUser, SmtpUser, Tenant } from '../../core/model.js';

const parse = <T>(row: unknown): T | undefined => (row ? (JSON.parse((row as { data: string }).data) as T) : undefined);
const parseAll = <T>(rows: unknown[]): T[] => rows.map((r) => JSON.parse((r as { data: string }).data) as T);

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || (err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE';
}

export class SqliteTenantStore implements TenantStore {
  constructor(private readonly db: Db) {}

  async createTenant(t: Tenant): Promise<void> {
    stmt(this.db, 'INSERT INTO tenants (id, token_hash, data) VALUES (?, ?, ?)').run(t.id, t.tokenHash, JSON.stringify(t));
  }
  async getTenant(id: string) {
    return parse<Tenant>(stmt(this.db, 'SELECT data FROM tenants WHERE id = ?').get(id));
  }
  async getTenantByTokenHash(hash: string) {
    return parse<Tenant>(stmt(this.db, 'SELECT data FROM tenants WHERE token_hash = ?').get(hash));
  }
  async listTenants() {
    return parseAll<Tenant>(stmt(this.db, 'SELECT data FROM tenants ORDER BY id').all());
  }
  async changeTenant(id: string, change: (current: Tenant) => Tenant): Promise<Tenant | undefined> {
    // Read and write in one BEGIN IMMEDIATE transaction: no other connection
    // (ingress process, worker) nor other call in this one writes in between,
    // so `change` always sees the latest record and runs once.
    return writeTransaction(this.db, () => {
      const current = parse<Tenant>(stmt(this.db, 'SELECT data FROM tenants WHERE id = ?').get(id));
      if (!current) return undefined;
      const next = { ...change(current), id };
      this.writeTenant(next);
      return next;
    })();
  }
  async updateTenant(t: Tenant): Promise<void> {
    this.writeTenant(t);
  }
  private writeTenant(t: Tenant): void {
    stmt(this.db, 'UPDATE tenants SET token_hash = ?, data = ? WHERE id = ?').run(t.tokenHash, JSON.stringify(t), t.id);
  }

  async createDomain(d: DomainRecord): Promise<void> {
    try {
      stmt(this.db, 'INSERT INTO domains (domain, tenant_id, data) VALUES (?, ?, ?)').run(d.domain, d.tenantId, JSON.stringify(d));
    } catch (err) {
      if (isUniqueViolation(err)) throw new DomainError('DOMAIN_TAKEN', `domain ${d.domain} is already registered`);
      throw err;
    }
  }
  async getDomain(domain: string) {
    return parse<DomainRecord>(stmt(this.db, 'SELECT data FROM domains WHERE domain = ?').get(domain.toLowerCase()));
  }
  async listDomains(tenantId: string) {
    return parseAll<DomainRecord>(stmt(this.db, 'SELECT data FROM domains WHERE tenant_id = ? ORDER BY domain').all(tenantId));
  }
  async listDomainsUnder(domain: string) {
    // Domain names hold no LIKE wildcards once normalised, but a raw caller's input could: escape them.
    const pattern = `%.${domain.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}`;
    return parseAll<DomainRecord>(stmt(this.db, "SELECT data FROM domains WHERE domain LIKE ? ESCAPE '\\' ORDER BY domain").all(pattern));
  }
  async deleteDomain(tenantId: string, domain: string) {
    return stmt(this.db, 'DELETE FROM domains WHERE tenant_id = ? AND domain = ?').run(tenantId, domain.toLowerCase()).changes > 0;
  }

  async createUser(u: SmtpUser): Promise<void> {
    try {
      stmt(this.db, 'INSERT INTO users (username, tenant_id, data) VALUES (?, ?, ?)').run(u.username, u.tenantId, JSON.stringify(u));
    } catch (err) {
      if (isUniqueViolation(err)) throw new DomainError('USER_EXISTS', `user ${u.username} already exists`);
      throw err;
    }
  }
  async getUser(username: string) {
    return parse<SmtpUser>(stmt(this.db, 'SELECT data FROM users WHERE username = ?').get(username.toLowerCase()));
  }
  async listUsers(tenantId: string) {
    return parseAll<SmtpUser>(stmt(this.db, 'SELECT data FROM users WHERE tenant_id = ? ORDER BY username').all(tenantId));
  }
  async updateUser(u: SmtpUser): Promise<void> {
    stmt(this.db, 'UPDATE users SET data = ? WHERE username = ?').run(JSON.stringify(u), u.username);
  }
  async deleteUser(tenantId: string, username: string) {
    return stmt(this.db, 'DELETE FROM users WHERE tenant_id = ? AND username = ?').run(tenantId, username.toLowerCase()).changes > 0;
  }

  async createIpUser(ip: IpUser, quota: number): Promise<void> {
    // Count and insert in one transaction: two concurrent requests cannot both take the last slot.
    writeTransaction(this.db, () => {
      const { n } = stmt(this.db, 'SELECT count(*) AS n FROM ip_users WHERE tenant_id = ?').get(ip.tenantId) as { n: number };
      if (n >= quota) throw new DomainError('QUOTA_EXCEEDED', `IP user quota reached: ${n} of ${quota} in use`);
      stmt(this.db, 'INSERT INTO ip_users (id, tenant_id, data) VALUES (?, ?, ?)').run(ip.id, ip.tenantId, JSON.stringify(ip));
    })();
  }
  async listIpUsers(tenantId: string) {
    return parseAll<IpUser>(stmt(this.db, 'SELECT data FROM ip_users WHERE tenant_id = ? ORDER BY id').all(tenantId));
  }
  async listAllIpUsers() {
    return parseAll<IpUser>(stmt(this.db, 'SELECT data FROM ip_users').all());
  }
  async deleteIpUser(tenantId: string, id: string) {
    return stmt(this.db, 'DELETE FROM ip_users WHERE tenant_id = ? AND id = ?').run(tenantId, id).changes > 0;
  }
}
