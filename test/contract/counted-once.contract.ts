// Contract: a message moves its sender's rate counters once, however often
// its score job runs — run again after a crash, on the same handle or on
// another one at the same time (two Lambdas given one redelivered SQS
// message, two local workers). Run through core (assessSender, the score
// step) on each store; the store's part is SenderStore.incrementOnce, which
// writes a per-message marker and the increments as one atomic step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MessageRecord, Tenant } from '../../core/model.js';
import type { SenderStore, Transport } from '../../core/ports.js';
import { DEFAULT_PIPELINE_CONFIG, type PipelineDeps } from '../../core/pipeline/deps.js';
import { handleScoreJob } from '../../core/pipeline/score.js';
import { bucket, ipUserKey } from '../../core/reputation/counters.js';
import { assessSender } from '../../core/reputation/index.js';
import type { CounterIncrement } from '../../core/reputation/ports.js';
import { scoreContent, type ContentResult } from '../../core/scoring/index.js';
import { DEFAULT_TENANT_SETTINGS } from '../../core/settings.js';
import { chunks, messageRecord, TestClock, type ContractStores, type StoresFactory } from './factory.js';

/** Far ahead of the wall clock: DynamoDB Local may delete items whose TTL is in its own past. */
const START = Date.UTC(2040, 0, 1, 12, 0, 0);
const SENDER = 'alice@example.com';
const RCPTS = ['bob@example.net', 'carol@example.net', 'dave@example.org'];

const tenant: Tenant = { id: 't1', name: 'Tenant 1', tokenHash: 'hash-t1', ipUserQuota: 5, settings: DEFAULT_TENANT_SETTINGS, createdAt: new Date(START).toISOString() };

function message(id: string, over: Partial<MessageRecord> = {}): MessageRecord {
  const at = new Date(START).toISOString();
  return messageRecord(id, {
    sender: SENDER, envelope: { mailFrom: SENDER, rcptTo: RCPTS }, receivedAt: at, updatedAt: at,
    recipients: RCPTS.map((rcpt) => ({ rcpt, state: 'pending' as const, attempts: 0 })), ...over,
  });
}

const ipUserMessage = (id: string) => message(id, { identity: { kind: 'ip-user', tenantId: 't1', ipUserId: 'ip1', cidr: '192.0.2.0/24' } });

function clean(fingerprint = 'newsletter-body'): ContentResult {
  return { signals: [], facts: { urls: [], bodyFingerprint: fingerprint } as unknown as ContentResult['facts'] };
}

/** Every rate counter a scored message moves, read back (named with a delta of 0). */
async function counters(store: SenderStore, clock: TestClock, fingerprint = 'newsletter-body'): Promise<Record<string, Record<string, number>>> {
  const now = clock.now();
  const read = (sender: string, b: string, names: string[]) => store.increment('t1', sender, b, Object.fromEntries(names.map((n) => [n, 0])), 3600);
  return {
    minute: await read(SENDER, bucket.minute(now), ['messages', 'recipients']),
    hour: await read(SENDER, bucket.hour(now), ['messages', 'recipients', 'domains', 'sampled', 'newRcpts', 'invalid', 'attempted']),
    day: await read(SENDER, bucket.day(now), ['messages', 'recipients']),
    fanout: await read(SENDER, bucket.fanout(now, fingerprint), ['recipients']),
    ipUser: await read(ipUserKey('ip1'), bucket.hour(now), ['newSenders', 'messages']),
  };
}

/** The counters after `n` distinct messages of RCPTS (two recipient domains, three new recipients the first time). */
function expected(n: number, ipUser: boolean): Record<string, Record<string, number>> {
  return {
    minute: { messages: n, recipients: 3 * n },
    hour: { messages: n, recipients: 3 * n, domains: 2, sampled: 3 * n, newRcpts: 3, invalid: 0, attempted: 0 },
    day: { messages: n, recipients: 3 * n },
    fanout: { recipients: 3 * n },
    ipUser: ipUser ? { newSenders: 1, messages: n } : { newSenders: 0, messages: 0 },
  };
}

async function profileOf(store: SenderStore): Promise<{ messages: number; recipients: number; assessed: string[] }> {
  const rec = await store.get('t1', SENDER);
  return rec?.reputation?.['profile'] as { messages: number; recipients: number; assessed: string[] };
}

