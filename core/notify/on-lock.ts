// A notifier wrapper that sees each new lock — core's `sender.locked` event,
// sent once per lock — before passing every event on to the tenant's
// notifier. The runners count locks through it (a metric in the Lambdas, a
// log line the stack counts on Fargate) without core knowing how.
import type { Tenant } from '../model.js';
import type { Notifier } from '../ports.js';

export function onSenderLocked(next: Notifier, seen: (tenant: Tenant, sender: string) => void): Notifier {
  return {
    async notify(tenant, event) {
      if (event.type === 'sender.locked') seen(tenant, event.sender ?? '');
      await next.notify(tenant, event);
    },
  };
}
