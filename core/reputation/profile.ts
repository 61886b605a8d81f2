// What the policy learns about one sender, kept in SenderRecord.reputation:
// its peaks (the baseline it is compared against), the open hour and day
// being accumulated, what it looks like (names, networks), and its risk
// ledger — the decaying evidence that leads to a lock, kept so the API can
// show exactly which signals and messages did it.
import type { SenderRecord } from '../model.js';
import { PEAK_DECAY_PER_DAY, type Family } from './policy.js';

export interface Peaks {
  rcptPerMessage: number;
  minuteMessages: number;
  hourRecipients: number;
  dayRecipients: number;
  hourDomains: number;
  /** Most recipients one identical body reached in a day. */
  fanoutDay: number;
}

export interface RiskEntry {
  at: string;
  family: Family;
  signal: string;
  weight: number;
  messageId?: string;
  detail?: string;
}

export interface LoginEvidence {
  at: string;
  ip: string;
  risk: number;
  reasons: string[];
}

export interface SenderProfile {
  messages: number;
  recipients: number;
  activeDays: number;
  peaks: Peaks;
  /** When the peaks were last decayed. */
  peaksAt?: string;
  /** The hour (YYYY-MM-DDTHH) and day being accumulated, and their running maxima. */
  openHour?: string;
  openDay?: string;
  open: Peaks;
  /** A message this hour/day looked anomalous: the period does not teach the baseline. */
  openHourFlagged: boolean;
  openDayFlagged: boolean;
  /** Share of never-seen recipients in the sender's messages (EWMA): a shop writes to new customers all day. */
  newShare: number;
  /** Last N content outcomes, newest last: 's' spam, 'q' suspect, '.' clean. */
  history: string;
  known: { displayNames: string[]; replyToDomains: string[]; networks: string[]; tlsClients: string[] };
  logins: number;
  lastLogin?: LoginEvidence;
  risk: RiskEntry[];
  /** Ids of the latest evidence that is in — scored messages, delivery attempts, feedback events (evidence.ts `evidenceId`): a retried job or a redelivered event is not counted twice. */
  assessed?: string[];
  /** Set in monitor-only mode instead of locking. */
  wouldLock?: { at: string; reason: string };
}

const ZERO: Peaks = { rcptPerMessage: 0, minuteMessages: 0, hourRecipients: 0, dayRecipients: 0, hourDomains: 0, fanoutDay: 0 };

/** Caps that keep one record small (DynamoDB items are at most 400 KB; we stay far below). */
export const PROFILE_CAPS = { known: 20, risk: 40 } as const;

export function emptyProfile(): SenderProfile {
  return {
    messages: 0, recipients: 0, activeDays: 0,
    peaks: { ...ZERO }, open: { ...ZERO }, openHourFlagged: false, openDayFlagged: false, newShare: 0,
    history: '', known: { displayNames: [], replyToDomains: [], networks: [], tlsClients: [] }, logins: 0, risk: [],
  };
}

export function profileOf(rec: SenderRecord | undefined): SenderProfile {
  const raw = rec?.reputation?.['profile'] as Partial<SenderProfile> | undefined;
  const base = emptyProfile();
  if (!raw) return base;
  return {
    ...base, ...raw,
    peaks: { ...ZERO, ...raw.peaks }, open: { ...ZERO, ...raw.open },
    known: { ...base.known, ...raw.known }, risk: [...(raw.risk ?? [])],
  };
}

export function withProfile(rec: SenderRecord, profile: SenderProfile): SenderRecord {
  return { ...rec, reputation: { ...(rec.reputation ?? {}), profile } };
}

/**
 * Moves the clock of the profile to `now`: when the hour or day changed, the
 * closed period's maxima become learned peaks (only if nothing in it looked
 * anomalous, so an attack never teaches the baseline), and old peaks fade.
 */
export function rollOver(p: SenderProfile, now: Date): void {
  const iso = now.toISOString();
  const hour = iso.slice(0, 13);
  const day = iso.slice(0, 10);
  if (p.peaksAt) {
    const days = (now.getTime() - Date.parse(p.peaksAt)) / 86_400_000;
    if (days >= 1) {
      const whole = Math.floor(days);
      const f = Math.pow(PEAK_DECAY_PER_DAY, whole);
      for (const k of Object.keys(p.peaks) as (keyof Peaks)[]) p.peaks[k] *= f;
      // Advance by the days applied, not to now: the part-day left over fades next time.
      p.peaksAt = new Date(Date.parse(p.peaksAt) + whole * 86_400_000).toISOString();
    }
  } else {
    p.peaksAt = iso;
  }
  // A `now` before the open period (a worker whose clock read a moment
  // earlier saved after the roll-over) belongs to the open period: rolling
  // back would count the day again and reopen a closed, possibly flagged,
  // period whose counters would then be learned as peaks.
  if (!p.openHour || hour > p.openHour) {
    if (p.openHour && !p.openHourFlagged) {
      for (const k of ['rcptPerMessage', 'minuteMessages', 'hourRecipients', 'hourDomains'] as const) p.peaks[k] = Math.max(p.peaks[k], p.open[k]);
    }
    p.openHour = hour;
    p.openHourFlagged = false;
    p.open.rcptPerMessage = 0; p.open.minuteMessages = 0; p.open.hourRecipients = 0; p.open.hourDomains = 0;
  }
  if (!p.openDay || day > p.openDay) {
    if (p.openDay && !p.openDayFlagged) {
      for (const k of ['dayRecipients', 'fanoutDay'] as const) p.peaks[k] = Math.max(p.peaks[k], p.open[k]);
    }
    if (p.openDay) p.activeDays += 1;
    p.openDay = day;
    p.openDayFlagged = false;
    p.open.dayRecipients = 0; p.open.fanoutDay = 0;
  }
}

/** Current risk: every entry decayed by its age. */
export function currentRisk(p: SenderProfile, now: Date, halfLifeSeconds: number): number {
  return p.risk.reduce((sum, e) => sum + decayed(e, now, halfLifeSeconds), 0);
}

export function decayed(e: RiskEntry, now: Date, halfLifeSeconds: number): number {
  const age = Math.max(0, (now.getTime() - Date.parse(e.at)) / 1000);
  return e.weight * Math.pow(0.5, age / halfLifeSeconds);
}

/** Each family's weight after decay. */
export function familyWeights(p: SenderProfile, now: Date, halfLifeSeconds: number): Map<Family, number> {
  const fams = new Map<Family, number>();
  for (const e of p.risk) fams.set(e.family, (fams.get(e.family) ?? 0) + decayed(e, now, halfLifeSeconds));
  return fams;
}

/** Families that still carry weight (at least half a point after decay). */
export function liveFamilies(p: SenderProfile, now: Date, halfLifeSeconds: number): Set<Family> {
  return new Set([...familyWeights(p, now, halfLifeSeconds)].filter(([, w]) => w >= 0.5).map(([f]) => f));
}

/** Adds evidence and drops what has faded to nothing (or the oldest, past the cap). */
export function addRisk(p: SenderProfile, entries: RiskEntry[], now: Date, halfLifeSeconds: number): void {
  p.risk.push(...entries);
  p.risk = p.risk.filter((e) => decayed(e, now, halfLifeSeconds) >= 0.05).slice(-PROFILE_CAPS.risk);
}

/** Remembers a value in a capped most-recent-last list; returns true when it was new. */
export function remember(list: string[], value: string): boolean {
  const i = list.indexOf(value);
  if (i >= 0) list.splice(i, 1);
  list.push(value);
  if (list.length > PROFILE_CAPS.known) list.shift();
  return i < 0;
}