/** The score step's ports on this adapter set; `failVerdictSaves` verdict saves throw first (a crash before the verdict is stored). */
function pipeline(s: ContractStores, clock: TestClock, failVerdictSaves: number): PipelineDeps {
  const transport: Transport = { async send() { throw new Error('no delivery in this test'); } };
  let failures = failVerdictSaves;
  const messages: PipelineDeps['messages'] = {
    get: (id) => s.messages.get(id), list: (t, q) => s.messages.list(t, q), listPendingBySender: (t, x) => s.messages.listPendingBySender(t, x),
    // The verdict is written with a compare-and-set (score.ts saveVerdict); either way of writing it can crash.
    async putIfUnchanged(record, expected) {
      if (record.status !== 'accepted' && failures-- > 0) throw new Error('simulated crash before the verdict was stored');
      return s.messages.putIfUnchanged(record, expected);
    },
    async put(record) {
      if (record.status !== 'accepted' && failures-- > 0) throw new Error('simulated crash before the verdict was stored');
      await s.messages.put(record);
    },
  };
  return {
    clock, config: DEFAULT_PIPELINE_CONFIG, spool: s.spool, tenants: s.tenants, messages, senders: s.senders, intake: s.intake,
    scoreQueue: s.scoreQueue, deliverQueue: s.deliverQueue, transport, campaigns: s.campaigns,
  };
}

