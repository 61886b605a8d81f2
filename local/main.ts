// `npm start`: the gateway on embedded storage. Prints where it listens and
// the operator token; stops cleanly on SIGINT/SIGTERM (in-flight jobs finish,
// queued ones wait in DATA_DIR for the next start).
//
// INGRESS_PROCESSES > 1 runs the SMTP listeners in that many child processes
// sharing the port (node:cluster; the kernel spreads connections), each with
// its own group commit into the same SQLite file, while this process serves
// the API, the console and the score/deliver workers. One process is the
// default; more use more cores for SMTP.
import cluster from 'node:cluster';
import { describeConfig, loadConfig, type Config } from './config.js';
import { loadOrCreateTls } from './tls.js';
import { startGateway, startIngressProcess } from './gateway.js';

const out = (s: string) => process.stdout.write(s + '\n');

async function primary(config: Config): Promise<void> {
  const n = config.INGRESS_PROCESSES;
  let smtpPorts: { smtpPort: number; smtpsPort?: number } | undefined;
  if (n > 1) {
    await loadOrCreateTls(config.dataDir, config.SMTP_HOSTNAME, config.TLS_CERT, config.TLS_KEY); // once, before the children read it
    cluster.schedulingPolicy = cluster.SCHED_NONE; // children accept directly; no hand-off through this process
    smtpPorts = await forkIngress(n);
  }
  const gw = await startGateway(config, smtpPorts ?? {});
  out(`Relayguard is running (data in ${config.dataDir})`);
  out(`  SMTP submission  ${config.SMTP_HOST}:${gw.smtpPort} (STARTTLS, AUTH PLAIN/LOGIN after TLS${n > 1 ? `; ${n} ingress processes` : ''})`);
  if (gw.smtpsPort !== undefined) out(`  SMTP implicit TLS ${config.SMTP_HOST}:${gw.smtpsPort}`);
  out(`  REST API + console http://${config.API_HOST}:${gw.apiPort}/ (OpenAPI: /v1/openapi.json)`);
  out(`  Delivery         ${config.SMARTHOST ? `via smarthost ${config.SMARTHOST}` : 'direct to MX'}`);
  out(`  Operator token   ${gw.operatorToken}${gw.operatorTokenCreated ? ' (generated, saved in DATA_DIR/operator-token)' : ''}`);
  out(JSON.stringify({ event: 'GATEWAY_READY', smtpPort: gw.smtpPort, smtpsPort: gw.smtpsPort, apiPort: gw.apiPort, ingressProcesses: n }));
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    // This process's group-commit figures (batches and messages committed here; with INGRESS_PROCESSES > 1 the SMTP children commit and this shows none).
    out(JSON.stringify({ event: 'GATEWAY_STOPPING', signal, intake: gw.stores.intake.stats }));
    // The SMTP children finish their sessions (their listeners' grace period) before this process exits:
    // a child whose parent is gone exits at once (see ingressChild), cutting whatever it was receiving.
    await Promise.all([gw.stop(), ingressStopped(CHILD_STOP_MS)]);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  cluster.on('exit', (w, code, signal) => {
    if (stopping) return;
    // An ingress process that dies is replaced; what it had answered 250 to is already durable.
    out(JSON.stringify({ event: 'INGRESS_PROCESS_EXITED', pid: w.process.pid, code, signal }));
    cluster.fork();
  });
}

/** How long the primary waits for its SMTP children at shutdown: their 5 s session grace period plus webhook drain (10 s), with room. */
const CHILD_STOP_MS = 20_000;

/** Sends SIGTERM to the SMTP children and resolves once all have exited (or after `maxMs`). */
function ingressStopped(maxMs: number): Promise<void> {
  const children = Object.values(cluster.workers ?? {}).filter((w) => w !== undefined && !w.isDead());
  const gone = Promise.all(children.map((w) => new Promise<void>((resolve) => {
    w!.once('exit', () => resolve());
    w!.process.kill('SIGTERM');
  })));
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, maxMs);
    void gone.then(() => { clearTimeout(timer); resolve(); });
  });
}

/** Forks the SMTP processes and resolves with the port they share once all listen. */
function forkIngress(n: number): Promise<{ smtpPort: number; smtpsPort?: number }> {
  return new Promise((resolve, reject) => {
    let ready = 0;
    const timer = setTimeout(() => reject(new Error('ingress processes did not start within 60 s')), 60_000);
    const onMessage = (msg: { event?: string; smtpPort?: number; smtpsPort?: number; error?: string }) => {
      if (msg.event === 'INGRESS_FAILED') { clearTimeout(timer); reject(new Error(msg.error)); }
      if (msg.event === 'INGRESS_READY' && ++ready === n) {
        clearTimeout(timer);
        resolve({ smtpPort: msg.smtpPort!, ...(msg.smtpsPort !== undefined ? { smtpsPort: msg.smtpsPort } : {}) });
      }
    };
    for (let i = 0; i < n; i++) cluster.fork().on('message', onMessage);
  });
}

async function ingressChild(config: Config): Promise<void> {
  // The primary's end of the channel closing means it is gone (even by SIGKILL): stop taking mail.
  process.on('disconnect', () => process.exit(0));
  try {
    const { smtp, stop } = await startIngressProcess(config);
    process.on('SIGTERM', () => void stop().finally(() => process.exit(0)));
    process.send!({ event: 'INGRESS_READY', smtpPort: smtp.smtpPort, smtpsPort: smtp.smtpsPort });
  } catch (err) {
    process.send!({ event: 'INGRESS_FAILED', error: (err as Error).message });
    process.exit(1);
  }
}

async function main(): Promise<void> {
  const config = loadConfig();
  if (process.argv.includes('--print-config')) {
    out(describeConfig(config));
    return;
  }
  if (cluster.isPrimary) await primary(config);
  else await ingressChild(config);
}

main().catch((err) => {
  const code = (err as NodeJS.ErrnoException)?.code;
  const hint = code === 'EACCES' ? ' (ports below 1024 need root or CAP_NET_BIND_SERVICE; try SMTP_PORT=2587)' : code === 'EADDRINUSE' ? ' (another process has this port; set SMTP_PORT / API_PORT)' : '';
  process.stderr.write(`relayguard: ${err instanceof Error ? err.message : String(err)}${hint}\n`);
  process.exit(1);
});
