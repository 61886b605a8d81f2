// Token authorizer for API Gateway: lets a request through when its bearer
// token is the operator's or a tenant's — decided by api/auth.ts callerOf,
// as the API routes decide (tokens are stored hashed).
// The API function checks the route's auth level again; this keeps unknown
// tokens away from it and is cached by API Gateway for a minute.
//
// How API Gateway reads the outcome: an Allow policy lets the request
// through; an error with exactly the message "Unauthorized" is a 401; any
// other error is a 500. A missing, malformed or unknown token is the 401. A
// token lookup that fails (the table unreachable, throttled, missing) is the
// 500 and AUTHORIZER_FAILED in the log: answering 401 there would tell every
// client its token is wrong during an outage. No Deny policy (403) is issued:
// the wrong kind of token for a route is the API function's 403.
import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent, Context } from 'aws-lambda';
import { isDomainError } from '../core/errors.js';
import { callerOf, type Caller } from '../api/auth.js';
import type { TenantStore } from '../core/ports.js';
import { logger } from './shared/powertools.js';
import { dynamoStores } from './shared/dynamo-runtime.js';

/** The one error message API Gateway turns into a 401. */
const UNAUTHORIZED = 'Unauthorized';

/** Allow the whole stage: API Gateway caches the policy per token, not per route. */
function stageWildcard(methodArn: string): string {
  // arn:aws:execute-api:<region>:<account>:<api-id>/<stage>/<method>/<path…>
  const [apiArn, stage] = methodArn.split('/');
  return `${apiArn}/${stage}/*`;
}

/**
 * Logs why the authorizer could not decide and gives the error to throw
 * instead: its message is never "Unauthorized", so API Gateway answers 500.
 */
function failure(err: unknown): Error {
  logger.error('AUTHORIZER_FAILED', { error: err as Error });
  return new Error('AUTHORIZER_FAILED: the token could not be checked', { cause: err });
}

/**
 * The Allow policy for the caller's token; throws "Unauthorized" (401) for a
 * missing, malformed or unknown token and any other error (500, logged as
 * AUTHORIZER_FAILED) when the token lookup itself fails.
 */
export async function authorize(tenants: TenantStore, operatorHash: string, event: APIGatewayTokenAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  let caller: Caller;
  try {
    caller = await callerOf(tenants, operatorHash, event.authorizationToken);
  } catch (err) {
    // callerOf throws UNAUTHORIZED for the token itself; anything else is the lookup failing.
    if (isDomainError(err, 'UNAUTHORIZED')) throw new Error(UNAUTHORIZED);
    throw failure(err);
  }
  const allow = (principalId: string, context: Record<string, string>): APIGatewayAuthorizerResult => ({
    principalId,
    policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: stageWildcard(event.methodArn) }] },
    context,
  });
  return caller.role === 'operator' ? allow('operator', { role: 'operator' }) : allow(`tenant:${caller.tenant.id}`, { role: 'tenant', tenantId: caller.tenant.id });
}

export async function handler(event: APIGatewayTokenAuthorizerEvent, context: Context): Promise<APIGatewayAuthorizerResult> {
  logger.addContext(context);
  let tenants: TenantStore;
  try {
    tenants = dynamoStores().tenants;
  } catch (err) {
    throw failure(err);
  }
  return authorize(tenants, process.env.OPERATOR_TOKEN_SHA256 ?? '', event);
}
