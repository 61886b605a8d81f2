// Tenant webhooks on AWS: one server secret, read once per cold start from
// Secrets Manager (WEBHOOK_SECRET_ARN, set by the CDK app), and each
// tenant's signing key derived from it by core/notify/webhook-key.ts — the
// same function the local runner uses, so a key shown in /v1/settings is the
// key deliveries are signed with (adapters/aws/webhook-secret.ts, shared with
// the Fargate ingress). The secret is read on first need, so a function that
// never notifies never calls Secrets Manager, and a failed read is retried on
// the next need instead of being remembered.
import type { Notifier } from '../../core/ports.js';
import { secretSourceFromEnv, webhookSigning } from '../../adapters/aws/webhook-secret.js';

const signing = webhookSigning(() => secretSourceFromEnv());

/** A tenant's webhook signing key (what GET /v1/settings shows it). */
export function webhookKeyFor(tenantId: string): Promise<string> {
  return signing.keyFor(tenantId);
}

let notifier: Notifier | undefined;

/**
 * The webhook notifier for a function's PipelineDeps. Its budget is smaller
 * than the local runner's (3 attempts of at most 3 s, about 10 s in all): a
 * notification runs inside a queue record's handler, and a tenant's slow
 * receiver must not eat the function's timeout.
 */
export function webhookNotifier(): Notifier {
  return (notifier ??= signing.notifier({ maxAttempts: 3, timeoutMs: 3000 }));
}
