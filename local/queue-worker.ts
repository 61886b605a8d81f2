// Runs a core job handler over a local queue, as SQS + Lambda would: up to
// `concurrency` jobs at once, ack on success, retry with backoff on a throw,
// and after `maxAttempts` hand the job to `onGiveUp` (which must leave the
// message somewhere a tenant can see it) and move it to the dead-letter queue.
import type { LocalQueue } from '../adapters/local/index.js';

export interface QueueWorkerOptions<J> {
  name: string;
  queue: LocalQueue<J>;
  handle(job: J): Promise<void>;
  concurrency: number;
  /** How long a received job stays invisible (longer than any single handling). */
  visibilitySeconds?: number;
  maxAttempts?: number;
  onGiveUp?(job: J, err: unknown): Promise<void>;
  /** Idle poll interval. */
  pollMs?: number;
  log?(event: string, fields: Record<string, unknown>): void;
}

export interface QueueWorker {
  /** Wakes the worker now (new work arrived). */
  poke(): void;
  stop(): Promise<void>;
}

export function startQueueWorker<J>(o: QueueWorkerOptions<J>): QueueWorker {
  const visibility = o.visibilitySeconds ?? 300;
  const maxAttempts = o.maxAttempts ?? 8;
  const pollMs = o.pollMs ?? 25;
  const log = o.log ?? (() => {});
  let inFlight = 0;
  let stopping = false;
  let timer: NodeJS.Timeout | undefined;
  let idle: (() => void) | undefined;

  async function runOne(id: number, job: J, attempts: number): Promise<void> {
    try {
      await o.handle(job);
      await o.queue.ack(id);
    } catch (err) {
      if (attempts >= maxAttempts) {
        log('JOB_GAVE_UP', { queue: o.name, job, attempts, error: String((err as Error)?.message ?? err) });
        try { await o.onGiveUp?.(job, err); } finally { await o.queue.deadLetter(id); }
      } else {
        const delay = Math.min(2 ** attempts, 300);
        log('JOB_RETRY', { queue: o.name, job, attempts, delaySeconds: delay, error: String((err as Error)?.message ?? err) });
        await o.queue.release(id, delay);
      }
    }
  }

  async function tick(): Promise<void> {
    timer = undefined;
    if (stopping) return;
    const free = o.concurrency - inFlight;
    let got = 0;
    if (free > 0) {
      try {
        const jobs = await o.queue.receive(free, visibility);
        got = jobs.length;
        for (const j of jobs) {
          inFlight++;
          void runOne(j.id, j.job, j.attempts).catch((err) => log('JOB_ERROR', { queue: o.name, error: String(err) })).finally(() => {
            inFlight--;
            if (inFlight === 0) idle?.();
            schedule(0);
          });
        }
      } catch (err) {
        log('QUEUE_ERROR', { queue: o.name, error: String(err) });
      }
    }
    schedule(got > 0 && got === free ? 0 : pollMs);
  }

  function schedule(ms: number): void {
    if (stopping) return;
    if (timer && ms > 0) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void tick(), ms);
  }

  schedule(0);
  return {
    poke: () => schedule(0),
    async stop() {
      stopping = true;
      if (timer) clearTimeout(timer);
      if (inFlight > 0) await new Promise<void>((r) => (idle = r));
    },
  };
}
