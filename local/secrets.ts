// Server secrets kept in DATA_DIR: given by an environment variable, or
// generated once (mode 0600) and reused on every start.
import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function loadOrCreateSecret(dataDir: string, name: string, fromEnv?: string): string {
  if (fromEnv) return fromEnv;
  const file = join(dataDir, name);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  // Written whole under a private name, then linked into place: link() fails if the name exists, so of
  // processes starting together (INGRESS_PROCESSES > 1) one wins and the others read the winner's secret.
  const secret = randomBytes(32).toString('base64url');
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, secret + '\n', { mode: 0o600 });
  try {
    linkSync(tmp, file);
    return secret;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return readFileSync(file, 'utf8').trim();
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw err;
    writeFileSync(file, secret + '\n', { mode: 0o600, flag: 'wx' }); // a filesystem without hard links
    return secret;
  } finally {
    unlinkSync(tmp);
  }
}
