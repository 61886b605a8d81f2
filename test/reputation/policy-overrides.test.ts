// A tenant's senderPolicy overrides reach the policy the detector uses, spamScore
// included (it has no default: the quarantine threshold stands in when unset).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SENDER_POLICY, policyFor } from '../../core/reputation/policy.js';
import { contentMark } from '../../core/reputation/signals/outcomes.js';
import { DEFAULT_TENANT_SETTINGS } from '../../core/settings.js';

test('a tenant\'s spamScore and suspectScore reach the sender policy, and unknown keys do not', () => {
  const policy = policyFor({ ...DEFAULT_TENANT_SETTINGS, senderPolicy: { spamScore: 3, suspectScore: 1.5, lockRisk: 12, notASetting: 7 } as never });
  assert.equal(policy.spamScore, 3);
  assert.equal(policy.suspectScore, 1.5);
  assert.equal(policy.lockRisk, 12);
  assert.equal((policy as unknown as Record<string, unknown>).notASetting, undefined);
  // A message scored 4 (below the default quarantine threshold of 5) counts as spam in the sender's history at spamScore 3.
  assert.equal(contentMark(4, policy.spamScore ?? DEFAULT_TENANT_SETTINGS.quarantineThreshold, policy.suspectScore), 's');
});

test('without overrides the defaults stand, and spamScore stays unset', () => {
  const policy = policyFor(DEFAULT_TENANT_SETTINGS);
  assert.deepEqual(policy, DEFAULT_SENDER_POLICY);
  assert.equal(policy.spamScore, undefined);
});
