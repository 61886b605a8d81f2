// Tenant webhooks on AWS: one server secret, read once per cold start from
// Secrets Manager (WEBHOOK_SECRET_ARN, set by the CDK app), and each
// tenant's signing key derived from it by core/notify/webhook-key.ts — the
// same function the local runner uses, so a key shown in /v1/settings is the
// key deliveries are signed with. The secret is read on first need, so a
// function that never notifies never calls Secrets Manager, and a failed read
// is retried on the next need instead of being remembered.
import type { Notifier } from '../../core/ports.js';
import { webhookSecretFor, type SecretSource } from '../../core/notify/webhook-key.js';
import { WebhookNotifier } from '../../adapters/webhook/notifier.js';
import { secretsManagerSecret } from '../../adapters/aws/secrets-manager.js';
import { clientOptionsFromEnv } from '../../adapters/aws/env.js';

/**
 * Where the server secret comes from:
 *   WEBHOOK_SECRET_ARN  the Secrets Manager secret holding it (what the CDK app sets)
 *   WEBHOOK_SECRET      the secret itself, for runs against emulators (as `npm start` takes it)
 */
export function secretSourceFromEnv(env: NodeJS.ProcessEnv = process.env): SecretSource {
  if (env.WEBHOOK_SECRET_ARN) return secretsManagerSecret(env.WEBHOOK_SECRET_ARN, clientOptionsFromEnv(env));
  const value = env.WEBHOOK_SECRET;
  if (value) return { read: async () => value };
  throw new Error('environment variable WEBHOOK_SECRET_ARN is required (set by the CDK app; WEBHOOK_SECRET gives the secret itself for emulator runs)');
}

let serverSecret: Promise<string> | undefined;

function theServerSecret(): Promise<string> {
  serverSecret ??= Promise.resolve().then(() => secretSourceFromEnv().read()).catch((err: unknown) => {
    serverSecret = undefined;
    throw err;
  });
  return serverSecret;
}

/** A tenant's webhook signing key (what GET /v1/settings shows it). */
export async function webhookKeyFor(tenantId: string): Promise<string> {
  return webhookSecretFor(await theServerSecret(), tenantId);
}

let notifier: Notifier | undefined;

/**
 * The webhook notifier for a function's PipelineDeps. Its budget is smaller
 * than the local runner's (3 attempts of at most 3 s, about 10 s in all): a
 * notification runs inside a queue record's handler, and a tenant's slow
 * receiver must not eat the function's timeout.
 */
export function webhookNotifier(): Notifier {
  return (notifier ??= new WebhookNotifier({ secretFor: (tenant) => webhookKeyFor(tenant.id), maxAttempts: 3, timeoutMs: 3000 }));
}
