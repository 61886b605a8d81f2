// Settings whose thresholds only make sense in one order are refused when a
// PATCH would leave them out of order, whichever field the PATCH changes.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { expectProblem, startHarness, type Harness } from './harness.js';

let h: Harness;
before(async () => { h = await startHarness(); });
after(async () => { await h.stop(); });

const patch = (token: string, body: unknown) => h.call('PATCH', '/v1/settings', { token, body });

test('a suspect score at or above the spam score is a 400 that names both, and nothing is stored', async () => {
  const t = await h.tenant();
  const p = expectProblem(await patch(t.token, { senderPolicy: { spamScore: 3, suspectScore: 4 } }), 400, 'VALIDATION');
  assert.match(p.detail, /suspectScore \(4\).*spam score \(3/);
  expectProblem(await patch(t.token, { senderPolicy: { suspectScore: 5 } }), 400, 'VALIDATION'); // the quarantine threshold, 5, stands in
  assert.equal((await h.call('GET', '/v1/settings', { token: t.token })).body.senderPolicy, undefined);
});

test('lowering the quarantine threshold under a suspect score the tenant set is refused too', async () => {
  const t = await h.tenant();
  assert.equal((await patch(t.token, { senderPolicy: { suspectScore: 4 } })).status, 200);
  const p = expectProblem(await patch(t.token, { quarantineThreshold: 3 }), 400, 'VALIDATION');
  assert.match(p.detail, /quarantineThreshold/);
  assert.equal((await patch(t.token, { quarantineThreshold: 4.5 })).status, 200);
});

test('scores in order, and a low quarantine threshold with the default suspect score, are accepted', async () => {
  const t = await h.tenant();
  const r = await patch(t.token, { senderPolicy: { spamScore: 6, suspectScore: 3 } });
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.senderPolicy, { spamScore: 6, suspectScore: 3 });
  const other = await h.tenant();
  assert.equal((await patch(other.token, { quarantineThreshold: 2 })).status, 200, 'no senderPolicy of its own: the defaults are not held against it');
});
