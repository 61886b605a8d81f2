// What the console's browser tests stand on: a fresh console build, the real
// gateway as a child process (`node --import tsx local/main.ts`, the same as
// `npm start`) with a receiving SMTP server as its smarthost, Debian's
// Chromium through playwright-core, and a nodemailer client for port 587.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import nodemailer from 'nodemailer';
import { freePort } from '../helpers/free-port.js';
import { spawnGateway } from '../helpers/gateway-process.js';
import { chromium, type Browser } from 'playwright-core';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export { ensureConsoleBuilt } from '../../scripts/console-build.js';

export { freePort };

export interface GatewayProcess {
  apiBase: string;
  smtpPort: number;
  operatorToken: string;
  dataDir: string;
  /** Everything the gateway printed, for failure messages. */
  output(): string;
  /** The exit code or signal when the gateway has stopped on its own. */
  exited(): string | undefined;
  stop(): Promise<void>;
}

/** Starts `node --import tsx local/main.ts` on free loopback ports and waits for GATEWAY_READY (bounded). */
export async function startGatewayProcess(env: Record<string, string>): Promise<GatewayProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'rg-console-'));
  const [smtpPort, apiPort] = [await freePort(), await freePort()];
  const operatorToken = `rgop_console-test-${process.pid}-${Date.now()}`;
  const env0 = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? dataDir,
    DATA_DIR: dataDir, SMTP_PORT: String(smtpPort), SMTP_HOST: '127.0.0.1', API_PORT: String(apiPort), API_HOST: '127.0.0.1',
    OPERATOR_TOKEN: operatorToken, SMTP_HOSTNAME: 'relay.test', PUBLIC_SMTP_HOST: 'smtp.relay.test', GREETING_DELAY_MS: '0',
    ...env,
  };
  let spawned;
  try {
    spawned = await spawnGateway(env0, { inherit: false });
  } catch (err) {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  const { child, output } = spawned;
  const exitedPromise = new Promise<void>((ok) => (child.exitCode !== null || child.signalCode !== null ? ok() : child.once('exit', () => ok())));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exitedPromise;
      clearTimeout(timer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  const exited = () => (child.exitCode !== null ? `exit code ${child.exitCode}` : child.signalCode ?? undefined);
  return { apiBase: `http://127.0.0.1:${apiPort}`, smtpPort, operatorToken, dataDir, output, exited, stop };
}

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

export function chromiumPath(): string {
  for (const p of ['/usr/bin/chromium', '/usr/lib/chromium/chromium']) if (existsSync(p)) return p;
  throw new Error('Debian chromium is not installed (apt-get install chromium; .ci/apt-packages lists it)');
}

/** Debian's Chromium, headless, with a fresh temporary profile (playwright's launch makes one per browser). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
}

/** Sends one message through the gateway's submission port: STARTTLS, then AUTH. */
export async function submit(smtpPort: number, auth: { user: string; pass: string }, mail: { from: string; to: string; subject: string; text: string }): Promise<{ response: string }> {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1', port: smtpPort, secure: false, requireTLS: true, auth,
    tls: { rejectUnauthorized: false }, // the gateway's generated self-signed certificate
    connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000,
  });
  try {
    const info = await transport.sendMail(mail);
    return { response: info.response };
  } finally {
    transport.close();
  }
}

/** Polls `check` every `everyMs` until it returns a value, at most `timeoutMs`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000, everyMs = 300): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) { last = err; }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
