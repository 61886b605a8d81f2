// The webhook server secret on AWS, for every process that signs tenant
// webhooks — the Lambdas (lambdas/shared/webhook.ts) and the Fargate ingress
// (ingress/aws-main.ts): where it comes from, read on first need and kept,
// and the WebhookNotifier that signs with each tenant's key derived from it
// (core/notify/webhook-key.ts, the same function the local runner uses). A
// failed read is retried on the next need instead of being remembered.
import type { Tenant } from '../../core/model.js';
import { webhookSecretFor, type SecretSource } from '../../core/notify/webhook-key.js';
import { WebhookNotifier, type WebhookNotifierOptions } from '../webhook/notifier.js';
import { clientOptionsFromEnv } from './env.js';
import { secretsManagerSecret } from './secrets-manager.js';

/**
 * Where the server secret comes from:
 *   WEBHOOK_SECRET_ARN  the Secrets Manager secret holding it (what the CDK app sets)
 *   WEBHOOK_SECRET      the secret itself, for runs against emulators (as `npm start` takes it)
 * Throws when neither is set: a deployment without it could sign nothing.
 */
export function secretSourceFromEnv(env: NodeJS.ProcessEnv = process.env): SecretSource {
  if (env.WEBHOOK_SECRET_ARN) return secretsManagerSecret(env.WEBHOOK_SECRET_ARN, clientOptionsFromEnv(env));
  const value = env.WEBHOOK_SECRET;
  if (value) return { read: async () => value };
  throw new Error('environment variable WEBHOOK_SECRET_ARN is required (set by the CDK app; WEBHOOK_SECRET gives the secret itself for emulator runs)');
}

/**
 * Whether this process's webhooks may reach loopback and private addresses.
 * On AWS they may not: the functions run in (or beside) the VPC, and a
 * tenant's URL must not reach into it (link-local metadata addresses are
 * refused everywhere, adapters/webhook/destination.ts). Only
 * WEBHOOK_ALLOW_PRIVATE_NETWORKS=true allows them: a test or a developer's run
 * against emulators, with its receivers on loopback. Nothing else turns the
 * refusal off, so no other setting of a deployment can do it by accident.
 */
export function privateWebhooksAllowed(env: NodeJS.ProcessEnv = process.env): boolean {
  const explicit = env.WEBHOOK_ALLOW_PRIVATE_NETWORKS?.trim().toLowerCase();
  return explicit === 'true' || explicit === '1';
}

export interface WebhookSigning {
  /** A tenant's webhook signing key (what GET /v1/settings shows it). */
  keyFor(tenantId: string): Promise<string>;
  /** A notifier signing with those keys; private destinations as privateWebhooksAllowed says, unless `options` set it. */
  notifier(options?: Omit<WebhookNotifierOptions, 'secretFor'>): WebhookNotifier;
}

/** Keys and notifiers over one secret source; `source` is called on the first need (so a missing setting fails there, not at import). */
export function webhookSigning(source: () => SecretSource, env: NodeJS.ProcessEnv = process.env): WebhookSigning {
  let secret: Promise<string> | undefined;
  const serverSecret = (): Promise<string> => {
    secret ??= Promise.resolve().then(() => source().read()).catch((err: unknown) => {
      secret = undefined;
      throw err;
    });
    return secret;
  };
  const keyFor = async (tenantId: string) => webhookSecretFor(await serverSecret(), tenantId);
  return {
    keyFor,
    notifier: (options = {}) => new WebhookNotifier({
      allowPrivateNetworks: privateWebhooksAllowed(env), ...options, secretFor: (tenant: Tenant) => keyFor(tenant.id),
    }),
  };
}
