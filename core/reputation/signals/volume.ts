// Volume: messages and recipients per minute, hour and day against the
// sender's own learned peaks (allowances), and the tenant's ceiling.
import type { Signal } from '../../model.js';
import { fmt, signal, type CheckInput } from './input.js';

export function volumeSignals(i: CheckInput): Signal[] {
  const out: Signal[] = [];
  const { counts: c, allow: a } = i;
  if (c.minuteMessages > a.minuteMessages) out.push(signal('rate-minute-high', `${c.minuteMessages} messages this minute, allowance ${fmt(a.minuteMessages)}`));
  if (c.hourRecipients > a.hourRecipients) out.push(signal('volume-hour-high', `${c.hourRecipients} recipients this hour, allowance ${fmt(a.hourRecipients)}`));
  if (c.dayRecipients > a.dayRecipients) out.push(signal('volume-day-high', `${c.dayRecipients} recipients today, allowance ${fmt(a.dayRecipients)}`));
  const ceiling = i.settings.senderHourlyLimit;
  const bulkMessages = i.bulk ? i.bulk.hourlyVolume : 0; // a declared bulk sender's batches count against its declaration instead
  if (ceiling > 0 && c.hourMessages > Math.max(ceiling, bulkMessages)) out.push(signal('tenant-ceiling', `${c.hourMessages} messages this hour, tenant ceiling ${ceiling}`));
  return out;
}

/** Signals that throttle the sender (4xx at MAIL FROM): pure volume, where waiting costs an honest sender nothing. */
export const THROTTLING_SIGNALS: ReadonlySet<string> = new Set(['volume-hour-high', 'volume-day-high', 'tenant-ceiling']);
