// npm run bench:ingress — SMTP accept throughput of the gateway (durable
// spool + group-committed log/queue, ingress only: WORKERS=off, as the AWS
// ingress task) beside a bare smtp-server that discards, in the same run.
// Plain cases use postfix's smtp-source when it is installed (the client the
// targets were measured with), otherwise bench/smtp-load.ts; STARTTLS+AUTH
// cases always use bench/smtp-load.ts. Prints messages/s and the ratio.
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnGateway, spawnUntilReady, type SpawnedProcess } from '../test/helpers/gateway-process.js';
import { freePort } from '../test/helpers/free-port.js';

const QUICK = process.argv.includes('--quick');
/** SMTP processes for the gateway under test (INGRESS_PROCESSES); `--processes N`. */
const PROCESSES = Number(process.argv[process.argv.indexOf('--processes') + 1] ?? 1) || 1;
const OPERATOR = 'rgop_bench-operator-token-000000';
const hasSmtpSource = (() => { try { execFileSync('sh', ['-c', 'command -v smtp-source']); return true; } catch { return false; } })();

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    p.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} exited ${code}: ${out}`))));
  });
}

/** CPU time (user + system, ms) a process has used so far, from /proc: throughput moves with machine load, CPU per message much less. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime, in 10 ms ticks
}

/** CPU of a server and its child processes (INGRESS_PROCESSES or BARE_PROCESSES > 1). */
function treeCpuMs(pid: number): number {
  let children: number[] = [];
  try { children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number); } catch { /* no children file */ }
  return cpuMs(pid) + children.reduce((sum, c) => { try { return sum + cpuMs(c); } catch { return sum; } }, 0);
}

interface Case { name: string; sessions: number; messages: number; reuse: boolean; auth: boolean }

const cases: Case[] = [
  { name: 'plain, 1 conn, new conn/msg', sessions: 1, messages: QUICK ? 100 : 300, reuse: false, auth: false },
  { name: 'plain, 20 conns, new conn/msg', sessions: 20, messages: QUICK ? 1000 : 20000, reuse: false, auth: false },
  { name: 'plain, 1 conn, reused', sessions: 1, messages: QUICK ? 500 : 3000, reuse: true, auth: false },
  { name: 'plain, 20 conns, reused', sessions: 20, messages: QUICK ? 2000 : 20000, reuse: true, auth: false },
  { name: 'TLS+AUTH, 1 conn, new conn/msg', sessions: 1, messages: QUICK ? 50 : 200, reuse: false, auth: true },
  { name: 'TLS+AUTH, 20 conns, new conn/msg', sessions: 20, messages: QUICK ? 500 : 3000, reuse: false, auth: true },
  { name: 'TLS+AUTH, 1 conn, reused', sessions: 1, messages: QUICK ? 500 : 3000, reuse: true, auth: true },
  { name: 'TLS+AUTH, 20 conns, reused', sessions: 20, messages: QUICK ? 2000 : 20000, reuse: true, auth: true },
];

async function measure(port: number, c: Case, creds: string): Promise<number> {
  if (!c.auth && hasSmtpSource) {
    const t0 = process.hrtime.bigint();
    await run('smtp-source', ['-s', String(c.sessions), ...(c.reuse ? ['-d'] : []), '-l', '10240', '-m', String(c.messages), '-f', 'alice@bench.example', '-t', 'bob@partner.example', `127.0.0.1:${port}`]);
    return c.messages / (Number(process.hrtime.bigint() - t0) / 1e9);
  }
  const out = await run(process.execPath, ['--import', 'tsx', 'bench/smtp-load.ts', String(port), String(c.sessions), String(c.messages), c.reuse ? '1' : '0', c.auth ? creds : '-', '10240']);
  const r = JSON.parse(out.trim().split('\n').pop()!) as { seconds: number; failed: number };
  if (r.failed) throw new Error(`${r.failed} messages failed in ${c.name}`);
  return c.messages / r.seconds;
}

async function main(): Promise<void> {
  console.log(`# Ingress accept throughput, 10 KB messages, Relayguard with ${PROCESSES} SMTP process${PROCESSES > 1 ? 'es' : ''} (client: ${hasSmtpSource ? 'smtp-source for plain, ' : ''}bench/smtp-load.ts for TLS+AUTH${hasSmtpSource ? '' : ' and plain'})`);
  const readyPort = (c: SpawnedProcess) => JSON.parse(c.output().split('\n').find((l) => l.includes('BARE_READY'))!).port as number;
  // Everything started is stopped at the end, also when a later start fails or the bench is interrupted.
  const started: SpawnedProcess[] = [];
  const stopAll = () => { for (const p of started) p.child.kill('SIGTERM'); }; // the ceiling's and the gateway's primaries stop their cluster children
  const start = async (p: Promise<SpawnedProcess>) => { const s = await p; started.push(s); return s; };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => { stopAll(); process.exit(130); });
  const dataDir = mkdtempSync(join(tmpdir(), 'rg-bench-'));
  try {
    // Two baselines: the stock library, and its ceiling in the gateway's setup (no greeting wait, as many processes).
    const bare = await start(spawnUntilReady('bench/bare-smtp-server.ts', {}, 'BARE_READY'));
    const barePort = readyPort(bare);
    const ceiling = await start(spawnUntilReady('bench/bare-smtp-server.ts', { BARE_NO_GREETING_WAIT: '1', BARE_PROCESSES: String(PROCESSES) }, 'BARE_READY'));
    const ceilingPort = readyPort(ceiling);
    // The durable floor: the ceiling plus a group-committed fdatasync'd journal write before each 250 — the best any durable gateway on smtp-server can do here.
    const journalDir = join(dataDir, 'floor');
    mkdirSync(journalDir);
    const floor = await start(spawnUntilReady('bench/bare-smtp-server.ts', { BARE_NO_GREETING_WAIT: '1', BARE_PROCESSES: String(PROCESSES), BARE_DURABLE: '1', BARE_JOURNAL_DIR: journalDir }, 'BARE_READY'));
    const floorPort = readyPort(floor);

    const [smtpPort, apiPort] = [await freePort(), await freePort()];
    const gw = await start(spawnGateway({ UV_THREADPOOL_SIZE: '16',
      DATA_DIR: dataDir, SMTP_PORT: String(smtpPort), SMTP_HOST: '127.0.0.1', API_PORT: String(apiPort), OPERATOR_TOKEN: OPERATOR,
      WORKERS: 'off', MAX_CONNECTIONS_PER_IP: '1000', SMTP_HOSTNAME: 'bench.local', INGRESS_PROCESSES: String(PROCESSES),
    }));
    const api = async (path: string, token: string, body: unknown) => (await fetch(`http://127.0.0.1:${apiPort}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })).json() as Promise<any>;
    const tenant = await api('/v1/tenants', OPERATOR, { name: 'bench', ipUserQuota: 1 });
    await api('/v1/domains', tenant.token, { domain: 'bench.example' });
    // An hourly limit far above the bench's volume: this measures the ingress, not the lock policy.
    await fetch(`http://127.0.0.1:${apiPort}/v1/settings`, { method: 'PATCH', headers: { authorization: `Bearer ${tenant.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ senderHourlyLimit: 10_000_000 }) });
    const user = await api('/v1/users', tenant.token, { username: 'alice@bench.example' });
    await api('/v1/ip-users', tenant.token, { cidr: '127.0.0.1/32' });
    await new Promise((r) => setTimeout(r, 2500)); // IP-user list refresh
    const creds = `alice@bench.example:${user.password}`;

    console.log(`| case | stock smtp-server msg/s | smtp-server ceiling msg/s | durable floor msg/s | Relayguard msg/s | Relayguard ÷ stock | Relayguard ÷ ceiling | Relayguard ÷ floor | ceiling CPU µs/msg | floor CPU µs/msg | Relayguard CPU µs/msg |`);
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const c of cases) {
      const run = async (pid: number, port: number) => {
        // An unmeasured quarter first, on every server alike: the first seconds after a start (JIT, caches, SQLite pages) are not the steady rate.
        await measure(port, { ...c, messages: Math.max(c.sessions, Math.round(c.messages / 4)) }, creds);
        const cpu0 = treeCpuMs(pid);
        const rate = await measure(port, c, creds);
        return { rate, cpu: ((treeCpuMs(pid) - cpu0) * 1000) / c.messages };
      };
      const stock = await run(bare.child.pid!, barePort);
      const top = await run(ceiling.child.pid!, ceilingPort);
      const durable = await run(floor.child.pid!, floorPort);
      const ours = await run(gw.child.pid!, smtpPort);
      console.log(`| ${c.name} | ${stock.rate.toFixed(0)} | ${top.rate.toFixed(0)} | ${durable.rate.toFixed(0)} | ${ours.rate.toFixed(0)} | ${(ours.rate / stock.rate).toFixed(2)} | ${(ours.rate / top.rate).toFixed(2)} | ${(ours.rate / durable.rate).toFixed(2)} | ${top.cpu.toFixed(0)} | ${durable.cpu.toFixed(0)} | ${ours.cpu.toFixed(0)} |`);
    }
    console.log(`\nload average during the run: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} (on ${(await import('node:os')).cpus().length} cores)`);
    console.log(`\nstock: smtp-server as shipped, with its fixed 100 ms early-talker wait before the greeting, 1 process. ceiling: smtp-server with no greeting wait in ${PROCESSES} process${PROCESSES > 1 ? 'es' : ''}, discarding — what the library itself does in Relayguard's setup, with nothing durable. durable floor: the ceiling plus one group-committed, fdatasync'd journal append before each 250 (bench/durable-journal.ts) — no envelope record, log or policy; the most any gateway that keeps smtp-server and a durable 250 can reach here. Relayguard greets registered IP users and trusted networks at once (ingress/smtp-server-patches.ts).`);
  } finally {
    stopAll();
    await new Promise((r) => setTimeout(r, 500));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
