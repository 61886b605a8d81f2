// SIGTERM on `npm start`: a session in the middle of a message finishes it
// (the SMTP listeners wait a grace period for their sessions), gets its 250,
// and the message is there after a restart — with one ingress process and
// with several (INGRESS_PROCESSES > 1, where the sessions live in child
// processes of the one that got the signal).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../helpers/free-port.js';
import { queuedId } from '../helpers/gateway.js';
import { spawnGateway } from '../helpers/gateway-process.js';
import { RawSmtp } from '../helpers/raw-smtp.js';
import { apiClient } from '../helpers/api-client.js';

const OPERATOR = 'rgop_shutdown-test-operator-token-7';

const exited = (child: ChildProcess): Promise<void> =>
  new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())));

for (const processes of [1, 2]) test(`a message in progress at SIGTERM is finished, answered 250 and kept (${processes} ingress process${processes > 1 ? 'es' : ''})`, { timeout: 120_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rg-shutdown-'));
  const [smtpPort, apiPort] = [await freePort(), await freePort()];
  const env = {
    DATA_DIR: dataDir, SMTP_PORT: String(smtpPort), SMTP_HOST: '127.0.0.1', API_PORT: String(apiPort), API_HOST: '127.0.0.1',
    SMARTHOST: '127.0.0.1:9', OPERATOR_TOKEN: OPERATOR, SMTP_HOSTNAME: 'relay.test', INGRESS_PROCESSES: String(processes), WORKERS: 'off',
  };
  let child = (await spawnGateway(env, { timeoutMs: 30_000 })).child;
  try {
    const api = apiClient(`http://127.0.0.1:${apiPort}`);
    const tenant = await api('POST', '/v1/tenants', OPERATOR, { name: 'shutdown', ipUserQuota: 1 });
    assert.equal((await api('POST', '/v1/ip-users', tenant.body.token, { cidr: '127.0.0.1/32' })).status, 201);
    await new Promise((r) => setTimeout(r, 2200)); // IP-user list refresh

    let id = '';
    const c = await RawSmtp.connect(smtpPort);
    try {
      assert.equal((await c.reply()).code, 220);
      await c.cmd('EHLO client.test');
      assert.equal((await c.cmd('MAIL FROM:<app@shop.example>')).code, 250);
      assert.equal((await c.cmd('RCPT TO:<customer@partner.example>')).code, 250);
      assert.equal((await c.cmd('DATA')).code, 354);
      c.write('Subject: order 42\r\n\r\nYour order has');
      child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 1500)); // well within the 5 s grace period
      c.write(' shipped.\r\n.\r\n');
      const done = await c.reply(10_000);
      assert.equal(done.code, 250, done.text);
      id = queuedId(done.text);
    } finally { c.close(); }
    await exited(child);

    child = (await spawnGateway(env, { timeoutMs: 30_000 })).child;
    const m = await api('GET', `/v1/messages/${id}`, tenant.body.token);
    assert.equal(m.status, 200, `message ${id} got 250 but is unknown after the restart`);
  } finally {
    child.kill('SIGKILL');
    await exited(child);
    rmSync(dataDir, { recursive: true, force: true });
  }
});
