// Turns a run into the figures the issue asks for: per attack style, spam
// delivered (before the first lock, and in total) and time to lock; for the
// legitimate population, false locks, throttles, delayed and held messages.
import type { AttackInstance } from './attacks.js';
import type { Population, SimConfig } from './population.js';
import type { RunResult, SendOutcome } from './runner.js';
import { MIN } from './world.js';

export interface AttackRow {
  style: string;
  instances: number;
  locked: number;
  beforeLock: number[];
  total: number[];
  minutesToLock: number[];
}

export interface LegitRow {
  kind: string;
  senders: number;
  messages: number;
  delayed: number;
  heldBySender: number;
  heldByContent: number;
  refused: number;
}

export interface Report {
  attacks: AttackRow[];
  legit: LegitRow[];
  legitTotal: LegitRow;
  falseLocks: { at: string; sender: string; reason: string }[];
  throttledSenders: number;
  throttledNames: string[];
  throttleEvents: number;
  heldReasons: Map<string, number>;
  monitorWouldLock: number;
}

export function buildReport(cfg: SimConfig, pop: Population, attacks: AttackInstance[], run: RunResult): Report {
  const attackRows: AttackRow[] = [];
  const bySender = new Map<string, AttackInstance[]>();
  for (const a of attacks) for (const s of [...a.senders, ...a.victims]) bySender.set(s, [...(bySender.get(s) ?? []), a]);
  const locks = run.events.filter((e) => e.type === 'sender.locked');
  const byInstance = new Map<string, SendOutcome[]>();
  for (const o of run.outcomes) {
    if (!o.event.attack) continue;
    const k = `${o.event.attack.style}#${o.event.attack.instance}`;
    byInstance.set(k, [...(byInstance.get(k) ?? []), o]);
  }
  for (const style of [...new Set(attacks.map((a) => a.style))]) {
    const row: AttackRow = { style, instances: 0, locked: 0, beforeLock: [], total: [], minutesToLock: [] };
    for (const a of attacks.filter((x) => x.style === style)) {
      row.instances++;
      const lock = locks.find((l) => l.at >= a.start && a.senders.has(l.sender));
      const mine = byInstance.get(`${style}#${a.instance}`) ?? [];
      const delivered = mine.filter((o) => o.delivered);
      row.total.push(delivered.length);
      row.beforeLock.push(lock ? delivered.filter((o) => o.event.at < lock.at).length : delivered.length);
      if (lock) { row.locked++; row.minutesToLock.push((lock.at - a.start) / MIN); }
    }
    attackRows.push(row);
  }
  const compromisedSince = (sender: string): number => Math.min(...(bySender.get(sender) ?? []).map((a) => a.start), Infinity);
  const isLegit = (o: SendOutcome) => !o.event.attack && o.event.firstAt >= cfg.enforceAt && o.event.firstAt < compromisedSince(o.event.actor.sender);
  const rows = new Map<string, LegitRow & { set: Set<string> }>();
  const heldReasons = new Map<string, number>();
  for (const o of run.outcomes) {
    if (!isLegit(o)) continue;
    const k = o.event.actor.kind;
    const r = rows.get(k) ?? { kind: k, senders: 0, messages: 0, delayed: 0, heldBySender: 0, heldByContent: 0, refused: 0, set: new Set() };
    r.set.add(o.event.actor.sender);
    r.messages++;
    if (o.deferrals > 0) r.delayed++;
    if (o.held && o.bySender) { r.heldBySender++; for (const s of o.signals) heldReasons.set(s, (heldReasons.get(s) ?? 0) + 1); }
    if (o.held && !o.bySender) r.heldByContent++;
    if (o.refused) r.refused++;
    rows.set(k, r);
  }
  const legit = [...rows.values()].map(({ set, ...r }) => ({ ...r, senders: set.size }));
  const legitTotal = legit.reduce((t, r) => ({
    kind: 'all', senders: t.senders + r.senders, messages: t.messages + r.messages, delayed: t.delayed + r.delayed,
    heldBySender: t.heldBySender + r.heldBySender, heldByContent: t.heldByContent + r.heldByContent, refused: t.refused + r.refused,
  }), { kind: 'all', senders: 0, messages: 0, delayed: 0, heldBySender: 0, heldByContent: 0, refused: 0 });
  const honest = (sender: string, at: number) => at >= cfg.enforceAt && at < compromisedSince(sender);
  const falseLocks = locks.filter((l) => honest(l.sender, l.at))
    .map((l) => ({ at: new Date(l.at).toISOString(), sender: l.sender, reason: (l.detail as { lock?: { reason?: string } }).lock?.reason ?? '' }));
  const throttles = run.events.filter((e) => e.type === 'sender.throttled' && honest(e.sender, e.at));
  return {
    attacks: attackRows, legit, legitTotal, falseLocks, heldReasons,
    throttledSenders: new Set(throttles.map((t) => t.sender)).size, throttleEvents: throttles.length,
    throttledNames: [...new Set(throttles.map((t) => `${t.sender} (${String((t.detail as { reason?: string }).reason).slice(0, 80)})`))].slice(0, 5),
    monitorWouldLock: run.monitorWouldLock.length,
  };
}

