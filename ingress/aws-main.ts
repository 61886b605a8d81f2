// The ingress as it runs on Fargate: the same createIngress as `npm start`,
// wired to the AWS adapters (S3 spool, DynamoDB stores, SQS score queue).
// Settings come from the task definition (cdk/constructs/ingress.ts); the TLS
// key and certificate from Secrets Manager through ECS secrets. Tenants'
// webhooks (an expired lock lifted at MAIL FROM, a lock on login evidence)
// are signed with keys derived from the webhook server secret, which the task
// role may read (WEBHOOK_SECRET_ARN) on the first notification. SIGTERM (a
// scale-in or deployment) stops taking connections and lets sessions finish.
import { generate } from 'selfsigned';
import { systemClock } from '../core/ports.js';
import { openAwsStores, resourcesFromEnv } from '../adapters/aws/index.js';
import { clientOptionsFromEnv } from '../adapters/aws/env.js';
import { secretSourceFromEnv, webhookSigning } from '../adapters/aws/webhook-secret.js';
import { createIngress, type Ingress } from './server.js';
import { loggingLocks } from './lock-log.js';

function log(event: string, detail: Record<string, unknown> = {}, level: 'INFO' | 'WARN' | 'ERROR' = 'INFO'): void {
  process.stdout.write(JSON.stringify({ level, event, ...detail, timestamp: new Date().toISOString() }) + '\n');
}

async function tlsMaterial(hostname: string): Promise<{ key: string; cert: string }> {
  const key = process.env.TLS_KEY ?? '';
  const cert = process.env.TLS_CERT ?? '';
  if (key.includes('PRIVATE KEY') && cert.includes('CERTIFICATE')) return { key, cert };
  // The placeholder secret is still in place: start with a throw-away self-signed
  // certificate so health checks pass, and say loudly that clients will not trust it.
  log('INGRESS_TLS_PLACEHOLDER', { hint: 'put {"key","cert"} PEM into the TLS secret and redeploy the service' });
  const pems = await generate([{ name: 'commonName', value: hostname }], { keySize: 2048, days: 30, algorithm: 'sha256' } as never);
  return { key: pems.private, cert: pems.cert };
}

async function main(): Promise<void> {
  const hostname = process.env.RELAY_HOSTNAME ?? 'relay.example.com';
  const stores = openAwsStores(resourcesFromEnv(), clientOptionsFromEnv(), systemClock);
  const tls = await tlsMaterial(hostname);
  // Checked now (a task without the setting fails its deployment); the secret itself is read on the first webhook.
  const webhookSecret = secretSourceFromEnv();
  // Sent in the background by the ingress (ingress/background-notifier.ts), with the notifier's default budget
  // (4 attempts of at most 5 s, as the local runner): no reply waits for it.
  // A lock set here (login evidence at AUTH) is also a SENDER_LOCKED line, which the stack's metric filter counts.
  const notifier = loggingLocks(webhookSigning(() => webhookSecret).notifier(), (event, fields) => log(event, fields, 'WARN'));
  // Handled problems (a failed webhook) as ERROR lines of this log.
  const problems = { problem: (code: string, fields: Record<string, unknown>) => log(code, fields, 'ERROR') };
  const deps = { clock: systemClock, tenants: stores.tenants, senders: stores.senders, spool: stores.spool, intake: stores.intake, notifier, log: problems };
  const options = { hostname, key: tls.key, cert: tls.cert, retrySeconds: 48 * 3600 };
  const servers: Ingress[] = [];
  const submission = createIngress(deps, options);
  servers.push(submission);
  // All interfaces in the task (the NLB reaches it on its private IP); tests bind loopback.
  const bind = process.env.SMTP_BIND ?? '0.0.0.0';
  const port = await submission.listen(Number(process.env.SMTP_PORT ?? 2587), bind);
  log('INGRESS_LISTENING', { port, tls: 'starttls' });
  if (process.env.SMTPS_PORT) {
    const smtps = createIngress(deps, { ...options, secure: true });
    servers.push(smtps);
    log('INGRESS_LISTENING', { port: await smtps.listen(Number(process.env.SMTPS_PORT), bind), tls: 'implicit' });
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log('INGRESS_STOPPING', { signal });
    await Promise.allSettled(servers.map((s) => s.close()));
    stores.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err) => {
  process.stderr.write(`relayguard ingress: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
