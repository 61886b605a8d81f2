// The operator token: OPERATOR_TOKEN if set, otherwise generated once into
// DATA_DIR/operator-token (mode 0600) and reused on every start.
import { generateToken } from '../core/tenants/password.js';
import { loadOrCreateSecretFile } from './secrets.js';

export function loadOrCreateOperatorToken(dataDir: string, fromEnv?: string): { token: string; created: boolean } {
  const { value, created } = loadOrCreateSecretFile(dataDir, 'operator-token', fromEnv, () => generateToken('rgop'));
  return { token: value, created };
}
