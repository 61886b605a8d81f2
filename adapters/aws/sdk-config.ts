// What every SDK v3 client here is built with: the region, static
// credentials for emulators, and a per-service endpoint override (emulators);
// on AWS only the region is set and the role's credentials are used.
import type { AwsClientOptions } from './clients.js';

export function sdkConfig(opts: AwsClientOptions, endpoint?: string): { region: string; credentials?: AwsClientOptions['credentials']; endpoint?: string } {
  return {
    region: opts.region ?? process.env.AWS_REGION ?? 'us-east-1',
    ...(opts.credentials ? { credentials: opts.credentials } : {}),
    ...(endpoint ? { endpoint } : {}),
  };
}
