// Builds the web console (console/dist) when it is missing or older than its
// sources. `npm start` runs it first (prestart), and so do the browser tests,
// so a fresh clone serves the console without a separate build step.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CONSOLE = join(ROOT, 'console');
const DIST_INDEX = join(CONSOLE, 'dist', 'index.html');

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return readdirSync(path).reduce((m, name) => Math.max(m, newestMtime(join(path, name))), st.mtimeMs);
}

/** Returns true when it had to build. */
export function ensureConsoleBuilt(): boolean {
  const sources = ['src', 'public', 'index.html', 'vite.config.ts'].map((p) => join(CONSOLE, p)).filter(existsSync);
  const newest = Math.max(...sources.map(newestMtime));
  if (existsSync(DIST_INDEX) && statSync(DIST_INDEX).mtimeMs >= newest) return false;
  const res = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', join(CONSOLE, 'vite.config.ts'), '--logLevel', 'warn'], {
    cwd: ROOT, encoding: 'utf8', timeout: 120_000,
  });
  if (res.status !== 0) throw new Error(`console build failed (${res.status ?? res.signal}):\n${res.stdout}\n${res.stderr}`);
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    if (ensureConsoleBuilt()) process.stdout.write('web console built into console/dist\n');
  } catch (err) {
    // The gateway runs without its console; say so instead of refusing to start.
    process.stderr.write(`warning: ${(err as Error).message}\nthe gateway will start without the web console\n`);
  }
}
