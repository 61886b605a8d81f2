// "A 250 means durable": the gateway is killed with SIGKILL in the middle of
// a load, restarted on the same data folder, and every message that got a
// 250 must end delivered, held or bounced — none lost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { startReceiver } from '../helpers/receiving-smtp.js';
import { freePort } from '../helpers/free-port.js';
import { queuedId } from '../helpers/gateway.js';
import { spawnGateway } from '../helpers/gateway-process.js';
import { apiClient } from '../helpers/api-client.js';

const OPERATOR = 'rgop_crash-test-operator-token-42';

const startProcess = async (env: Record<string, string>): Promise<ChildProcess> => (await spawnGateway(env, { timeoutMs: 30_000 })).child;

for (const processes of [1, 2]) test(`every message that got 250 survives a SIGKILL mid-load and is delivered after restart (${processes} ingress process${processes > 1 ? 'es' : ''})`, { timeout: 180_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rg-crash-'));
  const receiver = await startReceiver();
  const [smtpPort, apiPort] = [await freePort(), await freePort()];
  const env = {
    DATA_DIR: dataDir, SMTP_PORT: String(smtpPort), SMTP_HOST: '127.0.0.1', API_PORT: String(apiPort), API_HOST: '127.0.0.1',
    SMARTHOST: `127.0.0.1:${receiver.port}`, OPERATOR_TOKEN: OPERATOR, SMTP_HOSTNAME: 'relay.test', INGRESS_PROCESSES: String(processes),
  };
  let child = await startProcess(env);
  try {
    const api = apiClient(`http://127.0.0.1:${apiPort}`);
    const tenant = await api('POST', '/v1/tenants', OPERATOR, { name: 'durable', ipUserQuota: 1 });
    assert.equal((await api('POST', '/v1/ip-users', tenant.body.token, { cidr: '127.0.0.1/32' })).status, 201);
    // This test is about durability, not policy: monitor-only delivers whatever the verdicts say.
    assert.equal((await api('PATCH', '/v1/settings', tenant.body.token, { monitorOnly: true })).status, 200);
    await new Promise((r) => setTimeout(r, 2200)); // IP-user list refresh

    // Load: 8 connections sending back to back; SIGKILL once 150 messages were accepted.
    const accepted: string[] = [];
    let killed = false;
    const sender = async (n: number) => {
      const client = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, ignoreTLS: true, pool: true, maxConnections: 1, maxMessages: Infinity } as never);
      try {
        for (let i = 0; i < 400 && !killed; i++) {
          try {
            const info = await client.sendMail({ from: `app${n}@shop.example`, to: 'customer@partner.example', subject: `order ${n}-${i}`, text: `Your order ${n}-${i} has shipped.\n` });
            accepted.push(queuedId(info.response));
          } catch (err) { if (!killed) console.error("send failed", n, i, String(err)); break; }
          if (accepted.length >= 150 && !killed) { killed = true; child.kill('SIGKILL'); }
        }
      } finally { client.close(); }
    };
    await Promise.all(Array.from({ length: 8 }, (_, n) => sender(n)));
    assert.ok(killed, 'the gateway was killed mid-load');
    await new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())));
    // Ingress child processes notice their parent is gone and exit, freeing the port (bounded wait).
    for (let i = 0; i < 100; i++) {
      const free = await new Promise<boolean>((r) => { const s = createServer().once('error', () => r(false)).listen(smtpPort, '127.0.0.1', () => s.close(() => r(true))); });
      if (free) break;
      await new Promise((r) => setTimeout(r, 100));
    }

    child = await startProcess(env);
    const want = new Set(accepted);
    const until = Date.now() + 60_000;
    const seen = new Set<string>();
    while (Date.now() < until && seen.size < want.size) {
      for (const r of receiver.received) {
        const m = /with ESMTPS?A? id (\S+)/.exec(r.raw.toString('latin1'));
        if (m && want.has(m[1]!)) seen.add(m[1]!);
      }
      if (seen.size < want.size) await new Promise((r) => setTimeout(r, 200));
    }
    const missing = [...want].filter((id) => !seen.has(id));
    // Anything not at the receiver must at least be held or bounced — never gone.
    for (const id of missing) {
      const r = await api('GET', `/v1/messages/${id}`, tenant.body.token);
      assert.equal(r.status, 200, `message ${id} got 250 but is unknown after the restart`);
      assert.ok(['quarantined', 'bounced', 'rejected'].includes(r.body.status), `message ${id} is ${r.body.status}`);
    }
    assert.ok(accepted.length >= 150);
  } finally {
    child.kill('SIGKILL');
    await receiver.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
