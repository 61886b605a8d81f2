// Runs one exported function on its arguments in a worker thread, and gives up
// on it after a bound. node:test cannot stop synchronous work on the test's own
// thread: a test whose code under test turned quadratic again stalls the run for
// minutes instead of failing at its `timeout`. A worker can be terminated, so
// here the same regression is an assertion failure that names the case.
//
// The function is given as its module's file URL and the imported function
// itself (for its name and its types); the worker imports that module and calls
// the export of that name. Arguments and the result cross threads by structured
// clone: every Uint8Array in the arguments reaches the function as a Buffer
// again, while Buffers in the result come back as plain Uint8Arrays.
//
// This file is also the worker's code: the worker registers tsx (a worker
// thread does not inherit the loader from `--import tsx` on Node 20, see
// adapters/local/intake-worker-tsx.mjs) and imports this module again.
import assert from 'node:assert/strict';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

export interface Bound {
  /** Seconds before the worker is terminated and the call fails. Far above the cost of the fixed code. @default 30 */
  readonly seconds?: number;
  /** What a call that runs past the bound means ("a regex backtracks quadratically again"): the failure message ends with it. */
  readonly stall: string;
}

/** The call the worker makes, under this key in its workerData. */
interface Call {
  module: string;
  name: string;
  args: unknown[];
}
const CALL = 'boundedWorkerCall';

const BOOT = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
  .then((tsx) => { tsx.register(); return import(${JSON.stringify(import.meta.url)}); });`;

/**
 * `fn(...args)`, exported by `module`, run in a worker thread; fails with an AssertionError
 * "<fn> did not finish within <seconds> s: <stall>" if it has not returned by then.
 * A throw in the worker rejects with that error.
 */
export function callInWorker<A extends unknown[], R>(module: URL, fn: (...args: A) => R, args: A, bound: Bound): Promise<Awaited<R>> {
  const seconds = bound.seconds ?? 30;
  const call: Call = { module: module.href, name: fn.name, args };
  // Made here, so that its stack names the test line that made the call.
  const overrun = new assert.AssertionError({ message: `${fn.name} did not finish within ${seconds} s: ${bound.stall}` });
  const worker = new Worker(BOOT, { eval: true, workerData: { [CALL]: call } });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { reject(overrun); void worker.terminate(); }, seconds * 1000);
    const settle = (end: () => void) => { clearTimeout(timer); end(); void worker.terminate(); };
    worker.once('message', (result: Awaited<R>) => settle(() => resolve(result)));
    worker.once('error', (err) => settle(() => reject(err)));
    worker.once('exit', (code) => settle(() => reject(new Error(`the worker running ${fn.name} exited with code ${code} before it answered`))));
  });
}

/** Structured clone makes Buffers plain Uint8Arrays: make them Buffers again, in arrays and plain objects too. */
function withBuffers(v: unknown): unknown {
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  if (Array.isArray(v)) return v.map(withBuffers);
  if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withBuffers(x)]));
  }
  return v;
}

async function answer(call: Call): Promise<void> {
  const fn = ((await import(call.module)) as Record<string, unknown>)[call.name];
  if (typeof fn !== 'function') throw new Error(`${call.module} exports no function named "${call.name}"`);
  const result: unknown = await fn(...call.args.map(withBuffers));
  try {
    parentPort!.postMessage(result);
  } catch (err) {
    // A DataCloneError loses its message on the way to the 'error' event: say it in a plain Error.
    throw new Error(`${call.name} returned a value that cannot cross threads (${err instanceof Error ? err.message : String(err)}): return plain data`);
  }
}

const call = isMainThread ? undefined : (workerData as Record<string, Call> | null)?.[CALL];
if (call) await answer(call);
