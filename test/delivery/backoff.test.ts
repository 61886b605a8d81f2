import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { backoffSeconds, decideRetry, DEFAULT_BACKOFF_SECONDS, deliveryExpiry } from '../../core/delivery/backoff.js';

describe('delivery backoff', () => {
  it('waits longer after each attempt and repeats the last step', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 8, 20].map((a) => backoffSeconds(a));
    assert.deepEqual(delays, [60, 300, 900, 1800, 3600, 7200, 14400, 14400, 14400]);
  });

  it('uses a configured schedule', () => {
    assert.equal(backoffSeconds(2, [10, 20]), 20);
    assert.equal(backoffSeconds(9, [10, 20]), 20);
  });

  it('refuses an empty schedule with a message that says what is wanted', () => {
    assert.throws(() => backoffSeconds(1, []), /at least one delay/);
  });

  it('shortens the last wait so the final attempt lands on the expiry, then gives up', () => {
    const now = new Date('2026-11-28T12:00:00Z');
    const expires = new Date(now.getTime() + 100_000);
    assert.deepEqual(decideRetry(now, 1, expires), { retry: true, delaySeconds: 60 });
    assert.deepEqual(decideRetry(now, 7, expires), { retry: true, delaySeconds: 100 });
    assert.deepEqual(decideRetry(expires, 8, expires), { retry: false });
    assert.deepEqual(decideRetry(new Date(expires.getTime() + 1), 8, expires), { retry: false });
  });

  it('retries a two-day window in a bounded number of attempts', () => {
    let t = 0;
    let attempt = 1;
    const window = 48 * 3600;
    while (t < window && attempt < 100) t += Math.min(backoffSeconds(attempt++), window - t);
    assert.ok(attempt > 10 && attempt < 25, `took ${attempt} attempts`);
    assert.equal(DEFAULT_BACKOFF_SECONDS[0], 60);
  });

  it('computes the expiry from the receive time', () => {
    assert.equal(deliveryExpiry('2026-11-28T12:00:00.000Z', 3600), '2026-11-28T13:00:00.000Z');
  });
});
