// The whole gateway in one process on embedded storage: SMTP ingress, the
// score and deliver workers, the REST API and the web console — the same
// core functions the Lambdas call, wired to the local adapters.
import { literalHostRefusal } from '../adapters/webhook/destination.js';
import type { ProblemLog } from '../core/log.js';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openLocalStores, type LocalStores } from '../adapters/local/index.js';
import { LONGEST_ATTEMPT_SECONDS, transportFromEnv } from '../adapters/transport/index.js';
import { clamdFromAddress } from '../adapters/clamd/clamd-scanner.js';
import { DnsblUrlReputation } from '../adapters/url-reputation/dnsbl.js';
import { createApi } from '../api/handler.js';
import { systemClock, type Clock, type Notifier, type Transport } from '../core/ports.js';
import { hashToken } from '../core/tenants/password.js';
import { handleScoreJob, holdAfterScoringFailure } from '../core/pipeline/score.js';
import { handleDeliverJob, holdAfterDeliveryFailure } from '../core/pipeline/deliver.js';
import { purgeExpired } from '../core/pipeline/retention.js';
import type { PipelineDeps } from '../core/pipeline/deps.js';
import { createIngress, type Ingress } from '../ingress/server.js';
import type { Config } from './config.js';
import { startHttpServer } from './http-server.js';
import { loadOrCreateOperatorToken } from './operator-token.js';
import { startQueueWorker } from './queue-worker.js';
import { loadOrCreateTls } from './tls.js';
import { loadOrCreateSecret } from './secrets.js';
import { webhookSecretFor } from '../core/notify/webhook-key.js';
import { WebhookNotifier } from '../adapters/webhook/notifier.js';

export interface Gateway {
  smtpPort: number;
  smtpsPort?: number;
  apiPort: number;
  operatorToken: string;
  operatorTokenCreated: boolean;
  stores: LocalStores;
  stop(): Promise<void>;
}

export interface GatewayOverrides {
  /** Replaces the transport chosen from the environment (tests). */
  transport?: Transport;
  /** Set when other processes run the SMTP listeners on this port: this process then runs no SMTP. */
  smtpPort?: number;
  smtpsPort?: number;
  log?(event: string, fields: Record<string, unknown>): void;
}

/** The local runner's log: one JSON line per event on stdout. */
const stdoutLog = (event: string, fields: Record<string, unknown>): void => {
  process.stdout.write(JSON.stringify({ t: new Date().toISOString(), event, ...fields }) + '\n');
};

const consoleDist = join(dirname(fileURLToPath(import.meta.url)), '..', 'console', 'dist');

export async function startGateway(config: Config, overrides: GatewayOverrides = {}): Promise<Gateway> {
  const log = overrides.log ?? stdoutLog;
  const problems: ProblemLog = { problem: log };
  const clock = systemClock;
  const stores = openLocalStores(config.dataDir, clock);
  const tls = await loadOrCreateTls(config.dataDir, config.SMTP_HOSTNAME, config.TLS_CERT, config.TLS_KEY);
  const operator = loadOrCreateOperatorToken(config.dataDir, config.OPERATOR_TOKEN);
  const transport = overrides.transport ?? transportFromEnv(process.env, config.SMTP_HOSTNAME);

  const { notifier, secretFor } = localWebhook(config, clock);
  const deps: PipelineDeps = {
    clock,
    config: { deliveryRetrySeconds: config.DELIVERY_RETRY_SECONDS, hostname: config.SMTP_HOSTNAME, retentionSeconds: config.RETENTION_DAYS * 86400 },
    spool: stores.spool, tenants: stores.tenants, messages: stores.messages, senders: stores.senders,
    intake: stores.intake, scoreQueue: stores.scoreQueue, deliverQueue: stores.deliverQueue, transport,
    suppressions: stores.suppressions, campaigns: stores.campaigns, notifier, log: problems,
    ...(config.CLAMD ? { virusScanner: clamdFromAddress(config.CLAMD) } : {}),
    ...(config.URL_BLOCKLISTS?.length ? { urlReputation: new DnsblUrlReputation({ zones: config.URL_BLOCKLISTS }) } : {}),
  };

  // This process is the only consumer of its queues: jobs leased by a process that died go back now.
  const recovered = { score: stores.scoreQueue.recoverLeased(), deliver: stores.deliverQueue.recoverLeased() };
  if (recovered.score || recovered.deliver) log('JOBS_RECOVERED', recovered);
  const workersOn = config.WORKERS === 'on';
  const scoreWorker = workersOn && startQueueWorker({
    name: 'score', queue: stores.scoreQueue, concurrency: config.SCORE_CONCURRENCY, maxAttempts: 5, log,
    handle: (job) => handleScoreJob(deps, job),
    onGiveUp: (job, err) => holdAfterScoringFailure(deps, job.messageId, err),
  });
  const deliverWorker = workersOn && startQueueWorker({
    name: 'deliver', queue: stores.deliverQueue, concurrency: config.DELIVER_CONCURRENCY, maxAttempts: 10, log,
    // Longer than any one attempt can take: a job must not come up again while it is still sending, or the mail
    // goes out twice. Jobs of a process that died are recovered at start, so a long lease costs nothing there.
    visibilitySeconds: LONGEST_ATTEMPT_SECONDS + 15 * 60,
    handle: (job) => handleDeliverJob(deps, job),
    onGiveUp: (job, err) => holdAfterDeliveryFailure(deps, job.messageId, err),
  });

  // Retention sweep: a batch every minute until caught up, so a backlog never makes one long stall.
  const retention = workersOn && setInterval(() => {
    purgeExpired(deps, config.RETENTION_DAYS * 86400)
      .then((n) => { if (n > 0) log('RETENTION_PURGED', { messages: n }); })
      .catch((err) => log('RETENTION_ERROR', { error: String(err) }));
  }, 60_000);
  if (retention) retention.unref();

  // With INGRESS_PROCESSES > 1 the SMTP listeners run in child processes (local/main.ts) and this one serves the API and the workers.
  const smtp = overrides.smtpPort === undefined ? await startSmtpListeners(config, stores, tls, clock, notifier, problems) : undefined;
  const smtpPort = smtp?.smtpPort ?? overrides.smtpPort!;
  const smtpsPort = smtp ? smtp.smtpsPort : overrides.smtpsPort;

  const api = createApi({
    clock, tenants: stores.tenants, messages: stores.messages, senders: stores.senders, spool: stores.spool,
    deliverQueue: stores.deliverQueue, operatorTokenHash: hashToken(operator.token), suppressions: stores.suppressions,
    notifier, log: problems, webhookSecretFor: secretFor,
    // The local notifier may reach private networks (a receiver on this host or LAN), never the metadata service.
    webhookRefusal: (url) => literalHostRefusal(url, { allowPrivateNetworks: true }),
    smtpHost: config.PUBLIC_SMTP_HOST ?? config.SMTP_HOSTNAME, smtpPort, publicSmtpPort: config.PUBLIC_SMTP_PORT ?? smtpPort,
    onError: (err, req) => log('API_ERROR', { method: req.method, path: req.path, error: String((err as Error)?.stack ?? err) }),
  });
  const http = await startHttpServer({ api, host: config.API_HOST, port: config.API_PORT, ...(existsSync(consoleDist) ? { staticDir: consoleDist } : {}) });

  return {
    smtpPort, apiPort: http.port, operatorToken: operator.token, operatorTokenCreated: operator.created, stores,
    ...(smtpsPort !== undefined ? { smtpsPort } : {}),
    async stop() {
      if (retention) clearInterval(retention);
      await Promise.all([smtp?.close(), http.close()]);
      await Promise.all([scoreWorker && scoreWorker.stop(), deliverWorker && deliverWorker.stop()]);
      stores.close();
    },
  };
}

