// Postfix as a relayhost client with SASL, through the real gateway: a private
// Postfix instance (its own config, queue and data directories in a temp dir,
// no listener at all) relays with relayhost = [127.0.0.1]:<submission port>,
// STARTTLS required and the password from a texthash: map. A right password
// delivers the message body intact under the mailbox user's identity; a wrong
// one makes Postfix defer the mail (never bounce it) while the gateway accepts
// nothing. Skipped when Postfix is not installed (.ci/apt-packages installs
// it) or when not running as root (`postfix start` needs root).
import { recentLoginFailures } from '../../core/reputation/index.js';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startTestGateway, type TestGateway, type TestTenant } from '../helpers/gateway.js';

const run = promisify(execFile);
const ENV = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Where postfix, postconf, sendmail and postqueue live, or why this test cannot run. */
async function findPostfix(): Promise<{ commandDir: string; daemonDir: string } | string> {
  if (process.getuid?.() !== 0) return 'not running as root (a private Postfix instance must be started as root)';
  const postconf = ['/usr/sbin/postconf', '/usr/local/sbin/postconf'].find((p) => existsSync(p));
  if (!postconf) return 'postfix is not installed (.ci/run installs it from .ci/apt-packages)';
  const { stdout } = await run(postconf, ['-dh', 'command_directory', 'daemon_directory'], { env: ENV, timeout: 10_000 });
  const [commandDir, daemonDir] = stdout.trim().split('\n');
  for (const p of [`${commandDir}/postfix`, `${commandDir}/sendmail`, `${commandDir}/postqueue`, `${daemonDir}/master`]) {
    if (!existsSync(p)) return `postfix is incompletely installed: ${p} is missing`;
  }
  return { commandDir: commandDir!, daemonDir: daemonDir! };
}
const found = await findPostfix();
const skip = typeof found === 'string' ? found : false;

interface QueueEntry { queue_name: string; queue_id: string; sender: string; recipients: { address: string; delay_reason?: string }[] }

interface PrivatePostfix {
  dir: string;
  /** Hands a message to the instance the way a local program does (sendmail → postdrop → pickup). */
  sendmail(from: string, to: string, message: string): Promise<void>;
  /** `postqueue -j`: what is still queued, with the reason it was deferred. */
  queue(): Promise<QueueEntry[]>;
  /** The instance's own log file (maillog_file), for assertions and failure messages. */
  log(): string;
  stop(): Promise<void>;
}

/**
 * A Postfix instance of its own: everything it writes is under one temp dir;
 * of the system's setup it only reads the installed programs and
 * /etc/postfix/postfix-files. master.cf has no inet service (nothing listens),
 * only what local submission and relaying need.
 */
