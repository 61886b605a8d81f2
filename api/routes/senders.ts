// Senders and their locks, as the tenant sees and changes them.
import { listSenders, lockSenderManually, requireSender, unlockSender } from '../../core/tenants/sender-locks.js';
import { json, route } from '../route.js';
import { explainSender } from '../../core/reputation/index.js';
import type { SenderRecord } from '../../core/model.js';
import { LockBody, Sender, SenderDetail, SenderList, SenderParam, UnlockBody } from '../schemas.js';
import type { ApiDeps } from '../types.js';
import { reputationSummary, senderView } from '../views.js';

/** The lock and unlock answer: the sender as it is now, with its lock history. */
const withHistory = (deps: ApiDeps, rec: SenderRecord) => json(200, senderView(rec, deps.clock.now(), { history: true }));

export const senderRoutes = [
  route({
    method: 'GET', path: '/v1/senders', auth: 'tenant', operationId: 'listSenders', tag: 'senders',
    summary: 'List senders seen, locked ones first, each with its reputation in brief',
    responses: { 200: { description: 'Senders', schema: SenderList } },
    handle: async ({ deps, tenant }) => {
      const now = deps.clock.now();
      const items = (await listSenders(deps, tenant.id, now))
        .map((s) => ({ ...senderView(s, now), reputation: reputationSummary(explainSender(s, tenant.settings, now)) }));
      return json(200, { items });
    },
  }),
  route({
    method: 'GET', path: '/v1/senders/{sender}', auth: 'tenant', operationId: 'getSender', tag: 'senders',
    summary: 'One sender with its lock, its lock history, its current risk and the evidence for it',
    params: SenderParam,
    responses: { 200: { description: 'The sender', schema: SenderDetail } },
    handle: async ({ deps, tenant, params }) => {
      const now = deps.clock.now();
      const rec = await requireSender(deps, tenant.id, params.sender);
      const x = explainSender(rec, tenant.settings, now);
      return json(200, {
        ...senderView(rec, now, { history: true }),
        reputation: { ...reputationSummary(x), evidence: x.evidence, baseline: x.baseline, ...(x.wouldLock ? { wouldLock: x.wouldLock } : {}) },
      });
    },
  }),
  route({
    method: 'POST', path: '/v1/senders/{sender}/lock', auth: 'tenant', operationId: 'lockSender', tag: 'senders',
    summary: 'Lock a sender until unlocked by hand: its mail is refused at MAIL FROM and what it still has queued is held',
    params: SenderParam,
    body: LockBody.optional(),
    responses: { 200: { description: 'The locked sender with its lock history', schema: Sender } },
    handle: async ({ deps, tenant, params, body }) => withHistory(deps, await lockSenderManually(deps, tenant.id, params.sender, body?.reason)),
  }),
  route({
    method: 'POST', path: '/v1/senders/{sender}/unlock', auth: 'tenant', operationId: 'unlockSender', tag: 'senders',
    summary: 'Lift a lock, keeping the reason in the lock history (403 while a required password rotation has not happened)',
    params: SenderParam,
    body: UnlockBody.optional(),
    responses: { 200: { description: 'The unlocked sender with its lock history', schema: Sender } },
    handle: async ({ deps, tenant, params, body }) => withHistory(deps, await unlockSender(deps, tenant.id, params.sender, body?.reason)),
  }),
];
