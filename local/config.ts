// The local runner's configuration: every key an environment variable, each
// documented here with its default, parsed once and failing fast with a
// message that names the key, the value given and what is allowed.
// `npm run config` prints the effective configuration (secrets masked).
import { hostname as osHostname } from 'node:os';
import { resolve } from 'node:path';
import { z } from 'zod';

const port = (def: number) => z.coerce.number().int().min(0).max(65535).default(def);
const posInt = (def: number) => z.coerce.number().int().positive().default(def);
/** A comma-separated list, as an array without blanks. */
const list = z.string().transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));
const optionalPort = z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().min(0).max(65535).optional());

const Schema = z.object({
  /** Where the SQLite database, the spool, the TLS certificate and the operator token live. */
  DATA_DIR: z.string().default('./data'),
  /** Submission port (STARTTLS, AUTH after TLS). */
  SMTP_PORT: port(587),
  SMTP_HOST: z.string().default('0.0.0.0'),
  /** Implicit-TLS submission port (465); unset = off. */
  SMTPS_PORT: optionalPort,
  /** Name in the SMTP greeting, Received headers and DSNs. */
  SMTP_HOSTNAME: z.string().default(osHostname() || 'relayguard.local'),
  /** Host name tenants should configure (shown by the API); defaults to SMTP_HOSTNAME. */
  PUBLIC_SMTP_HOST: z.string().optional(),
  /** Port tenants should configure (shown by the API) when a NAT or load balancer forwards it to SMTP_PORT; defaults to the port listened on. */
  PUBLIC_SMTP_PORT: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().min(1).max(65535).optional()),
  /** REST API and web console. */
  API_PORT: port(8080),
  /** The API listens on loopback unless told otherwise: it is the admin surface. */
  API_HOST: z.string().default('127.0.0.1'),
  /** Fixed operator token; otherwise one is generated into DATA_DIR/operator-token once. */
  OPERATOR_TOKEN: z.string().min(16, 'OPERATOR_TOKEN must be at least 16 characters').optional(),
  /** Server secret from which each tenant's webhook signing key is derived; otherwise generated into DATA_DIR/webhook-secret. */
  WEBHOOK_SECRET: z.string().min(16, 'WEBHOOK_SECRET must be at least 16 characters').optional(),
  /** PEM files; otherwise a self-signed certificate is generated into DATA_DIR/tls and reused. */
  TLS_CERT: z.string().optional(),
  TLS_KEY: z.string().optional(),
  /** host:port of a relay for all outgoing mail; unset = direct MX (see adapters/transport). */
  SMARTHOST: z.string().optional(),
  MAX_MESSAGE_BYTES: posInt(25 * 1024 * 1024),
  MAX_RECIPIENTS: posInt(100),
  MAX_CONNECTIONS_PER_IP: posInt(20),
  SMTP_IDLE_TIMEOUT_SECONDS: posInt(60),
  SMTP_SESSION_TIMEOUT_SECONDS: posInt(1800),
  /** Early-talker wait before the greeting for unknown addresses (0 = off). */
  GREETING_DELAY_MS: z.coerce.number().int().min(0).max(10_000).default(100),
  /** Comma-separated CIDRs greeted at once (they still must log in or be IP users). */
  TRUSTED_NETWORKS: list.default(['127.0.0.0/8', '::1/128']),
  /** How long 4xx-deferred mail is retried before it bounces. */
  DELIVERY_RETRY_SECONDS: posInt(48 * 3600),
  /** How long quarantined and rejected mail is kept. */
  RETENTION_DAYS: posInt(30),
  /** SMTP listener processes sharing the port; more than 1 uses more cores for SMTP (the API and workers stay in the main process). */
  INGRESS_PROCESSES: z.coerce.number().int().min(1).max(64).default(1),
  /** `off` runs only the ingress and the API (like the AWS ingress task): accepted mail waits in the queue. */
  WORKERS: z.enum(['on', 'off']).default('on'),
  SCORE_CONCURRENCY: posInt(4),
  DELIVER_CONCURRENCY: posInt(16),
  /** clamd address, host:port or a Unix socket path; unset = no virus scanning (signatures only). */
  CLAMD: z.string().optional(),
  /** Comma-separated DNS blocklist zones for URL hosts (e.g. dbl.spamhaus.org); unset = no lookups. */
  URL_BLOCKLISTS: list.optional(),
});

export type Config = z.infer<typeof Schema> & { dataDir: string };

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = Schema.safeParse(Object.fromEntries(Object.entries(env).filter(([k, v]) => k in Schema.shape && v !== '')));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const key = String(i.path[0]);
      return `  ${key}=${JSON.stringify(env[key])}: ${i.message}`;
    });
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  if (!!parsed.data.TLS_CERT !== !!parsed.data.TLS_KEY) throw new Error('Invalid configuration: TLS_CERT and TLS_KEY must be set together');
  return { ...parsed.data, dataDir: resolve(parsed.data.DATA_DIR) };
}

/** The effective configuration with secrets masked, one KEY=value per line. */
export function describeConfig(c: Config): string {
  return Object.keys(Schema.shape)
    .map((k) => {
      const v = (c as Record<string, unknown>)[k];
      return `${k}=${(k === 'OPERATOR_TOKEN' || k === 'WEBHOOK_SECRET') && v ? '********' : v ?? '(unset)'}`;
    })
    .join('\n');
}
