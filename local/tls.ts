// The TLS certificate for STARTTLS: the operator's PEM files, or a
// self-signed one generated into DATA_DIR/tls on first start and reused.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from 'selfsigned';

export async function loadOrCreateTls(dataDir: string, hostname: string, certFile?: string, keyFile?: string): Promise<{ key: string; cert: string; selfSigned: boolean }> {
  if (certFile && keyFile) return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), selfSigned: false };
  const dir = join(dataDir, 'tls');
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  if (existsSync(certPath) && existsSync(keyPath)) return { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8'), selfSigned: true };
  mkdirSync(dir, { recursive: true });
  const pems = await generate([{ name: 'commonName', value: hostname }], { keySize: 2048, days: 825, algorithm: 'sha256' } as never);
  writeFileSync(keyPath, pems.private, { mode: 0o600 });
  writeFileSync(certPath, pems.cert);
  return { cert: pems.cert, key: pems.private, selfSigned: true };
}
