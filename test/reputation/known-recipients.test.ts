// The known-recipient rule (core/reputation/known-recipients.ts): when a
// contact adds, refreshes or leaves an entry alone; and, through the window
// counters on the in-memory store, that a sender's steady correspondents
// never turn "new" while it keeps writing to them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemorySenderStore } from '../../adapters/memory/sender-store.js';
import { countMessage } from '../../core/reputation/counters.js';
import { knownRecipientEntry, knownRecipientStep, noteRecipients } from '../../core/reputation/known-recipients.js';
import type { SenderStore } from '../../core/ports.js';
import { DAY, domainUser, makeMessage, makeWorld } from './helpers.js';

const T0 = Date.parse('2026-03-02T09:00:00Z');

test('a contact adds an entry that expires 180 days later', () => {
  assert.deepEqual(knownRecipientEntry(T0), { lastContactAt: T0, expiresAt: T0 + 180 * DAY });
});

test('a recipient with no entry, or an expired one, is added (new)', () => {
  assert.equal(knownRecipientStep(undefined, T0), 'add');
  const e = knownRecipientEntry(T0);
  assert.equal(knownRecipientStep(e, e.expiresAt), 'add', 'expired at its expiry instant');
  assert.equal(knownRecipientStep(e, e.expiresAt + DAY), 'add');
});

test('a repeat contact within a week of the stored last contact writes nothing', () => {
  const e = knownRecipientEntry(T0);
  for (const later of [0, 1, DAY, 6 * DAY, 7 * DAY - 1]) assert.equal(knownRecipientStep(e, T0 + later), 'none', `${later} ms later`);
  assert.equal(knownRecipientStep(e, T0 - 5000), 'none', 'a worker whose clock is a little behind');
});

test('a repeat contact a week or more after the stored last contact refreshes the entry', () => {
  const e = knownRecipientEntry(T0);
  for (const later of [7 * DAY, 30 * DAY, 180 * DAY - 1]) assert.equal(knownRecipientStep(e, T0 + later), 'refresh', `${later / DAY} days later`);
});

test('an entry without a last contact (the old first-contact counter) is known and refreshed at its next contact', () => {
  assert.equal(knownRecipientStep({ expiresAt: T0 + DAY }, T0), 'refresh');
  assert.equal(knownRecipientStep({ expiresAt: T0 }, T0), 'add');
});

test('a sender writing to the same correspondents every week for two years never sees them as new', async () => {
  const w = makeWorld();
  const store = new MemorySenderStore(w.clock);
  const id = domainUser('t1', 'steady.example');
  const correspondents = ['ann@client.example', 'ben@supplier.example', 'cat@bank.example'];
  const newPerWeek: number[] = [];
  for (let week = 0; week < 104; week++) {
    const m = makeMessage(w, id, 'steady.example', correspondents);
    newPerWeek.push((await countMessage(store, m, undefined, week === 0, w.clock.now())).messageNew);
    w.clock.advance(7 * DAY);
  }
  assert.equal(newPerWeek[0], 3, 'the first week they are new');
  assert.deepEqual(newPerWeek.slice(1), new Array(103).fill(0), 'and never again');
});
