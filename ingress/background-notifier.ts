// Tenant webhooks from the SMTP ingress (the `sender.unlocked` of an expired
// lock lifted at MAIL FROM, the `sender.locked` of a lock decided on login
// evidence at AUTH) must never delay or fail an SMTP reply: notify() hands
// the event to the wrapped notifier and returns at once. That notifier keeps
// its own retries and timeouts; a delivery that still fails is logged as
// NOTIFY_WEBHOOK_FAILED, as everywhere else. drain() lets a stopping ingress
// wait (bounded) for what is still in flight.
import type { Tenant } from '../core/model.js';
import type { Notifier } from '../core/ports.js';
import { stderrProblemLog, type ProblemLog } from '../core/log.js';

type NotifyEvent = Parameters<Notifier['notify']>[1];

export interface BackgroundNotifierOptions {
  /** Where a failed delivery is reported (code NOTIFY_WEBHOOK_FAILED). @default stderr */
  log?: ProblemLog;
}

export class BackgroundNotifier implements Notifier {
  private readonly pending = new Set<Promise<void>>();
  private readonly log: ProblemLog;

  constructor(private readonly inner: Notifier, options: BackgroundNotifierOptions = {}) {
    this.log = options.log ?? stderrProblemLog;
  }

  /** Starts the delivery and resolves at once; never rejects. */
  notify(tenant: Tenant, event: NotifyEvent): Promise<void> {
    const run = Promise.resolve()
      .then(() => this.inner.notify(tenant, event))
      .catch((err: unknown) => {
        try {
          this.log.problem('NOTIFY_WEBHOOK_FAILED', { tenantId: tenant.id, type: event.type, sender: event.sender, error: String(err) });
        } catch { /* a broken logger must not surface here */ }
      })
      .finally(() => this.pending.delete(run));
    this.pending.add(run);
    return Promise.resolve();
  }

  /** Waits until every delivery in flight has finished, or `timeoutMs` passed; resolves with how many are still running. */
  async drain(timeoutMs: number): Promise<number> {
    if (this.pending.size === 0) return 0;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => { timer = setTimeout(resolve, timeoutMs); });
    await Promise.race([Promise.allSettled([...this.pending]), timeout]);
    clearTimeout(timer);
    return this.pending.size;
  }
}
