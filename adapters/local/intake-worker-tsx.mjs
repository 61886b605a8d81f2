// Starts the intake committer (intake-worker.ts) on its thread when the
// gateway runs from TypeScript sources (npm start, the tests): on Node 20 a
// worker thread does not inherit tsx's loader from `--import tsx`, so it is
// registered here first.
import { register } from 'tsx/esm/api';

register();
await import('./intake-worker.ts');
