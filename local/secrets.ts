// Server secrets kept in DATA_DIR (the webhook secret, the operator token):
// given by an environment variable, or generated once (mode 0600) and reused
// on every start.
import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const randomSecret = (): string => randomBytes(32).toString('base64url');

/** The secret in DATA_DIR/`name`, made by `make` the first time; `created` says this call made it. */
export function loadOrCreateSecretFile(dataDir: string, name: string, fromEnv: string | undefined, make: () => string = randomSecret): { value: string; created: boolean } {
  if (fromEnv) return { value: fromEnv, created: false };
  const file = join(dataDir, name);
  if (existsSync(file)) return { value: readFileSync(file, 'utf8').trim(), created: false };
  // Written whole under a private name, then linked into place: link() fails if the name exists, so of
  // processes starting together (INGRESS_PROCESSES > 1) one wins and the others read the winner's secret.
  const secret = make();
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, secret + '\n', { mode: 0o600 });
  try {
    linkSync(tmp, file);
    return { value: secret, created: true };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return { value: readFileSync(file, 'utf8').trim(), created: false };
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw err;
    writeFileSync(file, secret + '\n', { mode: 0o600, flag: 'wx' }); // a filesystem without hard links
    return { value: secret, created: true };
  } finally {
    unlinkSync(tmp);
  }
}

export function loadOrCreateSecret(dataDir: string, name: string, fromEnv?: string): string {
  return loadOrCreateSecretFile(dataDir, name, fromEnv).value;
}
