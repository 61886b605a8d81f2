// Spread: who the mail goes to. Recipients per message, distinct domains,
// never-seen recipients, one identical body fanned out to many, and many
// brand-new envelope senders behind one IP user (a hacked contact form).
import type { Signal } from '../../model.js';
import { THRESHOLDS } from '../policy.js';
import { fmt, isEstablished, signal, type CheckInput } from './input.js';

export function spreadSignals(i: CheckInput): Signal[] {
  const out: Signal[] = [];
  const { counts: c, allow: a } = i;
  const n = i.message.envelope.rcptTo.length;
  if (n > a.rcptPerMessage) out.push(signal('recipients-per-message-high', `${n} recipients on this message, allowance ${fmt(a.rcptPerMessage)}`));
  if (c.hourDomains > a.hourDomains) out.push(signal('many-recipient-domains', `${c.hourDomains} recipient domains this hour, allowance ${fmt(a.hourDomains)}`));
  if (!i.bulk && isEstablished(i.profile) && i.profile.newShare < THRESHOLDS.newShareUsual
    && c.hourSampled >= THRESHOLDS.newShareMinSample && c.hourNew / c.hourSampled >= THRESHOLDS.newShare) {
    out.push(signal('new-recipients-share', `${c.hourNew} of ${c.hourSampled} sampled recipients this hour never written to before (usually ${Math.round(i.profile.newShare * 100)} %)`));
  }
  if (c.fanoutDay > a.fanoutDay) out.push(signal('identical-body-fanout', `one body to ${c.fanoutDay} recipients today, allowance ${fmt(a.fanoutDay)}`));
  if (i.message.identity.kind === 'ip-user' && i.profile.messages === 0 && c.ipUserNewSenders >= THRESHOLDS.ipUserNewSenders) {
    out.push(signal('ip-user-new-senders', `${c.ipUserNewSenders} never-seen envelope senders behind IP user ${i.message.identity.cidr} this hour`));
  }
  return out;
}
