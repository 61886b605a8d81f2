// Functions for test/unit/bounded-worker.test.ts to run in a worker: one that
// throws, one whose result cannot cross threads, one that never returns.
export function throwsInside(): number {
  throw new Error('thrown inside the worker');
}

export function returnsAFunction(): { f: () => number } {
  return { f: () => 1 };
}

export function spinsForever(): number {
  for (;;) { /* a stall, as a quadratic regex would be */ }
}
