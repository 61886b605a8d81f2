// A whole gateway for end-to-end tests: the real local runner in this
// process (temporary DATA_DIR, free ports on 127.0.0.1), delivering through
// a real receiving SMTP server as its smarthost, and a small API client.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import { createSmarthostTransport } from '../../adapters/transport/index.js';
import { loadConfig } from '../../local/config.js';
import { startGateway, type Gateway } from '../../local/gateway.js';
import { startReceiver, type Receiver, type ReceiverOptions } from './receiving-smtp.js';
import { apiClient, type ApiCall } from './api-client.js';

export interface TestGateway {
  gw: Gateway;
  receiver: Receiver;
  dataDir: string;
  api: ApiCall;
  /** Operator creates a tenant with a domain and a mailbox user. */
  tenant(domain?: string): Promise<TestTenant>;
  /** A nodemailer transport to the submission port (STARTTLS, self-signed cert accepted). */
  client(auth?: { user: string; pass: string }, extra?: Record<string, unknown>): Transporter;
  /** Polls the message log until `pred` holds (bounded). */
  waitForMessage(token: string, id: string, pred: (m: any) => boolean, timeoutMs?: number): Promise<any>;
  stop(): Promise<void>;
}

export interface TestTenant {
  id: string;
  token: string;
  domain: string;
  domainPassword: string;
  mailbox: string;
  mailboxPassword: string;
}

export async function startTestGateway(env: Record<string, string> = {}, receiverOptions: ReceiverOptions = {}): Promise<TestGateway> {
  const dataDir = mkdtempSync(join(tmpdir(), 'rg-e2e-'));
  const receiver = await startReceiver(receiverOptions);
  const config = loadConfig({
    DATA_DIR: dataDir, SMTP_PORT: '0', SMTP_HOST: '127.0.0.1', API_PORT: '0', API_HOST: '127.0.0.1',
    SMTP_HOSTNAME: 'relay.test', OPERATOR_TOKEN: 'rgop_test-operator-token-0123456789', ...env,
  });
  const gw = await startGateway(config, {
    transport: createSmarthostTransport({ host: '127.0.0.1', port: receiver.port, name: 'relay.test' }),
    log: () => {},
  });
  const api = apiClient(`http://127.0.0.1:${gw.apiPort}`);
  let n = 0;
  return {
    gw, receiver, dataDir, api,
    async tenant(domain = `tenant${++n}.example`) {
      const t = await api('POST', '/v1/tenants', gw.operatorToken, { name: domain, ipUserQuota: 4 });
      if (t.status !== 201) throw new Error(`tenant: ${t.status} ${JSON.stringify(t.body)}`);
      const d = await api('POST', '/v1/domains', t.body.token, { domain });
      if (d.status !== 201) throw new Error(`domain: ${d.status} ${JSON.stringify(d.body)}`);
      const mailbox = `alice@${domain}`;
      const u = await api('POST', '/v1/users', t.body.token, { username: mailbox });
      if (u.status !== 201) throw new Error(`user: ${u.status} ${JSON.stringify(u.body)}`);
      return { id: t.body.id, token: t.body.token, domain, domainPassword: d.body.domainUser.password, mailbox, mailboxPassword: u.body.password };
    },
    client(auth, extra = {}) {
      return nodemailer.createTransport({
        host: '127.0.0.1', port: gw.smtpPort, secure: false, requireTLS: !!auth, tls: { rejectUnauthorized: false },
        ...(auth ? { auth } : { ignoreTLS: true }), ...extra,
      } as never);
    },
    async waitForMessage(token, id, pred, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      let last: any;
      while (Date.now() < until) {
        const r = await api('GET', `/v1/messages/${id}`, token);
        last = r.body;
        if (r.status === 200 && pred(r.body)) return r.body;
        await new Promise((res) => setTimeout(res, 50));
      }
      throw new Error(`message ${id} never matched; last: ${JSON.stringify(last)}`);
    },
    async stop() {
      await gw.stop();
      await receiver.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The queue id from a 250 reply ("250 2.0.0 Ok: queued as <id>"). */
export function queuedId(response: string | undefined): string {
  const m = /queued as (\S+)/.exec(response ?? "");
  if (!m) throw new Error(`no queue id in ${JSON.stringify(response)}`);
  return m[1]!;
}
