// The console's dashboard numbers for the last 24 hours: messages per hour by
// verdict, the busiest senders, and the locks set. Computed from the message
// log and sender records, so both deployments give the same answer. Locks
// come from each sender's lock history, so a lock lifted since still counts.
import type { LockInWindow, MessageRecord, SenderRecord, TenantStats } from '../model.js';
import type { Clock, MessageStore, SenderStore } from '../ports.js';
import { lockInForce } from './sender-locks.js';

const HOUR = 3600_000;

/**
 * The locks of one sender set at or after `start`: every `locked` event of
 * its history, and its current lock when the history does not have it (a
 * record written before the history existed). A lock is active while it is
 * the sender's current lock and has not run out.
 */
function locksSince(s: SenderRecord, start: number, now: Date): LockInWindow[] {
  const history = s.lockHistory ?? [];
  const inForce = lockInForce(s.lock, now);
  const out: LockInWindow[] = [];
  for (const e of history) {
    if (e.type !== 'locked' || Date.parse(e.at) < start) continue;
    const lift = history.find((u) => u.type !== 'locked' && u.lockedAt === e.at);
    out.push({
      sender: s.sender, reason: e.reason, lockedAt: e.at, by: e.by === 'policy' ? 'auto' : 'manual',
      active: inForce && s.lock!.lockedAt === e.at,
      ...(lift ? { liftedAt: lift.at, liftReason: lift.reason } : {}),
    });
  }
  if (s.lock && Date.parse(s.lock.lockedAt) >= start && !out.some((l) => l.lockedAt === s.lock!.lockedAt)) {
    out.push({ sender: s.sender, reason: s.lock.reason, lockedAt: s.lock.lockedAt, by: s.lock.by, active: inForce });
  }
  return out;
}

export function computeStats(messages: MessageRecord[], senders: SenderRecord[], now: Date, topN = 10): TenantStats {
  const end = Math.floor(now.getTime() / HOUR) * HOUR + HOUR; // end of the current hour
  const start = end - 24 * HOUR;
  const hourly = Array.from({ length: 24 }, (_, i) => ({
    hour: new Date(start + i * HOUR).toISOString(), deliver: 0, quarantine: 0, reject: 0, unscored: 0,
  }));
  const totals = { messages: 0, deliver: 0, quarantine: 0, reject: 0, unscored: 0 };
  const bySender = new Map<string, { sender: string; messages: number; quarantined: number; rejected: number }>();
  for (const m of messages) {
    const t = new Date(m.receivedAt).getTime();
    if (!(t >= start && t < end)) continue;
    const key = m.verdict?.verdict ?? 'unscored';
    hourly[Math.floor((t - start) / HOUR)]![key]++;
    totals[key]++;
    totals.messages++;
    const s = bySender.get(m.sender) ?? { sender: m.sender, messages: 0, quarantined: 0, rejected: 0 };
    s.messages++;
    if (key === 'quarantine') s.quarantined++;
    if (key === 'reject') s.rejected++;
    bySender.set(m.sender, s);
  }
  const topSenders = [...bySender.values()]
    .sort((a, b) => b.messages - a.messages || a.sender.localeCompare(b.sender))
    .slice(0, topN);
  const locks = senders.flatMap((s) => locksSince(s, start, now))
    .sort((a, b) => b.lockedAt.localeCompare(a.lockedAt));
  return { since: new Date(start).toISOString(), until: new Date(end).toISOString(), hourly, totals, topSenders, locks, truncated: false };
}

/** Reads at most `maxMessages` of the window's log (newest first) so a huge tenant cannot stall the API. */
export async function gatherStats(
  deps: { clock: Clock; messages: MessageStore; senders: SenderStore },
  tenantId: string,
  maxMessages = 20_000,
): Promise<TenantStats> {
  const now = deps.clock.now();
  const since = new Date(Math.floor(now.getTime() / HOUR) * HOUR - 23 * HOUR).toISOString();
  const collected: MessageRecord[] = [];
  let cursor: string | undefined;
  let truncated = false;
  for (let page = 0; page < Math.ceil(maxMessages / 500); page++) {
    const res = await deps.messages.list(tenantId, { since, limit: 500, ...(cursor ? { cursor } : {}) });
    collected.push(...res.items);
    cursor = res.cursor;
    if (!cursor) break;
    if (collected.length >= maxMessages) { truncated = true; break; }
  }
  const stats = computeStats(collected, await deps.senders.list(tenantId), now);
  return { ...stats, truncated };
}
