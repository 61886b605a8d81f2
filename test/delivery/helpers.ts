// Shared pieces of the delivery tests: a real receiving SMTP server on
// 127.0.0.1 port 0, a clock the test moves by hand, the lead's local stores
// in a temporary folder, and a DNS resolver that answers from a table.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLocalStores, type LocalStores } from '../../adapters/local/index.js';
import type { MessageRecord } from '../../core/model.js';
import type { Clock, Transport } from '../../core/ports.js';
import { DEFAULT_PIPELINE_CONFIG, type PipelineConfig, type PipelineDeps } from '../../core/pipeline/deps.js';
import { DEFAULT_TENANT_SETTINGS } from '../../core/settings.js';
import { createSmarthostTransport } from '../../adapters/transport/smarthost.js';
import { startReceiver, type Receiver, type Reply } from '../helpers/receiving-smtp.js';

export { startReceiver, type ReceivedMail, type Reply, type ReceiverOptions, type Receiver } from '../helpers/receiving-smtp.js';


/** A clock the test moves by hand. */
export class ManualClock implements Clock {
  constructor(private t: number = Date.parse('2026-11-28T12:00:00Z')) {}
  now(): Date {
    return new Date(this.t);
  }
  advance(seconds: number): void {
    this.t += seconds * 1000;
  }
}

export interface Harness {
  deps: PipelineDeps;
  stores: LocalStores;
  clock: ManualClock;
  close(): void;
}

export function openHarness(transport: Transport, config: Partial<PipelineConfig> = {}): Harness {
  const dir = mkdtempSync(join(tmpdir(), 'rg-delivery-'));
  const clock = new ManualClock();
  const stores = openLocalStores(dir, clock);
  const deps: PipelineDeps = {
    clock,
    config: { ...DEFAULT_PIPELINE_CONFIG, hostname: 'gw.relayguard.test', ...config },
    spool: stores.spool,
    tenants: stores.tenants,
    messages: stores.messages,
    senders: stores.senders,
    intake: stores.intake,
    scoreQueue: stores.scoreQueue,
    deliverQueue: stores.deliverQueue,
    transport,
  };
  return {
    deps,
    stores,
    clock,
    close() {
      stores.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function createTenant(h: Harness, id = 't1'): Promise<void> {
  await h.stores.tenants.createTenant({
    id, name: `Tenant ${id}`, tokenHash: `hash-${id}`, ipUserQuota: 5, settings: DEFAULT_TENANT_SETTINGS, createdAt: h.clock.now().toISOString(),
  });
}

let seq = 0;

/** Spools `raw` and records a message scored clean, the way the score step leaves it. */
export async function queueMessage(h: Harness, mail: { mailFrom: string; rcptTo: string[]; raw: string | Buffer; tenantId?: string }): Promise<MessageRecord> {
  const id = `msg${Date.now().toString(36)}${(seq++).toString().padStart(4, '0')}`;
  const raw = Buffer.isBuffer(mail.raw) ? mail.raw : Buffer.from(mail.raw);
  const { size } = await h.stores.spool.put(id, (async function* () { yield raw; })());
  const now = h.clock.now().toISOString();
  const record: MessageRecord = {
    id,
    tenantId: mail.tenantId ?? 't1',
    spoolKey: id,
    envelope: { mailFrom: mail.mailFrom, rcptTo: mail.rcptTo },
    clientIp: '192.0.2.10',
    identity: { kind: 'smtp-user', tenantId: mail.tenantId ?? 't1', username: 'example.com', userKind: 'domain' },
    sender: mail.mailFrom || 'example.com',
    size,
    receivedAt: now,
    status: 'queued',
    recipients: mail.rcptTo.map((rcpt) => ({ rcpt, state: 'pending' as const, attempts: 0 })),
    updatedAt: now,
  };
  await h.stores.messages.put(record);
  return record;
}

export function sampleMessage(from = 'alice@example.com', to = 'bob@dest.test', subject = 'Quarterly figures'): string {
  return [
    `From: Alice <${from}>`,
    `To: <${to}>`,
    `Subject: ${subject}`,
    'Date: Sat, 28 Nov 2026 12:00:00 +0000',
    `Message-ID: <${Math.random().toString(36).slice(2)}@example.com>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Hello Bob,',
    '',
    'the figures are attached in spirit.',
    '',
  ].join('\r\n');
}

type Answer = string[] | { exchange: string; priority: number }[] | string[][];

/**
 * dns.resolve in callback form answering from `table` (keys `name TYPE`,
 * A when no type is given); anything else is ENOTFOUND, like a real miss.
 */
export function tableResolver(table: Record<string, Answer>) {
  return (name: string, typeOrCb: unknown, maybeCb?: unknown): void => {
    const type = typeof typeOrCb === 'string' ? typeOrCb : 'A';
    const cb = (typeof typeOrCb === 'function' ? typeOrCb : maybeCb) as (err: Error | null, data?: unknown) => void;
    const answer = table[`${name.toLowerCase()} ${type}`];
    setImmediate(() => {
      if (answer) cb(null, answer);
      else cb(Object.assign(new Error(`queryA ENOTFOUND ${name}`), { code: type === 'A' || type === 'AAAA' ? 'ENOTFOUND' : 'ENODATA' }));
    });
  };
}

/**
 * A harness that delivers through the smarthost transport to a real receiving
 * SMTP server on loopback, for tenant t1. `rcpt` answers each RCPT TO (a test
 * can change what it returns between attempts); undefined accepts.
 */
export async function openSmarthostHarness(rcpt: (address: string) => Reply | undefined, config: Partial<PipelineConfig> = {}): Promise<{ h: Harness; receiver: Receiver }> {
  const receiver = await startReceiver({ rcpt });
  const h = openHarness(createSmarthostTransport({ host: '127.0.0.1', port: receiver.port, name: 'gw.relayguard.test' }), config);
  await createTenant(h);
  return { h, receiver };
}
