// An attempt with a deadline ends by it, against real receiving servers on
// loopback that stall at each stage of the session. Durations are not
// asserted: a generous bound only stops a hang (nodemailer alone waits up to
// 10 minutes for a reply); the outcome and what the server saw are.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { createSmarthostTransport } from '../../adapters/transport/smarthost.js';
import { createDirectMxTransport } from '../../adapters/transport/direct-mx.js';
import { OUT_OF_TIME_REPLY } from '../../core/delivery/attempt-deadline.js';
import { classifyReply } from '../../core/delivery/bounce-rules.js';
import { handleDeliverJob } from '../../core/pipeline/deliver.js';
import type { RecipientResult } from '../../core/ports.js';
import { createTenant, openHarness, queueMessage, sampleMessage, tableResolver } from './helpers.js';
import { scriptedMx } from '../helpers/stalling-smtp.js';
import { settleWithin } from '../helpers/settle-within.js';

/** Far past a 1.5 s deadline, far short of nodemailer's own timeouts. */
const HANG_BOUND_MS = 15_000;
const BUDGET_MS = 1_500;
/** Small enough for the short test deadlines to start a session at all. */
const MIN_SESSION_MS = 200;

function smarthost(port: number) {
  return createSmarthostTransport({ host: '127.0.0.1', port, name: 'gw.relayguard.test', minSessionMs: MIN_SESSION_MS });
}

function request(deadline: number, rcptTo = ['bob@dest.test']) {
  return { mailFrom: 'alice@example.com', rcptTo, raw: Buffer.from(sampleMessage()), deadline };
}

/** Sends, failing the test instead of hanging if the attempt outlives HANG_BOUND_MS. */
async function sendBounded(send: () => Promise<RecipientResult[]>): Promise<{ results: RecipientResult[]; endedAt: number }> {
  const results = await settleWithin(send(), HANG_BOUND_MS, 'the attempt did not end');
  return { results, endedAt: Date.now() };
}

function assertOutOfTime(results: RecipientResult[], phase: keyof typeof OUT_OF_TIME_REPLY): void {
  for (const r of results) {
    assert.equal(r.code, 451, r.reply);
    assert.equal(r.reply, OUT_OF_TIME_REPLY[phase]);
    assert.deepEqual(classifyReply(r.code, r.reply), { outcome: 'deferred', category: 'timeout' });
  }
}