async function startPostfix(opts: { commandDir: string; daemonDir: string; relayPort: number; user: string; password: string }): Promise<PrivatePostfix> {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'rg-postfix-'))); // real path: the kill fallback compares it with /proc/PID/cwd
  chmodSync(dir, 0o755); // the postfix user walks into the queue and data directories below
  const conf = join(dir, 'etc'), queueDir = join(dir, 'queue'), logFile = join(dir, 'maillog');
  mkdirSync(conf, { mode: 0o755 });
  mkdirSync(queueDir, { mode: 0o755 }); // postfix(1) chdirs into it before anything else; its subdirectories come from `start`
  const bin = (name: string) => join(opts.commandDir, name);
  const pf = (args: string[], timeout = 30_000) => run(bin('postfix'), ['-c', conf, ...args], { env: ENV, timeout });
  // service type private unpriv chroot wakeup maxproc command
  writeFileSync(join(conf, 'master.cf'), [
    'pickup    unix  n       -       n       60      1       pickup',
    'cleanup   unix  n       -       n       -       0       cleanup',
    'qmgr      unix  n       -       n       300     1       qmgr',
    'tlsmgr    unix  -       -       n       1000?   1       tlsmgr',
    'rewrite   unix  -       -       n       -       -       trivial-rewrite',
    'bounce    unix  -       -       n       -       0       bounce',
    'defer     unix  -       -       n       -       0       bounce',
    'trace     unix  -       -       n       -       0       bounce',
    'smtp      unix  -       -       n       -       -       smtp',
    'error     unix  -       -       n       -       -       error',
    'retry     unix  -       -       n       -       -       error',
    'showq     unix  n       -       n       -       -       showq',
    'postlog   unix-dgram n  -       n       -       1       postlogd',
    '',
  ].join('\n'));
  writeFileSync(join(conf, 'main.cf'), '');
  // As the README shows it: keyed by the relayhost exactly as written in main.cf.
  const passwd = join(conf, 'relay_passwd');
  writeFileSync(passwd, `[127.0.0.1]:${opts.relayPort} ${opts.user}:${opts.password}\n`, { mode: 0o600 });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await pf(['stop'], 20_000).catch(() => killOurMaster(queueDir, opts.daemonDir));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await run(bin('postconf'), ['-c', conf, '-e',
      'compatibility_level = 3.6',
      `queue_directory = ${queueDir}`,
      `data_directory = ${join(dir, 'data')}`,
      'mail_owner = postfix',
      'setgid_group = postdrop',
      'syslog_name = postfix-relayguard-test',
      // Postfix reports start-up errors only on a terminal or in its log: log to a file of its own.
      `maillog_file = ${logFile}`,
      `maillog_file_prefixes = ${dir}`,
      'myhostname = mta.postfix-client.test',
      'mydomain = postfix-client.test',
      'myorigin = $myhostname',
      'inet_interfaces = loopback-only',
      'inet_protocols = ipv4',
      // Nothing is delivered locally: every recipient goes to the relayhost.
      'mydestination =',
      'local_recipient_maps =',
      'local_transport = error:local delivery is disabled',
      'alias_maps =',
      'alias_database =',
      'biff = no',
      `relayhost = [127.0.0.1]:${opts.relayPort}`,
      'smtp_connection_cache_on_demand = no',
      'smtp_sasl_auth_enable = yes',
      `smtp_sasl_password_maps = texthash:${passwd}`,
      'smtp_sasl_security_options = noanonymous',
      'smtp_sasl_tls_security_options = noanonymous',
      // The gateway's certificate is self-signed: `encrypt` requires TLS without verifying it.
      'smtp_tls_security_level = encrypt',
      'smtp_tls_loglevel = 1',
    ], { env: ENV, timeout: 10_000 });
    // `start` runs the integrity check first, which creates the missing queue and
    // data directories with their owners (post-install create-missing); unlike
    // `set-permissions` it never re-owns the shared Postfix programs.
    await pf(['start']);
  } catch (err) {
    const log = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '(no maillog)';
    await stop();
    throw new Error(`private Postfix did not start: ${(err as Error).message}\nmaillog:\n${log}`);
  }
  return {
    dir,
    async sendmail(from, to, message) {
      await new Promise<void>((resolve, reject) => {
        const child = spawn(bin('sendmail'), ['-C', conf, '-i', '-f', from, '--', to], { env: ENV, stdio: ['pipe', 'ignore', 'pipe'] });
        let err = '';
        child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
        const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`sendmail did not finish within 15 s: ${err}`)); }, 15_000);
        child.on('error', (e) => { clearTimeout(timer); reject(e); });
        child.on('exit', (code) => { clearTimeout(timer); code === 0 ? resolve() : reject(new Error(`sendmail exited ${code}: ${err}`)); });
        child.stdin.end(message);
      });
    },
    async queue() {
      const { stdout } = await run(bin('postqueue'), ['-c', conf, '-j'], { env: ENV, timeout: 10_000 });
      return stdout.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as QueueEntry);
    },
    log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '(no maillog yet)'),
    stop,
  };
}

/**
 * Last resort when `postfix stop` fails: SIGTERM, then SIGKILL, to the master
 * whose PID is in this instance's pid file — and only if that process really
 * is a Postfix master running in this instance's queue directory.
 */
async function killOurMaster(queueDir: string, daemonDir: string): Promise<void> {
  let pid: number;
  try { pid = Number(readFileSync(join(queueDir, 'pid', 'master.pid'), 'utf8').trim()); } catch { return; }
  if (!Number.isInteger(pid) || pid <= 1) return;
  const ours = () => {
    try {
      return readlinkSync(`/proc/${pid}/cwd`) === queueDir && readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] === join(daemonDir, 'master');
    } catch { return false; }
  };
  if (!ours()) return;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 30 && ours(); i++) await sleep(100);
  if (ours()) process.kill(pid, 'SIGKILL');
}

/** Polls `check` until it returns a value (bounded). */
async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await check();
    if (v !== undefined) return v;
    await sleep(100);
  }
  throw new Error(`${what} within ${timeoutMs / 1000} s`);
}

/** A message as a local program hands it to sendmail (LF line ends). The body has
 * dot-stuffing cases: a line of one dot, lines starting with dots. */
function compose(from: string, to: string, subject: string, body: string[]): string {
  return [
    `From: Alice <${from}>`, `To: Bob <${to}>`, `Subject: ${subject}`,
    `Date: ${new Date().toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${subject.replace(/\W+/g, '-')}@${from.split('@')[1]}>`,
    'MIME-Version: 1.0', 'Content-Type: text/plain; charset=us-ascii', '',
    ...body, '',
  ].join('\n');
}

const BODY = [
  'Hello Bob,',
  '',
  'the minutes of Tuesday\'s planning meeting, as promised:',
  '.',
  '.. the budget for the warehouse move is approved',
  '.the new shelving arrives in the second week of June',
  '',
  'Regards,',
  'Alice',
];

