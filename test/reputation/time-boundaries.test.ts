import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyProfile, rollOver } from '../../core/reputation/profile.js';

test('a message from a worker whose clock reads just before the hour and day already rolled over does not roll the profile back', () => {
  const p = emptyProfile();
  rollOver(p, new Date('2026-03-02T12:00:00Z'));
  // An attack day: flagged, so it must never teach the daily peak.
  p.open.dayRecipients = 900; p.open.hourRecipients = 300;
  p.openDayFlagged = true; p.openHourFlagged = true;
  rollOver(p, new Date('2026-03-03T00:00:00.010Z')); // the first message of the next day
  assert.equal(p.activeDays, 1);
  assert.equal(p.peaks.dayRecipients, 0, 'the flagged day was not learned');
  // A second worker read its clock a few milliseconds earlier and saves after the first.
  rollOver(p, new Date('2026-03-02T23:59:59.990Z'));
  p.open.dayRecipients = Math.max(p.open.dayRecipients, 900); // its counters still say the attack day's total
  rollOver(p, new Date('2026-03-03T00:00:05Z'));
  assert.equal(p.activeDays, 1, 'no day counted twice');
  assert.equal(p.openDay, '2026-03-03');
  assert.equal(p.peaks.dayRecipients, 0, 'the attack day\'s volume is not learned through the late message');
});

test('peaks fade by whole days however irregularly the sender is seen', () => {
  const p = emptyProfile();
  const t0 = Date.parse('2026-03-02T09:00:00Z');
  rollOver(p, new Date(t0));
  p.peaks.dayRecipients = 1000;
  // Seen every 36 hours for 30 days: 20 visits, 30 days of fading.
  for (let i = 1; i <= 20; i++) rollOver(p, new Date(t0 + i * 36 * 3_600_000));
  assert.ok(Math.abs(p.peaks.dayRecipients - 1000 * Math.pow(0.98, 30)) < 0.5, `${p.peaks.dayRecipients}`);
});
