// A bound on how long a test waits for work that must end by itself (a
// deadline under test): past it the test fails with `what`, instead of
// hanging until the suite's timeout. The bound stops hangs; it is not a
// timing assertion.
export async function settleWithin<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} (still running after ${ms} ms)`)), ms); });
  try {
    return await Promise.race([work, hang]);
  } finally {
    clearTimeout(timer);
  }
}
