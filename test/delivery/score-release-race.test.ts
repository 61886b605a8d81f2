// A message can change while its score job runs: the sender's lock holds it
// in quarantine and the tenant releases (or deletes) it before the job writes
// its verdict. The verdict must not undo that: a released message put back to
// `queued` would get a second deliver job and reach its recipient twice.
// The interleaving is made on the real SQLite stores: the tenant lookup the
// score step makes after reading the message is where the lock and the
// tenant's action land.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { handleScoreJob } from '../../core/pipeline/score.js';
import { deleteHeldMessage, releaseMessage } from '../../core/tenants/messages.js';
import { heldForLock } from '../../core/reputation/after-lock.js';
import type { MessageRecord } from '../../core/model.js';
import { createTenant, openHarness, queueMessage, sampleMessage, type Harness } from './helpers.js';

const noTransport = { send: async () => { throw new Error('nothing is delivered in this test'); } };

/** An accepted message, and a score step whose tenant lookup first lets `meanwhile` act on it. */
async function raceSetup(h: Harness, meanwhile: (m: MessageRecord) => Promise<void>) {
  await createTenant(h);
  const queued = await queueMessage(h, { mailFrom: 'alice@example.com', rcptTo: ['bob@dest.test'], raw: sampleMessage() });
  const msg: MessageRecord = { ...queued, status: 'accepted' };
  await h.stores.messages.put(msg);
  let acted = false;
  const tenants = new Proxy(h.deps.tenants, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (prop !== 'getTenant' || typeof v !== 'function') return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      return async (id: string) => {
        if (!acted) { acted = true; await meanwhile((await h.stores.messages.get(msg.id))!); }
        return (v as (id: string) => unknown).call(target, id);
      };
    },
  });
  return { msg, deps: { ...h.deps, tenants } };
}

async function deliverJobs(h: Harness): Promise<number> {
  h.clock.advance(3600);
  return (await h.stores.deliverQueue.receive(10, 30)).length;
}

describe('a score job racing a lock hold and the tenant', () => {
  it('does not put back to queued a message the tenant released meanwhile: one deliver job, not two', async () => {
    const h = openHarness(noTransport);
    try {
      const { msg, deps } = await raceSetup(h, async (m) => {
        await h.stores.messages.put(heldForLock(m, { lockedAt: h.clock.now().toISOString(), reason: 'test lock', by: 'policy' } as never, h.clock.now().toISOString()));
        await releaseMessage(h.deps as never, 't1', m.id);
      });
      await handleScoreJob(deps, { messageId: msg.id });
      const rec = (await h.stores.messages.get(msg.id))!;
      assert.equal(rec.status, 'released', 'the tenant\'s release stands');
      assert.equal(await deliverJobs(h), 1, 'only the release queued a delivery');
    } finally {
      h.close();
    }
  });

  it('does not bring back a message the tenant deleted meanwhile', async () => {
    const h = openHarness(noTransport);
    try {
      const { msg, deps } = await raceSetup(h, async (m) => {
        await h.stores.messages.put(heldForLock(m, { lockedAt: h.clock.now().toISOString(), reason: 'test lock', by: 'policy' } as never, h.clock.now().toISOString()));
        await deleteHeldMessage(h.deps as never, 't1', m.id);
      });
      // The body is gone: the job fails and is retried, and the retry finds the message deleted.
      await handleScoreJob(deps, { messageId: msg.id }).catch(() => undefined);
      await handleScoreJob(deps, { messageId: msg.id });
      assert.equal((await h.stores.messages.get(msg.id))?.status, 'deleted');
      assert.equal(await deliverJobs(h), 0);
    } finally {
      h.close();
    }
  });

  it('keeps a message held for a lock meanwhile in quarantine, with the verdict the job reached and the lock\'s signal', async () => {
    const h = openHarness(noTransport);
    try {
      const { msg, deps } = await raceSetup(h, async (m) => {
        await h.stores.messages.put(heldForLock(m, { lockedAt: h.clock.now().toISOString(), reason: 'test lock', by: 'policy' } as never, h.clock.now().toISOString()));
      });
      await handleScoreJob(deps, { messageId: msg.id });
      const rec = (await h.stores.messages.get(msg.id))!;
      assert.equal(rec.status, 'quarantined', 'a clean verdict does not release a locked sender\'s mail');
      assert.ok(rec.verdict?.signals.some((s) => s.name === 'sender-locked'));
      assert.ok(rec.verdict?.signals.some((s) => s.name !== 'sender-locked'), 'the job\'s own signals are recorded');
      assert.equal(await deliverJobs(h), 0);
    } finally {
      h.close();
    }
  });
});
