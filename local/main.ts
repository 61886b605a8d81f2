// `npm start`: the gateway on embedded storage. Prints where it listens and
// the operator token; stops cleanly on SIGINT/SIGTERM (in-flight jobs finish,
// queued ones wait in DATA_DIR for the next start).
import { describeConfig, loadConfig } from './config.js';
import { startGateway } from './gateway.js';

async function main(): Promise<void> {
  const config = loadConfig();
  if (process.argv.includes('--print-config')) {
    process.stdout.write(describeConfig(config) + '\n');
    return;
  }
  const gw = await startGateway(config);
  const out = (s: string) => process.stdout.write(s + '\n');
  out(`Relayguard is running (data in ${config.dataDir})`);
  out(`  SMTP submission  ${config.SMTP_HOST}:${gw.smtpPort} (STARTTLS, AUTH PLAIN/LOGIN after TLS)`);
  if (gw.smtpsPort !== undefined) out(`  SMTP implicit TLS ${config.SMTP_HOST}:${gw.smtpsPort}`);
  out(`  REST API + console http://${config.API_HOST}:${gw.apiPort}/ (OpenAPI: /v1/openapi.json)`);
  out(`  Delivery         ${config.SMARTHOST ? `via smarthost ${config.SMARTHOST}` : 'direct to MX'}`);
  out(`  Operator token   ${gw.operatorToken}${gw.operatorTokenCreated ? ' (generated, saved in DATA_DIR/operator-token)' : ''}`);
  out(JSON.stringify({ event: 'GATEWAY_READY', smtpPort: gw.smtpPort, smtpsPort: gw.smtpsPort, apiPort: gw.apiPort }));
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    out(JSON.stringify({ event: 'GATEWAY_STOPPING', signal }));
    await gw.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err) => {
  const code = (err as NodeJS.ErrnoException)?.code;
  const hint = code === 'EACCES' ? ' (ports below 1024 need root or CAP_NET_BIND_SERVICE; try SMTP_PORT=2587)' : code === 'EADDRINUSE' ? ' (another process has this port; set SMTP_PORT / API_PORT)' : '';
  process.stderr.write(`relayguard: ${err instanceof Error ? err.message : String(err)}${hint}\n`);
  process.exit(1);
});
