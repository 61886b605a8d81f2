// The SMTP port /v1/me tells tenants to configure, from the real local runner:
// PUBLIC_SMTP_PORT when set (a NAT or load balancer in front), otherwise the
// port the submission server really listens on (never the configured 0).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../local/config.js';
import { startGateway } from '../../local/gateway.js';

const OPERATOR = 'rgop_test-operator-token-0123456789';

async function smtpShownToTenants(env: Record<string, string>): Promise<{ shown: { host: string; port: number }; listening: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'rg-port-'));
  const gw = await startGateway(loadConfig({
    DATA_DIR: dataDir, SMTP_PORT: '0', SMTP_HOST: '127.0.0.1', API_PORT: '0', API_HOST: '127.0.0.1', WORKERS: 'off',
    SMTP_HOSTNAME: 'relay.test', OPERATOR_TOKEN: OPERATOR, ...env,
  }), { log: () => {} });
  try {
    const call = async (path: string, token: string, body?: unknown) => {
      const res = await fetch(`http://127.0.0.1:${gw.apiPort}${path}`, {
        method: body ? 'POST' : 'GET', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      return res.json() as Promise<any>;
    };
    const tenant = await call('/v1/tenants', OPERATOR, { name: 'Port Co' });
    return { shown: (await call('/v1/me', tenant.token)).smtp, listening: gw.smtpPort };
  } finally {
    await gw.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

test('/v1/me shows the port the gateway listens on when no public port is configured', async () => {
  const { shown, listening } = await smtpShownToTenants({});
  assert.ok(listening > 0);
  assert.deepEqual(shown, { host: 'relay.test', port: listening });
});

test('/v1/me shows PUBLIC_SMTP_PORT and PUBLIC_SMTP_HOST when they are set', async () => {
  const { shown } = await smtpShownToTenants({ PUBLIC_SMTP_PORT: '587', PUBLIC_SMTP_HOST: 'smtp.example.net' });
  assert.deepEqual(shown, { host: 'smtp.example.net', port: 587 });
});

test('a PUBLIC_SMTP_PORT that is no port fails fast, naming the key', () => {
  for (const bad of ['0', '70000', 'smtp']) {
    assert.throws(() => loadConfig({ PUBLIC_SMTP_PORT: bad }), /PUBLIC_SMTP_PORT/);
  }
});
