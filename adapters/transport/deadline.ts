// The clock side of an attempt deadline (what it means is decided in
// core/delivery/attempt-deadline.ts): timeouts cut to the time left, and a
// watch that ends whatever is still waiting when the time is up.

/** Rejects what a watch races once its deadline passes. */
export class DeadlinePassed extends Error {
  readonly code = 'EDEADLINE';
  constructor() {
    super('the delivery attempt deadline passed');
  }
}

/**
 * Timeouts cut to the deadline (capToDeadline) start their timers after the
 * watch does, with at most the time that was left, so none fires before the
 * deadline (the socket's inactivity timeout, restarted by every reply, fires
 * well after it); a timeout this close to the deadline is the deadline's doing.
 */
const SLACK_MS = 100;

/** `ms`, cut to the time left before `deadline` (at least 1 ms, as 0 means "no timeout" to sockets). */
export function capToDeadline(ms: number, deadline: number | undefined, now = Date.now()): number {
  return deadline === undefined ? ms : Math.max(1, Math.min(ms, deadline - now));
}

export interface DeadlineWatch {
  /** `work`, or a rejection with DeadlinePassed when the deadline comes first. */
  race<T>(work: Promise<T>): Promise<T>;
  /** Whether the deadline has passed (the watch fired, or it is due within the timer slack). */
  passed(): boolean;
  /**
   * Whether `err` ended the work because time ran out: the watch's own, or
   * any error without a server reply once the deadline has passed (a socket
   * timeout cut to it, or the close that follows one).
   */
  caused(err: unknown): boolean;
  /** Clears the timer; call it when the work is over. */
  stop(): void;
}

/** The longest delay a Node timer keeps: a longer one, Infinity included, fires after 1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * How long a timer that ends the work at `deadline` waits, or undefined when
 * it needs none: no deadline, or one further than a timer reaches (about 24.8
 * days; Infinity), which no attempt lives to see.
 */
export function timerToDeadline(deadline: number | undefined, now = Date.now()): number | undefined {
  if (deadline === undefined) return undefined;
  const left = Math.max(0, deadline - now);
  return left > MAX_TIMER_MS ? undefined : left;
}

const NO_DEADLINE: DeadlineWatch = { race: (work) => work, passed: () => false, caused: () => false, stop() {} };

/** Calls `onPassed` (to close a connection) and rejects the races when `deadline` passes. */
export function watchDeadline(deadline: number | undefined, onPassed: () => void = () => {}): DeadlineWatch {
  const delay = timerToDeadline(deadline);
  if (deadline === undefined || delay === undefined) return NO_DEADLINE;
  let fired = false;
  let reject: (err: Error) => void = () => {};
  const expiry = new Promise<never>((_, r) => { reject = r; });
  // Nobody may be racing when it fires; that is no unhandled rejection.
  expiry.catch(() => {});
  const timer = setTimeout(() => {
    fired = true;
    reject(new DeadlinePassed());
    onPassed();
  }, delay);
  const passed = () => fired || Date.now() >= deadline - SLACK_MS;
  return {
    race: (work) => Promise.race([work, expiry]),
    passed,
    caused: (err) => err instanceof DeadlinePassed || (passed() && !(err as { responseCode?: unknown } | undefined)?.responseCode),
    stop: () => clearTimeout(timer),
  };
}
