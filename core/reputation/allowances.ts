// How much a sender may send before volume and spread signals fire: its own
// learned peaks times the allowance, never less than the floor for its age,
// and raised to what the tenant declared for an allow-listed bulk sender.
import type { TenantSettings } from '../model.js';
import { ALLOWANCE, MATURITY_FLOORS } from './policy.js';
import type { Peaks, SenderProfile } from './profile.js';

export type Allowances = Peaks;

export interface BulkDeclaration {
  sender: string;
  /** Recipients per hour the tenant declared for this sender. */
  hourlyVolume: number;
}

export function bulkDeclarationFor(settings: TenantSettings, sender: string): BulkDeclaration | undefined {
  const s = sender.toLowerCase();
  return settings.bulkSenders?.find((b) => b.sender.toLowerCase() === s);
}

export function allowancesFor(p: SenderProfile, bulk?: BulkDeclaration): Allowances {
  let floor: (typeof MATURITY_FLOORS)[number] = MATURITY_FLOORS[0];
  for (const f of MATURITY_FLOORS) if (p.activeDays >= f.minActiveDays) floor = f;
  const a: Allowances = {
    rcptPerMessage: Math.max(floor.rcptPerMessage, ALLOWANCE.rcptPerMessage * p.peaks.rcptPerMessage),
    minuteMessages: Math.max(floor.minuteMessages, ALLOWANCE.minuteMessages * p.peaks.minuteMessages),
    hourRecipients: Math.max(floor.hourRecipients, ALLOWANCE.hourRecipients * p.peaks.hourRecipients),
    dayRecipients: Math.max(floor.dayRecipients, ALLOWANCE.dayRecipients * p.peaks.dayRecipients),
    hourDomains: Math.max(floor.hourDomains, ALLOWANCE.hourDomains * p.peaks.hourDomains),
    fanoutDay: Math.max(floor.fanoutDay, ALLOWANCE.fanoutDay * p.peaks.fanoutDay),
  };
  if (bulk) {
    // A declared bulk sender may send its declared hourly volume all day, one
    // text to all of it, in batches of up to 100, to any number of domains.
    const v = bulk.hourlyVolume;
    a.hourRecipients = Math.max(a.hourRecipients, Math.ceil(v * 1.2));
    a.dayRecipients = Math.max(a.dayRecipients, v * 24);
    a.fanoutDay = Math.max(a.fanoutDay, v * 24);
    a.rcptPerMessage = Math.max(a.rcptPerMessage, 100);
    a.hourDomains = Math.max(a.hourDomains, v);
    a.minuteMessages = Math.max(a.minuteMessages, Math.ceil(v / 60) * 3 + 10);
  }
  return a;
}