export function countedOnceContract(factory: StoresFactory): void {
  test('a message assessed twice moves every rate counter once', async () => {
    const clock = new TestClock(START);
    const s = await factory(clock);
    try {
      const m = ipUserMessage('m-retried');
      const first = await assessSender({ clock, senders: s.senders }, tenant, m, clean());
      clock.advance(20); // the retry comes a little later, still in the same minute
      const again = await assessSender({ clock, senders: s.senders }, tenant, m, clean());
      assert.deepEqual(await counters(s.senders, clock), expected(1, true));
      assert.deepEqual(again.signals, first.signals, 'the retry sees the counters as the first run left them');
      const p = await profileOf(s.senders);
      assert.equal(p.messages, 1);
      assert.deepEqual(p.assessed, ['m-retried']);
    } finally { await s.close(); }
  });

  test('two different messages move every rate counter twice', async () => {
    const clock = new TestClock(START);
    const s = await factory(clock);
    try {
      await assessSender({ clock, senders: s.senders }, tenant, ipUserMessage('m-one'), clean());
      await assessSender({ clock, senders: s.senders }, tenant, ipUserMessage('m-two'), clean());
      assert.deepEqual(await counters(s.senders, clock), expected(2, true));
      assert.equal((await profileOf(s.senders)).messages, 2);
    } finally { await s.close(); }
  });

  test('one message assessed concurrently on two handles moves every rate counter once and no domain or recipient is new twice', async () => {
    const clock = new TestClock(START);
    const s = await factory(clock);
    const other = await s.reopen();
    try {
      const m = message('m-redelivered');
      await Promise.all(Array.from({ length: 6 }, (_, i) => assessSender({ clock, senders: (i % 2 ? s : other).senders }, tenant, m, clean())));
      const got = await counters(s.senders, clock);
      const { domains, newRcpts, ...hour } = got.hour!;
      const { domains: _d, newRcpts: _n, ...hourExpected } = expected(1, false).hour!;
      assert.deepEqual({ ...got, hour }, { ...expected(1, false), hour: hourExpected });
      // Which run first saw a domain or a recipient (the distinct claims come before the marker) need not be
      // the run that counts: of concurrent runs, the count may miss one it saw first. Never more than once.
      assert.ok(domains! <= 2, `recipient domains counted at most once (${domains})`);
      assert.ok(newRcpts! <= 3, `new recipients counted at most once (${newRcpts})`);
      const p = await profileOf(s.senders);
      assert.equal(p.messages, 1);
      assert.equal(p.recipients, 3);
    } finally { await other.close(); await s.close(); }
  });

  test('different messages assessed concurrently on two handles are each counted', async () => {
    const clock = new TestClock(START);
    const s = await factory(clock);
    const other = await s.reopen();
    try {
      await Promise.all(Array.from({ length: 6 }, (_, i) => assessSender({ clock, senders: (i % 2 ? s : other).senders }, tenant, message(`m-${i}`), clean())));
      assert.deepEqual(await counters(s.senders, clock), expected(6, false));
      assert.equal((await profileOf(s.senders)).messages, 6);
    } finally { await other.close(); await s.close(); }
  });

  test('incrementOnce adds under a new marker, only reads under a known one, and of concurrent calls with one marker exactly one counts', async () => {
    const clock = new TestClock(START);
    const s = await factory(clock);
    const other = await s.reopen();
    try {
      const inc: CounterIncrement[] = [{ sender: SENDER, bucket: 'w1', deltas: { messages: 1, recipients: 4 }, ttlSeconds: 3600 }, { sender: 'ipuser:x', bucket: 'w1', deltas: { messages: 1 }, ttlSeconds: 3600 }];
      assert.deepEqual(await s.senders.incrementOnce('t1', { sender: SENDER, bucket: 'msg:a' }, inc, 86_400), { counted: true, values: [{ messages: 1, recipients: 4 }, { messages: 1 }] });
      assert.deepEqual(await other.senders.incrementOnce('t1', { sender: SENDER, bucket: 'msg:a' }, inc, 86_400), { counted: false, values: [{ messages: 1, recipients: 4 }, { messages: 1 }] });
      const racing = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? s : other).senders.incrementOnce('t1', { sender: SENDER, bucket: 'msg:b' }, inc, 86_400)));
      assert.equal(racing.filter((r) => r.counted).length, 1);
      assert.equal(racing.find((r) => r.counted)!.values[0]!.messages, 2, 'the caller that counts reads its increment in');
      // A caller that finds the marker may read before the counting call's updates land (DynamoDB claims the marker first).
      assert.ok(racing.every((r) => r.values[0]!.messages === 1 || r.values[0]!.messages === 2), 'no caller reads the increment in twice');
      assert.deepEqual(await s.senders.increment('t1', SENDER, 'w1', { messages: 0, recipients: 0 }, 3600), { messages: 2, recipients: 8 });
    } finally { await other.close(); await s.close(); }
  });

  test('incrementOnce starts an expired counter afresh, and counts a marker again once it has expired', async () => {
    const clock = new TestClock(START);
    const s = await factory(clock);
    try {
      const inc: CounterIncrement[] = [{ sender: SENDER, bucket: 'w', deltas: { messages: 1 }, ttlSeconds: 60 }];
      await s.senders.incrementOnce('t1', { sender: SENDER, bucket: 'msg:a' }, inc, 120);
      clock.advance(61);
      assert.deepEqual(await s.senders.incrementOnce('t1', { sender: SENDER, bucket: 'msg:b' }, inc, 120), { counted: true, values: [{ messages: 1 }] });
      assert.deepEqual((await s.senders.incrementOnce('t1', { sender: SENDER, bucket: 'msg:a' }, inc, 120)).counted, false, 'the marker outlives the counter');
      clock.advance(59); // the marker is 120 s old: expired; the counter restarted at 61 s is not
      assert.deepEqual(await s.senders.incrementOnce('t1', { sender: SENDER, bucket: 'msg:a' }, inc, 120), { counted: true, values: [{ messages: 2 }] });
    } finally { await s.close(); }
  });

  test('a score job that runs again after its verdict failed to save counts its message once', async () => {
    const clock = new TestClock(START);
    const s = await factory(clock);
    try {
      await s.tenants.createTenant(tenant);
      const raw = `From: Alice <${SENDER}>\r\nTo: bob@example.net\r\nSubject: Minutes of Tuesday\r\nMessage-ID: <msg-job-0001@example.com>\r\n\r\nHello Bob, the minutes are attached below.\r\n`;
      await s.spool.put('msg-job-0001', chunks(raw));
      await s.messages.put(message('msg-job-0001', { spoolKey: 'msg-job-0001' }));
      const deps = pipeline(s, clock, 1);
      await assert.rejects(handleScoreJob(deps, { messageId: 'msg-job-0001' }), /simulated crash/);
      assert.equal((await s.messages.get('msg-job-0001'))?.status, 'accepted', 'the verdict was not stored: the job runs again in full');
      clock.advance(30);
      await handleScoreJob(deps, { messageId: 'msg-job-0001' });
      assert.equal((await s.messages.get('msg-job-0001'))?.status, 'queued');
      const scored = await scoreContent(Buffer.from(raw), { tenantId: 't1', envelope: { mailFrom: SENDER, rcptTo: RCPTS }, identity: message('x').identity, ownedDomains: [] }, {});
      assert.ok(scored.facts.bodyFingerprint, 'the body has a fingerprint (the fanout counter is moved)');
      assert.deepEqual(await counters(s.senders, clock, scored.facts.bodyFingerprint), expected(1, false));
      const p = await profileOf(s.senders);
      assert.equal(p.messages, 1);
      assert.deepEqual(p.assessed, ['msg-job-0001']);
    } finally { await s.close(); }
  });
}
