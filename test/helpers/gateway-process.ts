// Starts the gateway the way a user does — `node --import tsx local/main.ts`
// as a child process — and resolves once it prints GATEWAY_READY (bounded).
// Used where the process itself is under test: the SIGKILL durability test,
// the console's browser tests and the ingress benchmark.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface SpawnedGateway {
  child: ChildProcess;
  /** Everything it printed so far (stdout and stderr), for failure messages and its READY line. */
  output(): string;
}

/**
 * `env` is the whole environment when `inherit` is false (the console tests
 * want a clean one), else it is laid over this process's environment.
 */
export function spawnGateway(env: Record<string, string>, { inherit = true, timeoutMs = 60_000 } = {}): Promise<SpawnedGateway> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/main.ts'], {
    cwd: REPO_ROOT, env: inherit ? { ...process.env, ...env } : env, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`gateway not ready within ${timeoutMs / 1000} s:\n${out}`)); }, timeoutMs);
    const onData = () => {
      if (!out.includes('GATEWAY_READY')) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.off('exit', onExit);
      resolve({ child, output: () => out });
    };
    const onExit = (code: number | null, signal: string | null) => { clearTimeout(timer); reject(new Error(`gateway exited (${code ?? signal}):\n${out}`)); };
    child.stdout!.on('data', onData);
    child.once('exit', onExit);
  });
}
