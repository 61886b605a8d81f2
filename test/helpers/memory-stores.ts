// In-memory implementations of the store ports, for unit tests of code that
// sits on top of them (the API, tenant operations). They keep the contract's
// observable rules — DOMAIN_TAKEN, USER_EXISTS, atomic IP-user quota, sender
// versions, tenant scoping — so tests against them mean something; the real
// adapters are tested by the contract suite.
import { DomainError } from '../../core/errors.js';
import type { DomainRecord, IpUser, MessageRecord, SenderRecord, SmtpUser, Tenant } from '../../core/model.js';
import type { JobQueue, MessageQuery, MessageStore, SenderStore, SpoolStore, TenantStore } from '../../core/ports.js';

const copy = <T>(v: T): T => structuredClone(v);

export class MemoryTenantStore implements TenantStore {
  readonly tenants = new Map<string, Tenant>();
  readonly domains = new Map<string, DomainRecord>();
  readonly users = new Map<string, SmtpUser>();
  readonly ipUsers = new Map<string, IpUser>();

  async createTenant(t: Tenant) { this.tenants.set(t.id, copy(t)); }
  async getTenant(id: string) { return copy(this.tenants.get(id)); }
  async getTenantByTokenHash(h: string) { return copy([...this.tenants.values()].find((t) => t.tokenHash === h)); }
  async listTenants() { return [...this.tenants.values()].map(copy); }
  async updateTenant(t: Tenant) { this.tenants.set(t.id, copy(t)); }

  async createDomain(d: DomainRecord) {
    if (this.domains.has(d.domain)) throw new DomainError('DOMAIN_TAKEN', `${d.domain} is taken`);
    this.domains.set(d.domain, copy(d));
  }
  async getDomain(domain: string) { return copy(this.domains.get(domain)); }
  async listDomains(tenantId: string) { return [...this.domains.values()].filter((d) => d.tenantId === tenantId).map(copy); }
  async deleteDomain(tenantId: string, domain: string) {
    return this.domains.get(domain)?.tenantId === tenantId && this.domains.delete(domain);
  }

  async createUser(u: SmtpUser) {
    if (this.users.has(u.username)) throw new DomainError('USER_EXISTS', `${u.username} exists`);
    this.users.set(u.username, copy(u));
  }
  async getUser(username: string) { return copy(this.users.get(username)); }
  async listUsers(tenantId: string) { return [...this.users.values()].filter((u) => u.tenantId === tenantId).map(copy); }
  async updateUser(u: SmtpUser) { this.users.set(u.username, copy(u)); }
  async deleteUser(tenantId: string, username: string) {
    return this.users.get(username)?.tenantId === tenantId && this.users.delete(username);
  }

  async createIpUser(ip: IpUser, quota: number) {
    const count = [...this.ipUsers.values()].filter((u) => u.tenantId === ip.tenantId).length;
    if (count >= quota) throw new DomainError('QUOTA_EXCEEDED', `quota ${quota} reached`);
    this.ipUsers.set(ip.id, copy(ip));
  }
  async listIpUsers(tenantId: string) { return [...this.ipUsers.values()].filter((u) => u.tenantId === tenantId).map(copy); }
  async listAllIpUsers() { return [...this.ipUsers.values()].map(copy); }
  async deleteIpUser(tenantId: string, id: string) {
    return this.ipUsers.get(id)?.tenantId === tenantId && this.ipUsers.delete(id);
  }
}

export class MemoryMessageStore implements MessageStore {
  readonly records = new Map<string, MessageRecord>();

  async get(id: string) { return copy(this.records.get(id)); }
  async put(r: MessageRecord) { this.records.set(r.id, copy(r)); }
  async list(tenantId: string, q: MessageQuery) {
    const matches = [...this.records.values()]
      .filter((m) => m.tenantId === tenantId)
      .filter((m) => !q.sender || m.sender === q.sender)
      .filter((m) => !q.verdict || m.verdict?.verdict === q.verdict)
      .filter((m) => !q.status || m.status === q.status)
      .filter((m) => !q.recipient || m.envelope.rcptTo.includes(q.recipient))
      .filter((m) => !q.subject || (m.subject ?? '').toLowerCase().includes(q.subject.toLowerCase()))
      .filter((m) => !q.since || m.receivedAt >= q.since)
      .filter((m) => !q.until || m.receivedAt < q.until)
      .sort((a, b) => b.receivedAt.localeCompare(a.receivedAt) || b.id.localeCompare(a.id));
    const offset = q.cursor ? Number(q.cursor) : 0;
    const limit = q.limit ?? 50;
    const items = matches.slice(offset, offset + limit).map(copy);
    return offset + limit < matches.length ? { items, cursor: String(offset + limit) } : { items };
  }
  async listPendingBySender(tenantId: string, sender: string) {
    return [...this.records.values()]
      .filter((m) => m.tenantId === tenantId && m.sender === sender && ['accepted', 'queued', 'delivering'].includes(m.status))
      .map(copy);
  }
}

export class MemorySenderStore implements SenderStore {
  readonly records = new Map<string, SenderRecord & { version: number }>();
  readonly counters = new Map<string, Record<string, number>>();

  async get(tenantId: string, sender: string) { return copy(this.records.get(`${tenantId}\n${sender}`)); }
  async list(tenantId: string) {
    return [...this.records.values()].filter((r) => r.tenantId === tenantId).map(({ version: _v, ...r }) => copy(r));
  }
  async save(r: SenderRecord, expectedVersion: number) {
    const key = `${r.tenantId}\n${r.sender}`;
    if ((this.records.get(key)?.version ?? 0) !== expectedVersion) return false;
    this.records.set(key, { ...copy(r), version: expectedVersion + 1 });
    return true;
  }
  async increment(tenantId: string, sender: string, bucket: string, deltas: Record<string, number>) {
    const key = `${tenantId}\n${sender}\n${bucket}`;
    const cur = { ...(this.counters.get(key) ?? {}) };
    for (const [k, d] of Object.entries(deltas)) cur[k] = (cur[k] ?? 0) + d;
    this.counters.set(key, cur);
    return { ...cur };
  }
}

export class MemorySpoolStore implements SpoolStore {
  readonly bodies = new Map<string, Buffer>();
  async put(key: string, body: AsyncIterable<Uint8Array>) {
    const chunks: Buffer[] = [];
    for await (const c of body) chunks.push(Buffer.from(c));
    const buf = Buffer.concat(chunks);
    this.bodies.set(key, buf);
    return { size: buf.length };
  }
  async get(key: string) {
    const b = this.bodies.get(key);
    if (!b) throw new DomainError('NOT_FOUND', `no spool entry ${key}`);
    return b;
  }
  async delete(key: string) { this.bodies.delete(key); }
}

/** Records every job sent, in order, with its delay. */
export class MemoryQueue<J> implements JobQueue<J> {
  readonly sent: { job: J; delaySeconds?: number }[] = [];
  async send(job: J, delaySeconds?: number) { this.sent.push({ job: copy(job), ...(delaySeconds !== undefined ? { delaySeconds } : {}) }); }
}
