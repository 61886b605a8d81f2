// Hears the locks core sets (its `sender.locked` notification, sent once per
// new lock), so the score Lambda can count lockouts (the metric behind the
// lockouts-per-hour alarm) without core knowing about metrics.
import type { Notifier } from '../../core/ports.js';

export function lockListener(onLock: (sender: string) => void): Notifier {
  return {
    async notify(_tenant, event) {
      if (event.type === 'sender.locked') onLock(event.sender ?? '');
    },
  };
}
