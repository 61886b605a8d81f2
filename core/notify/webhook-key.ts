// A tenant's webhook signing key, derived from one server secret so nothing
// per tenant needs storing: the local runner keeps that secret in DATA_DIR,
// the AWS deployment in Secrets Manager. Both derive keys here, so a tenant's
// key is the same function of (server secret, tenant id) wherever it runs.
import { createHmac } from 'node:crypto';

/** Where a deployment keeps the server secret; read once and kept by the wiring. */
export interface SecretSource {
  read(): Promise<string>;
}

/** The key a tenant verifies our webhook deliveries with (core/notify/signature.ts). */
export function webhookSecretFor(serverSecret: string, tenantId: string): string {
  return 'whsec_' + createHmac('sha256', serverSecret).update(`webhook:${tenantId}`).digest('base64url');
}
