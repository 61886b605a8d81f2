// Factories for the reputation tests: a settable clock, real in-memory
// stores, tenants, users and messages that look like the ones the pipeline
// builds. No mocks: the policy runs on the same adapters as the simulation.
import { MemoryCampaignIndex } from '../../adapters/memory/campaign-index.js';
import { MemoryMessageStore } from '../../adapters/memory/message-store.js';
import { MemorySenderStore } from '../../adapters/memory/sender-store.js';
import type { Identity, MessageRecord, SmtpUser, Tenant, TenantSettings } from '../../core/model.js';
import type { Notifier, OutboundMessage, RecipientResult, SpoolStore, Transport } from '../../core/ports.js';
import { assessSender, recordDeliveryOutcome, type ReputationDeps, type SenderAssessment } from '../../core/reputation/index.js';
import type { ContentResult } from '../../core/scoring/index.js';
import { DEFAULT_TENANT_SETTINGS } from '../../core/settings.js';

export class TestClock {
  t: number;
  constructor(iso = '2026-03-02T09:00:00Z') { this.t = Date.parse(iso); }
  now(): Date { return new Date(this.t); }
  advance(ms: number): void { this.t += ms; }
}

export const MIN = 60_000, HOUR = 3_600_000, DAY = 86_400_000;

export function makeTenant(id = 't1', settings: Partial<TenantSettings> = {}): Tenant {
  return { id, name: id, tokenHash: '', ipUserQuota: 2, createdAt: '2026-01-01T00:00:00Z', settings: { ...DEFAULT_TENANT_SETTINGS, ...settings } };
}

export interface World {
  clock: TestClock;
  deps: ReputationDeps;
  users: Map<string, SmtpUser>;
  tenants: Map<string, Tenant>;
  events: { type: string; sender?: string; detail: unknown }[];
  sent: OutboundMessage[];
  spool: Map<string, Buffer>;
  messages: MemoryMessageStore;
}

export function makeWorld(tenants: Tenant[] = [makeTenant()]): World {
  const clock = new TestClock();
  const users = new Map<string, SmtpUser>();
  const tmap = new Map(tenants.map((t) => [t.id, t]));
  const events: World['events'] = [];
  const sent: OutboundMessage[] = [];
  const spool = new Map<string, Buffer>();
  const messages = new MemoryMessageStore();
  const notifier: Notifier = { async notify(_t, e) { events.push(e); } };
  const transport: Transport = { async send(m): Promise<RecipientResult[]> { sent.push(m); return m.rcptTo.map((r) => ({ rcpt: r, code: 250, reply: '250 OK' })); } };
  const spoolStore: SpoolStore = {
    async put() { throw new Error('not used'); },
    async get(key) { const b = spool.get(key); if (!b) throw new Error(`no ${key}`); return b; },
    async delete(key) { spool.delete(key); },
  };
  const deps: ReputationDeps = {
    clock, senders: new MemorySenderStore(clock), campaigns: new MemoryCampaignIndex(), messages, notifier, transport, spool: spoolStore,
    tenants: { getUser: async (u) => users.get(u), getTenant: async (id) => tmap.get(id) },
    config: { hostname: 'gw.test' },
  };
  return { clock, deps, users, tenants: tmap, events, sent, spool, messages };
}

export function addMailboxUser(w: World, tenantId: string, address: string): Identity {
  w.users.set(address, {
    tenantId, username: address, kind: 'mailbox', passwordHash: '', passwordVersion: 1,
    createdAt: '2026-01-01T00:00:00Z', passwordChangedAt: '2026-01-01T00:00:00Z',
  });
  return { kind: 'smtp-user', tenantId, username: address, userKind: 'mailbox' };
}

export function domainUser(tenantId: string, domain: string): Identity {
  return { kind: 'smtp-user', tenantId, username: domain, userKind: 'domain' };
}

let seq = 0;
export function makeMessage(w: World, identity: Identity, sender: string, rcptTo: string[], over: Partial<MessageRecord> = {}): MessageRecord {
  const at = w.clock.now().toISOString();
  const id = `msg-${++seq}`;
  return {
    id, tenantId: identity.tenantId, spoolKey: `spool/${id}`, headerFrom: over.headerFrom ?? `"Alice" <${sender}>`,
    envelope: { mailFrom: sender, rcptTo }, clientIp: '192.0.2.10', identity, sender, size: 1000, receivedAt: at,
    status: 'accepted', recipients: [], updatedAt: at, ...over,
  };
}

export function content(score: number, facts: Partial<ContentResult['facts']> & Record<string, unknown> = {}): ContentResult {
  return { signals: score > 0 ? [{ name: 'content-test', weight: score }] : [], facts: { urls: [], bodyFingerprint: `fp-${++seq}`, ...facts } as ContentResult['facts'] };
}

/** `n` distinct recipients on `domains` distinct domains. */
export function rcpts(n: number, tag = 'r', domains = n): string[] {
  return Array.from({ length: n }, (_, i) => `${tag}${i}@d${i % domains}-${tag}.example`);
}

/**
 * Spam from `sender` (content score 7), one new recipient a minute, until the
 * policy locks it (six messages at most); returns the last assessment. With
 * `original`, each message is logged and its source spooled first, as a
 * lock's ARF report needs them.
 */
export async function spamUntilLocked(
  w: World, identity: Identity, sender: string,
  opts: { original?: Buffer; facts?: Partial<ContentResult['facts']> } = {},
): Promise<SenderAssessment | undefined> {
  const tenant = w.tenants.get(identity.tenantId)!;
  let a: SenderAssessment | undefined;
  for (let i = 0; i < 6 && !a?.locked; i++) {
    const m = makeMessage(w, identity, sender, [`v${i}@x.example`]);
    if (opts.original) {
      w.spool.set(m.spoolKey, opts.original);
      await w.messages.put(m);
    }
    a = await assessSender(w.deps, tenant, m, content(7, opts.facts));
    w.clock.advance(MIN);
  }
  return a;
}

/** A message from `sender` to `rcptTo`, every recipient accepted by the receiving side (`reply`). */
export async function deliveredToAll(w: World, identity: Identity, sender: string, rcptTo: string[], reply = '250 ok'): Promise<MessageRecord> {
  const m = makeMessage(w, identity, sender, rcptTo);
  await recordDeliveryOutcome(w.deps, m, rcptTo.map((rcpt) => ({ rcpt, code: 250, reply })));
  return m;
}
