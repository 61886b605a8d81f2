// Hears the locks core sets (its `sender.locked` notification, sent once per
// new lock), so the score Lambda can count lockouts (the metric behind the
// lockouts-per-hour alarm) without core knowing about metrics, then passes
// every event on to the tenant's notifier (the webhook).
import type { Notifier } from '../../core/ports.js';

export function lockListener(onLock: (sender: string) => void, next?: Notifier): Notifier {
  return {
    async notify(tenant, event) {
      if (event.type === 'sender.locked') onLock(event.sender ?? '');
      await next?.notify(tenant, event);
    },
  };
}