const median = (xs: number[]) => { if (xs.length === 0) return NaN; const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2; };
const max = (xs: number[]) => (xs.length ? Math.max(...xs) : NaN);
const f1 = (n: number) => (Number.isNaN(n) ? '–' : Number.isInteger(n) ? String(n) : n.toFixed(1));
const pct = (n: number, d: number) => `${((100 * n) / Math.max(1, d)).toFixed(3)} %`;

export function formatReport(r: Report): string {
  const lines: string[] = [];
  lines.push('| attack style | instances | locked | spam delivered before lock (median / max) | spam delivered in total (median / max) | minutes to lock (median / max) | target met |');
  lines.push('| --- | ---: | ---: | ---: | ---: | ---: | :---: |');
  let allMet = true;
  for (const a of r.attacks) {
    const met = median(a.total) <= 3 && max(a.total) <= 10;
    allMet &&= met;
    lines.push(`| ${a.style} | ${a.instances} | ${a.locked} | ${f1(median(a.beforeLock))} / ${f1(max(a.beforeLock))} | ${f1(median(a.total))} / ${f1(max(a.total))} | ${f1(median(a.minutesToLock))} / ${f1(max(a.minutesToLock))} | ${met ? 'yes' : 'NO'} |`);
  }
  lines.push('');
  lines.push('| legitimate senders | senders | messages | delayed (4xx) | held by sender policy | held by content alone | refused (locked) |');
  lines.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const l of [...r.legit, r.legitTotal]) {
    lines.push(`| ${l.kind} | ${l.senders} | ${l.messages} | ${l.delayed} | ${l.heldBySender} | ${l.heldByContent} | ${l.refused} |`);
  }
  const t = r.legitTotal;
  const affected = t.delayed + t.heldBySender + t.refused;
  lines.push('');
  lines.push(`false locks: ${r.falseLocks.length}; throttle events on honest senders: ${r.throttleEvents} (${r.throttledSenders} senders)`);
  if (r.throttledNames.length) lines.push(`honest senders throttled: ${r.throttledNames.join('; ')}`);
  lines.push(`legitimate messages delayed or held by the sender policy: ${affected} of ${t.messages} = ${pct(affected, t.messages)} (target < 0.1 %)`);
  lines.push(`monitor-only onboarding: ${r.monitorWouldLock} would-have-locked verdicts (not enforced)`);
  if (r.heldReasons.size) lines.push(`signals on legit messages held by the sender policy: ${[...r.heldReasons].sort((a, b) => b[1] - a[1]).map(([s, n]) => `${s} ${n}`).join(', ')}`);
  for (const fl of r.falseLocks.slice(0, 10)) lines.push(`FALSE LOCK ${fl.at} ${fl.sender}: ${fl.reason}`);
  const ok = allMet && r.falseLocks.length === 0 && affected / Math.max(1, t.messages) < 0.001;
  lines.push('');
  lines.push(`targets: ${ok ? 'MET' : 'NOT MET'}`);
  return lines.join('\n');
}
