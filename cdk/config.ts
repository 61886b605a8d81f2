// Deployment settings: one typed object, read from CDK context (cdk.json or
// `-c key=value`), every key documented with its default, validated early
// with a message that says what was given and what is allowed.
import type { App } from 'aws-cdk-lib';

export type DeliveryMode = 'ses' | 'direct-mx';

export interface RelayguardConfig {
  /** Public host name of the SMTP service (greeting, Received, DSNs). @default relay.example.com */
  readonly domainName: string;
  /** How the deliver Lambda hands mail on. @default ses */
  readonly deliveryMode: DeliveryMode;
  /** Create a VPC (two AZs, one NAT gateway per AZ); otherwise look up `vpcId`. @default true */
  readonly createVpc: boolean;
  /** Existing VPC to use when `createVpc` is false (needs account/region in the environment). */
  readonly vpcId?: string;
  /** Days quarantined/rejected mail and the message log are kept. @default 30 */
  readonly retentionDays: number;
  /** Where alarms are e-mailed; no subscription when unset. */
  readonly alarmEmail?: string;
  /** ARN of a Secrets Manager secret with JSON keys `key` and `cert` (PEM) for the ingress; a placeholder is created when unset. */
  readonly tlsSecretArn?: string;
  /** Listen on 465 (implicit TLS) too. Needs a real certificate. @default true when tlsSecretArn is set */
  readonly implicitTls: boolean;
  /** sha256 hex of the operator token (the token itself is never deployed). Operator routes are closed when unset. */
  readonly operatorTokenSha256?: string;
  /** Ingress tasks: at least two, across two AZs. @default 2 / 6 */
  readonly minTasks: number;
  readonly maxTasks: number;
}

export const DEFAULT_CONFIG: RelayguardConfig = {
  domainName: 'relay.example.com',
  deliveryMode: 'ses',
  createVpc: true,
  retentionDays: 30,
  implicitTls: false,
  minTasks: 2,
  maxTasks: 6,
};

type Raw = Record<string, unknown>;

function bool(v: unknown, name: string): boolean | undefined {
  if (v === undefined) return undefined;
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  throw new Error(`context ${name} must be true or false, got ${JSON.stringify(v)}`);
}

function int(v: unknown, name: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`context ${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
  return n;
}

/** Reads and validates the deployment settings from context values. */
export function parseConfig(raw: Raw): RelayguardConfig {
  const mode = raw.deliveryMode ?? DEFAULT_CONFIG.deliveryMode;
  if (mode !== 'ses' && mode !== 'direct-mx') throw new Error(`context deliveryMode must be "ses" or "direct-mx", got ${JSON.stringify(mode)}`);
  const domainName = String(raw.domainName ?? DEFAULT_CONFIG.domainName);
  if (!/^(?=.{1,253}$)([a-z0-9-]{1,63}\.)+[a-z]{2,63}$/i.test(domainName)) throw new Error(`context domainName must be a host name, got ${JSON.stringify(domainName)}`);
  const createVpc = bool(raw.createVpc, 'createVpc') ?? DEFAULT_CONFIG.createVpc;
  const vpcId = raw.vpcId === undefined ? undefined : String(raw.vpcId);
  if (!createVpc && !vpcId) throw new Error('context createVpc=false needs vpcId (the VPC to deploy into)');
  const hash = raw.operatorTokenSha256 === undefined ? undefined : String(raw.operatorTokenSha256).toLowerCase();
  if (hash !== undefined && !/^[0-9a-f]{64}$/.test(hash)) throw new Error('context operatorTokenSha256 must be 64 hex characters (sha256 of the token)');
  const alarmEmail = raw.alarmEmail === undefined ? undefined : String(raw.alarmEmail);
  if (alarmEmail !== undefined && !/^[^@\s]+@[^@\s]+$/.test(alarmEmail)) throw new Error(`context alarmEmail must be an e-mail address, got ${JSON.stringify(alarmEmail)}`);
  const tlsSecretArn = raw.tlsSecretArn === undefined ? undefined : String(raw.tlsSecretArn);
  const minTasks = int(raw.minTasks, 'minTasks', 2, 100) ?? DEFAULT_CONFIG.minTasks;
  const maxTasks = int(raw.maxTasks, 'maxTasks', minTasks, 200) ?? Math.max(DEFAULT_CONFIG.maxTasks, minTasks);
  return {
    domainName, deliveryMode: mode, createVpc, retentionDays: int(raw.retentionDays, 'retentionDays', 1, 3650) ?? DEFAULT_CONFIG.retentionDays,
    implicitTls: bool(raw.implicitTls, 'implicitTls') ?? tlsSecretArn !== undefined,
    minTasks, maxTasks,
    ...(vpcId ? { vpcId } : {}), ...(alarmEmail ? { alarmEmail } : {}), ...(tlsSecretArn ? { tlsSecretArn } : {}), ...(hash ? { operatorTokenSha256: hash } : {}),
  };
}

const KEYS = ['domainName', 'deliveryMode', 'createVpc', 'vpcId', 'retentionDays', 'alarmEmail', 'tlsSecretArn', 'implicitTls', 'operatorTokenSha256', 'minTasks', 'maxTasks'];

export function configFromContext(app: App): RelayguardConfig {
  const raw: Raw = {};
  for (const k of KEYS) {
    const v = app.node.tryGetContext(k);
    if (v !== undefined && v !== '') raw[k] = v;
  }
  return parseConfig(raw);
}