describe('Postfix as a SASL relayhost client', { skip }, () => {
  let t: TestGateway;
  before(async () => { t = await startTestGateway(); });
  after(async () => t?.stop());

  /** Runs `fn` against a fresh private Postfix; always stops it; a failure carries its maillog. */
  async function withPostfix(user: string, password: string, fn: (pf: PrivatePostfix) => Promise<void>): Promise<void> {
    if (typeof found === 'string') throw new Error(found);
    const pf = await startPostfix({ ...found, relayPort: t.gw.smtpPort, user, password });
    try {
      await fn(pf);
    } catch (err) {
      if (err instanceof Error) err.message += `\nPostfix maillog:\n${pf.log()}`;
      throw err;
    } finally {
      await pf.stop();
    }
  }

  test('relays over STARTTLS with AUTH: delivered with its body intact, from the mailbox user, under its sender key', async () => {
    const ten: TestTenant = await t.tenant('postfix-relay.example');
    await withPostfix(ten.mailbox, ten.mailboxPassword, async (pf) => {
      const subject = `Planning minutes ${Date.now()}`;
      const rcpt = 'bob@partner.example';
      await pf.sendmail(ten.mailbox, rcpt, compose(ten.mailbox, rcpt, subject, BODY));

      // Postfix logs the gateway's 250 reply, which names the gateway's queue id.
      const id = await until('Postfix did not log the relayed message as sent', async () => {
        const m = /relay=127\.0\.0\.1\[127\.0\.0\.1\]:\d+,.*status=sent \(250 2\.0\.0 Ok: queued as (\S+)\)/.exec(pf.log());
        return m?.[1];
      }, 20_000);
      assert.match(pf.log(), /TLS connection established to 127\.0\.0\.1/, 'Postfix used TLS');
      assert.deepEqual(await pf.queue(), [], 'nothing is left in the Postfix queue');

      const m = await t.waitForMessage(ten.token, id, (x) => x.status === 'delivered', 20_000);
      assert.equal(m.subject, subject);
      assert.deepEqual(m.identity, { kind: 'smtp-user', username: ten.mailbox, userKind: 'mailbox' });
      assert.equal(m.sender, ten.mailbox, 'the sender key is the login');
      assert.deepEqual(m.envelope, { mailFrom: ten.mailbox, rcptTo: [rcpt] });
      assert.equal(m.clientIp.replace(/^::ffff:/, ''), '127.0.0.1');
      assert.equal(m.verdict.verdict, 'deliver');
      assert.equal(m.recipients[0].state, 'delivered');
      const listed = await t.api('GET', `/v1/messages?sender=${encodeURIComponent(ten.mailbox)}&limit=50`, ten.token);
      assert.deepEqual(listed.body.items.map((x: any) => [x.id, x.status]), [[id, 'delivered']], 'the log holds exactly this message');

      const got = t.receiver.received.find((r) => r.raw.toString().includes(`Subject: ${subject}`));
      assert.ok(got, 'the receiving server got the message');
      assert.equal(got.mailFrom, ten.mailbox);
      assert.deepEqual(got.rcptTo, [rcpt]);
      const raw = got.raw.toString();
      assert.equal(raw.slice(raw.indexOf('\r\n\r\n') + 4), BODY.join('\r\n') + '\r\n', 'the body arrives byte for byte (dot lines included)');
      assert.match(raw, /DKIM-Signature: .*d=postfix-relay\.example/s);
      assert.match(raw, /Received: from mta\.postfix-client\.test/, 'the gateway names the Postfix host from its EHLO');
    });
  });

  test('a wrong SASL password makes Postfix defer the mail (no bounce) and the gateway accepts nothing', async () => {
    const ten: TestTenant = await t.tenant('postfix-wrongpass.example');
    await withPostfix(ten.mailbox, 'not-the-password-0123456789', async (pf) => {
      const subject = `Planning minutes ${Date.now()}`;
      const rcpt = 'carol@partner.example';
      await pf.sendmail(ten.mailbox, rcpt, compose(ten.mailbox, rcpt, subject, BODY));

      const deferred = await until('Postfix did not defer the message', async () => {
        const q = await pf.queue();
        return q.find((e) => e.queue_name === 'deferred' && e.recipients.some((r) => r.delay_reason));
      }, 20_000);
      assert.equal(deferred.sender, ten.mailbox);
      assert.deepEqual(deferred.recipients.map((r) => r.address), [rcpt]);
      const reason = deferred.recipients[0]!.delay_reason!;
      assert.match(reason, /SASL authentication failed; server 127\.0\.0\.1\[127\.0\.0\.1\] said: 535 5\.7\.8/);
      assert.match(pf.log(), /dsn=4\.7\.8, status=deferred \(SASL authentication failed/);
      assert.doesNotMatch(pf.log(), /status=bounced/);

      // The gateway logged no message for this tenant and delivered nothing …
      const listed = await t.api('GET', '/v1/messages?limit=50', ten.token);
      assert.equal(listed.status, 200);
      assert.deepEqual(listed.body.items, []);
      assert.ok(!t.receiver.received.some((r) => r.rcptTo.includes(rcpt)));
      // … and counted the failed login against the account, as the sender policy reads it.
      const { failures } = await recentLoginFailures(t.gw.stores, ten.id, ten.mailbox, new Date());
      assert.ok(failures >= 1, `failed logins recorded: ${failures}`);
    });
  });
});
