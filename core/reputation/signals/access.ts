// Access: a suspicious login taints the messages sent within the hour after
// it; a burst right after a password change is suspicious too.
import type { Signal } from '../../model.js';
import { THRESHOLDS } from '../policy.js';
import { fmt, signal, type CheckInput } from './input.js';

export function accessSignals(i: CheckInput, burst: boolean): Signal[] {
  const out: Signal[] = [];
  const l = i.profile.lastLogin;
  if (l && l.risk >= 1.5 && i.now.getTime() - Date.parse(l.at) <= THRESHOLDS.loginTaintSeconds * 1000) {
    out.push(signal('suspicious-login', `login from ${l.ip} at ${l.at}: ${l.reasons.join(', ')}`, Math.min(3, l.risk)));
  }
  const changed = i.passwordChangedAt;
  if (burst && changed && i.now.getTime() - changed.getTime() <= THRESHOLDS.passwordChangeSeconds * 1000) {
    out.push(signal('recent-password-change', `password changed ${fmt((i.now.getTime() - changed.getTime()) / 60000)} min before this burst`));
  }
  return out;
}