export interface SmtpListeners {
  smtpPort: number;
  smtpsPort?: number;
  close(): Promise<void>;
}

/**
 * The tenants' webhook notifier, signed with each tenant's key derived from the
 * server secret in DATA_DIR (or WEBHOOK_SECRET). Every process of the gateway
 * builds its own from the same secret, so an ingress child signs with the key
 * the API shows.
 */
export function localWebhook(config: Config, clock: Clock): { notifier: Notifier; secretFor(tenantId: string): string } {
  const webhookSecret = loadOrCreateSecret(config.dataDir, 'webhook-secret', config.WEBHOOK_SECRET);
  const secretFor = (tenantId: string) => webhookSecretFor(webhookSecret, tenantId);
  return { notifier: new WebhookNotifier({ secretFor: (t) => secretFor(t.id), clock }), secretFor };
}

/** The submission listeners (587 and, if configured, 465) on the given stores; `notifier` tells tenants of the unlocks (and login locks) decided at SMTP time. */
export async function startSmtpListeners(config: Config, stores: LocalStores, tls: { key: string; cert: string }, clock: Clock, notifier?: Notifier, problems: ProblemLog = { problem: stdoutLog }): Promise<SmtpListeners> {
  const options = {
    hostname: config.SMTP_HOSTNAME, key: tls.key, cert: tls.cert,
    maxMessageBytes: config.MAX_MESSAGE_BYTES, maxRecipients: config.MAX_RECIPIENTS, maxConnectionsPerIp: config.MAX_CONNECTIONS_PER_IP,
    idleTimeoutMs: config.SMTP_IDLE_TIMEOUT_SECONDS * 1000, sessionTimeoutMs: config.SMTP_SESSION_TIMEOUT_SECONDS * 1000,
    greetingDelayMs: config.GREETING_DELAY_MS, trustedNetworks: config.TRUSTED_NETWORKS,
    retrySeconds: config.DELIVERY_RETRY_SECONDS,
  };
  const deps = { clock, tenants: stores.tenants, senders: stores.senders, spool: stores.spool, intake: stores.intake, log: problems, ...(notifier ? { notifier } : {}) };
  await stores.intake.warm(); // the committer thread is up before the first 250 is owed
  const ingress = createIngress(deps, options);
  const smtpPort = await ingress.listen(config.SMTP_PORT, config.SMTP_HOST);
  let smtps: Ingress | undefined;
  let smtpsPort: number | undefined;
  if (config.SMTPS_PORT !== undefined) {
    smtps = createIngress(deps, { ...options, secure: true });
    smtpsPort = await smtps.listen(config.SMTPS_PORT, config.SMTP_HOST);
  }
  return {
    smtpPort, ...(smtpsPort !== undefined ? { smtpsPort } : {}),
    async close() { await Promise.all([ingress.close(), smtps?.close()]); },
  };
}

/** An SMTP-only process of a multi-process gateway: its own connections to the same data folder. */
export async function startIngressProcess(config: Config): Promise<{ smtp: SmtpListeners; stop(): Promise<void> }> {
  const stores = openLocalStores(config.dataDir, systemClock);
  const tls = await loadOrCreateTls(config.dataDir, config.SMTP_HOSTNAME, config.TLS_CERT, config.TLS_KEY);
  const smtp = await startSmtpListeners(config, stores, tls, systemClock, localWebhook(config, systemClock).notifier);
  return { smtp, async stop() { await smtp.close(); stores.close(); } };
}