describe('a delivery attempt with a deadline', { timeout: 60_000 }, () => {
  it('ends at the deadline when the server accepts the connection but never greets, deferred as not sent', async () => {
    const mx = await scriptedMx('greeting');
    try {
      const deadline = Date.now() + BUDGET_MS;
      const { results, endedAt } = await sendBounded(() => smarthost(mx.port).send(request(deadline)));
      assertOutOfTime(results, 'not-sent');
      assert.ok(endedAt >= deadline - 200, 'it waited for the greeting until the deadline, not less');
      assert.equal(mx.connections, 1);
      assert.deepEqual(mx.commands, [], 'not even EHLO was sent');
    } finally {
      await mx.close();
    }
  });

  it('ends at the deadline when the server never answers the DATA command, without sending the message', async () => {
    const mx = await scriptedMx('data-command');
    try {
      const { results } = await sendBounded(() => smarthost(mx.port).send(request(Date.now() + BUDGET_MS, ['bob@dest.test', 'carol@dest.test'])));
      assertOutOfTime(results, 'not-sent');
      assert.deepEqual(results.map((r) => r.rcpt), ['bob@dest.test', 'carol@dest.test']);
      assert.equal(mx.commands.at(-1), 'DATA', 'the session got as far as DATA');
      // Give any bytes still in flight time to land before looking for them.
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(mx.bodyLines, [], 'no line of the message reached the server');
      assert.equal(mx.messageComplete, false);
    } finally {
      await mx.close();
    }
  });

  it('ends at the deadline when the server took the whole message and never replies, deferred with an unknown outcome', async () => {
    const mx = await scriptedMx('data-reply');
    try {
      const { results } = await sendBounded(() => smarthost(mx.port).send(request(Date.now() + BUDGET_MS)));
      assert.equal(mx.messageComplete, true, 'the server had the whole message before the attempt ended');
      assertOutOfTime(results, 'outcome-unknown');
      assert.equal(results[0]!.mx, `127.0.0.1:${mx.port}`);
    } finally {
      await mx.close();
    }
  });

  it('keeps a refusal at RCPT TO when the deadline ends the rest of the session', async () => {
    const mx = await scriptedMx('data-reply', { refuseRcpt: /<gone@/ });
    try {
      const { results } = await sendBounded(() => smarthost(mx.port).send(request(Date.now() + BUDGET_MS, ['bob@dest.test', 'gone@dest.test'])));
      assert.deepEqual(results.map((r) => [r.rcpt, r.code]), [['bob@dest.test', 451], ['gone@dest.test', 550]]);
      assert.equal(results[0]!.reply, OUT_OF_TIME_REPLY['outcome-unknown']);
      assert.match(results[1]!.reply, /5\.1\.1 user unknown/);
    } finally {
      await mx.close();
    }
  });

  it('starts no session with less than the minimum session time left', async () => {
    const mx = await scriptedMx('never');
    try {
      const transport = createSmarthostTransport({ host: '127.0.0.1', port: mx.port, name: 'gw.relayguard.test', minSessionMs: 5_000 });
      const { results } = await sendBounded(() => transport.send(request(Date.now() + 1_000)));
      assertOutOfTime(results, 'not-sent');
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(mx.connections, 0, 'no connection was opened');
    } finally {
      await mx.close();
    }
  });

  it('delivers as before when the server answers within the deadline', async () => {
    const mx = await scriptedMx('never');
    try {
      const { results } = await sendBounded(() => smarthost(mx.port).send(request(Date.now() + 10_000)));
      assert.equal(results[0]!.code, 250);
      assert.equal(mx.messageComplete, true);
    } finally {
      await mx.close();
    }
  });

  it('delivers as without a deadline when the deadline is further than a timer reaches (Infinity included)', async () => {
    const mx = await scriptedMx('never');
    try {
      // Node fires a timer longer than 2^31 - 1 ms after 1 ms: such a deadline must not end the session at once.
      for (const deadline of [Infinity, Date.now() + 2 ** 31]) {
        const { results } = await sendBounded(() => smarthost(mx.port).send(request(deadline)));
        assert.equal(results[0]!.code, 250, results[0]!.reply);
      }
      assert.equal(mx.completeMessages, 2);
    } finally {
      await mx.close();
    }
  });

  it('tries no further MX host once the first has used up the time', async () => {
    // mx1 (127.0.0.1) never greets; mx2 (127.0.0.2, the same port) would take the message.
    const stalled = await scriptedMx('greeting');
    const good = await scriptedMx('never', { host: '127.0.0.2', port: stalled.port });
    try {
      const transport = createDirectMxTransport({
        name: 'gw.relayguard.test',
        port: stalled.port,
        resolve: tableResolver({
          'dest.test MX': [{ exchange: 'mx1.dest.test', priority: 10 }, { exchange: 'mx2.dest.test', priority: 20 }],
          'mx1.dest.test A': ['127.0.0.1'],
          'mx2.dest.test A': ['127.0.0.2'],
        }),
        blockLocalAddresses: false,
        mtaSts: { enabled: false },
        dane: { enabled: false },
        minSessionMs: MIN_SESSION_MS,
      });
      const { results } = await sendBounded(() => transport.send(request(Date.now() + BUDGET_MS)));
      assertOutOfTime(results, 'not-sent');
      assert.equal(results[0]!.mx, 'mx1.dest.test');
      assert.equal(stalled.connections, 1);
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(good.connections, 0, 'the next MX host was not started after the deadline');
    } finally {
      await good.close();
      await stalled.close();
    }
  });

  it('ends at the deadline when the null-MX check after a failed lookup gets no answer, deferred as not sent', async () => {
    // The first MX query answers "no such domain"; the second, the null-MX check that follows it, is never answered.
    let mxQueries = 0;
    const answered = tableResolver({});
    const resolve = (name: string, type: unknown, cb?: unknown): void => {
      if (type === 'MX' && ++mxQueries > 1) return;
      answered(name, type, cb);
    };
    const transport = createDirectMxTransport({ name: 'gw.relayguard.test', resolve, mtaSts: { enabled: false }, dane: { enabled: false }, minSessionMs: MIN_SESSION_MS });
    const { results } = await sendBounded(() => transport.send(request(Date.now() + BUDGET_MS, ['bob@gone.test'])));
    assert.equal(mxQueries, 2, 'the null-MX check was made');
    assertOutOfTime(results, 'not-sent');
  });

  it('records the deadline\'s deferral through the deliver step and schedules the retry', async () => {
    const mx = await scriptedMx('data-reply');
    const h = openHarness(smarthost(mx.port), { deliveryRetrySeconds: 3600 });
    try {
      await createTenant(h);
      const msg = await queueMessage(h, { mailFrom: 'alice@example.com', rcptTo: ['bob@dest.test'], raw: sampleMessage() });
      await settleWithin(handleDeliverJob(h.deps, { messageId: msg.id, attempt: 1 }, { deadline: Date.now() + BUDGET_MS }), HANG_BOUND_MS, 'the deliver step did not end');
      const rec = (await h.stores.messages.get(msg.id))!;
      assert.equal(rec.status, 'delivering');
      assert.equal(rec.recipients[0]!.state, 'deferred');
      assert.equal(rec.recipients[0]!.reply, OUT_OF_TIME_REPLY['outcome-unknown']);
      h.clock.advance(60);
      const [retry] = await h.stores.deliverQueue.receive(10, 30);
      assert.deepEqual(retry?.job, { messageId: msg.id, attempt: 2 });
    } finally {
      h.close();
      await mx.close();
    }
  });
});
