import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import {
  CLOSING_MARGIN_MS, MIN_SESSION_MS, OUT_OF_TIME_REPLY, RESULTS_MARGIN_MS, attemptDeadline, mayStartSession, outOfTime, reportDeadline, timeLeft,
  withDeadline,
} from '../../core/delivery/attempt-deadline.js';
import type { OutboundMessage } from '../../core/ports.js';
import { classifyReply, enhancedStatus } from '../../core/delivery/bounce-rules.js';
import { applyAttempt } from '../../core/delivery/recipients.js';

const NOW = Date.parse('2026-11-28T12:00:00Z');

describe('attempt deadline', () => {
  it('keeps the results margin back from the time the runtime has left', () => {
    assert.equal(attemptDeadline(NOW, 120_000), NOW + 120_000 - RESULTS_MARGIN_MS);
    assert.equal(attemptDeadline(NOW, 10_000, 4_000), NOW + 6_000);
  });

  it('puts the deadline at once when less than the margin is left, never before now', () => {
    assert.equal(attemptDeadline(NOW, RESULTS_MARGIN_MS - 1), NOW);
    assert.equal(attemptDeadline(NOW, 0), NOW);
  });

  it('gives the abuse reports after an attempt the invocation\'s end less the closing margin, later than the attempt\'s own deadline', () => {
    assert.equal(reportDeadline(NOW, 120_000), NOW + 120_000 - CLOSING_MARGIN_MS);
    assert.ok(reportDeadline(NOW, 120_000) > attemptDeadline(NOW, 120_000));
    assert.equal(reportDeadline(NOW, CLOSING_MARGIN_MS - 1), NOW);
  });

  it('bounds every send through a transport with a deadline, keeping an earlier one the message has', async () => {
    const seen: OutboundMessage[] = [];
    const bounded = withDeadline({ send: async (m) => { seen.push(m); return []; } }, NOW + 5_000);
    const message: OutboundMessage = { mailFrom: '', rcptTo: ['abuse@acme.example'], raw: Buffer.from('report') };
    await bounded.send(message);
    await bounded.send({ ...message, deadline: NOW + 1_000 });
    await bounded.send({ ...message, deadline: NOW + 9_000 });
    assert.deepEqual(seen.map((m) => m.deadline), [NOW + 5_000, NOW + 1_000, NOW + 5_000]);
    assert.equal(message.deadline, undefined, 'the caller\'s message is left as it was');
  });

  it('starts a session only with at least the minimum session time left', () => {
    assert.equal(mayStartSession(undefined, NOW), true, 'no deadline: always');
    assert.equal(mayStartSession(NOW + MIN_SESSION_MS, NOW), true);
    assert.equal(mayStartSession(NOW + MIN_SESSION_MS - 1, NOW), false);
    assert.equal(mayStartSession(NOW + 300, NOW, 200), true);
    assert.equal(mayStartSession(NOW, NOW, 0), false, 'a deadline already here leaves no time at all');
    assert.equal(timeLeft(undefined, NOW), Infinity);
  });

  it('defers a recipient that ran out of time, whether or not the message was sent, with 4.4.7 for the DSN at expiry', () => {
    for (const phase of ['not-sent', 'outcome-unknown'] as const) {
      const r = outOfTime('bob@dest.test', phase, 'mx.dest.test');
      assert.deepEqual(r, { rcpt: 'bob@dest.test', code: 451, reply: OUT_OF_TIME_REPLY[phase], mx: 'mx.dest.test' });
      assert.deepEqual(classifyReply(r.code, r.reply), { outcome: 'deferred', category: 'timeout' });
      assert.equal(enhancedStatus(r.reply), '4.4.7');
    }
    assert.match(OUT_OF_TIME_REPLY['not-sent'], /before the message was sent/);
    assert.match(OUT_OF_TIME_REPLY['outcome-unknown'], /outcome is unknown/);
  });

  it('keeps a recipient whose outcome is unknown pending, so it is tried again rather than lost', () => {
    const recipients = [{ rcpt: 'bob@dest.test', state: 'pending' as const, attempts: 0 }];
    const { recipients: after, bounced } = applyAttempt(recipients, ['bob@dest.test'], [outOfTime('bob@dest.test', 'outcome-unknown')], new Date(NOW));
    assert.equal(after[0]!.state, 'deferred');
    assert.equal(after[0]!.attempts, 1);
    assert.deepEqual(bounced, []);
  });
});
