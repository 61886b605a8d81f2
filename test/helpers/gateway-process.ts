// Starts a TypeScript entry point as a child process (`node --import tsx
// <script>`) and resolves once it prints its ready line (bounded). The
// gateway — `local/main.ts`, the way a user starts it — is the usual one: the
// SIGKILL durability test, the console's browser tests and the ingress
// benchmark use it; the benchmark also starts its baseline servers this way.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface SpawnedProcess {
  child: ChildProcess;
  /** Everything it printed so far (stdout and stderr), for failure messages and its ready line. */
  output(): string;
}

export interface SpawnOptions {
  /** Lay `env` over this process's environment (true) or use it as the whole environment (false). @default true */
  inherit?: boolean;
  timeoutMs?: number;
}

/** Spawns `script` (relative to the repository root) and waits until its stdout contains `readyMark`. */
export function spawnUntilReady(script: string, env: Record<string, string>, readyMark: string, { inherit = true, timeoutMs = 60_000 }: SpawnOptions = {}): Promise<SpawnedProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: REPO_ROOT, env: inherit ? { ...process.env, ...env } : env, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${script} not ready within ${timeoutMs / 1000} s:\n${out}`)); }, timeoutMs);
    const onData = () => {
      if (!out.includes(readyMark)) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.off('exit', onExit);
      resolve({ child, output: () => out });
    };
    const onExit = (code: number | null, signal: string | null) => { clearTimeout(timer); reject(new Error(`${script} exited (${code ?? signal}):\n${out}`)); };
    child.stdout!.on('data', onData);
    child.once('exit', onExit);
  });
}

/** The gateway (`local/main.ts`), ready once it prints GATEWAY_READY. */
export function spawnGateway(env: Record<string, string>, options: SpawnOptions = {}): Promise<SpawnedProcess> {
  return spawnUntilReady('local/main.ts', env, 'GATEWAY_READY', options);
}
