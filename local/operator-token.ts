// The operator token: OPERATOR_TOKEN if set, otherwise generated once into
// DATA_DIR/operator-token (mode 0600) and reused on every start.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateToken } from '../core/tenants/password.js';

export function loadOrCreateOperatorToken(dataDir: string, fromEnv?: string): { token: string; created: boolean } {
  if (fromEnv) return { token: fromEnv, created: false };
  const file = join(dataDir, 'operator-token');
  if (existsSync(file)) return { token: readFileSync(file, 'utf8').trim(), created: false };
  const token = generateToken('rgop');
  writeFileSync(file, token + '\n', { mode: 0o600 });
  return { token, created: true };
}
