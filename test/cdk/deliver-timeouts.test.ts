// The deliver function's timeout against the two limits that depend on it:
// the deliver queue's visibility (a job must not come back while an
// invocation may still be running it) and the attempt deadline the function
// sets inside its own time (core/delivery/attempt-deadline.ts).
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MIN_SESSION_MS, RESULTS_MARGIN_MS } from '../../core/delivery/attempt-deadline.js';
import { synthRelayguard, type Synthesized } from './synth.js';

type Resource = { Properties: Record<string, any> };

function deliverTimeoutSeconds(s: Synthesized): number {
  const fns = Object.values(s.service.findResources('AWS::Lambda::Function')) as Resource[];
  const deliver = fns.find((f) => f.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === 'relayguard-deliver');
  assert.ok(deliver, 'the deliver function is in the service stack');
  return deliver.Properties.Timeout as number;
}

function deliverVisibilitySeconds(s: Synthesized): number {
  const queues = s.data.findResources('AWS::SQS::Queue') as Record<string, Resource>;
  const id = Object.keys(queues).find((k) => k.startsWith('StorageDeliverQueue'));
  assert.ok(id, `no deliver queue among ${Object.keys(queues).join(', ')}`);
  return queues[id]!.Properties.VisibilityTimeout as number;
}

for (const [name, context] of [['SES delivery', {}], ['direct-MX delivery', { deliveryMode: 'direct-mx' }]] as const) {
  describe(`deliver timeouts with ${name}`, () => {
    let s: Synthesized;
    before(() => { s = synthRelayguard(context); });

    test('a deliver job stays hidden for at least six times the function timeout, as AWS advises for SQS event sources', () => {
      assert.ok(deliverVisibilitySeconds(s) >= 6 * deliverTimeoutSeconds(s), `visibility ${deliverVisibilitySeconds(s)} s, timeout ${deliverTimeoutSeconds(s)} s`);
    });

    test('the function timeout leaves an attempt a minute after the margin for recording results: one MX host\'s 30 s connect and a session as long', () => {
      const attemptMs = deliverTimeoutSeconds(s) * 1000 - RESULTS_MARGIN_MS;
      assert.ok(attemptMs >= 60_000 && attemptMs >= MIN_SESSION_MS, `timeout ${deliverTimeoutSeconds(s)} s leaves ${attemptMs} ms`);
    });
  });
}
