// Token authorizer for API Gateway: lets a request through when its bearer
// token is the operator's or a tenant's — decided by api/auth.ts callerOf,
// as the API routes decide (tokens are stored hashed).
// The API function checks the route's auth level again; this keeps unknown
// tokens away from it and is cached by API Gateway for a minute.
import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent, Context } from 'aws-lambda';
import { DomainError } from '../core/errors.js';
import { callerOf } from '../api/auth.js';
import type { TenantStore } from '../core/ports.js';
import { logger } from './shared/powertools.js';
import { dynamoStores } from './shared/dynamo-runtime.js';

/** Allow the whole stage: API Gateway caches the policy per token, not per route. */
function stageWildcard(methodArn: string): string {
  // arn:aws:execute-api:<region>:<account>:<api-id>/<stage>/<method>/<path…>
  const [apiArn, stage] = methodArn.split('/');
  return `${apiArn}/${stage}/*`;
}

export async function authorize(tenants: TenantStore, operatorHash: string, event: APIGatewayTokenAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  // API Gateway answers 401 for exactly the error message "Unauthorized".
  const caller = await callerOf(tenants, operatorHash, event.authorizationToken).catch((err: unknown) => {
    if (err instanceof DomainError) throw new Error('Unauthorized');
    throw err;
  });
  const allow = (principalId: string, context: Record<string, string>): APIGatewayAuthorizerResult => ({
    principalId,
    policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: stageWildcard(event.methodArn) }] },
    context,
  });
  return caller.role === 'operator' ? allow('operator', { role: 'operator' }) : allow(`tenant:${caller.tenant.id}`, { role: 'tenant', tenantId: caller.tenant.id });
}

export async function handler(event: APIGatewayTokenAuthorizerEvent, context: Context): Promise<APIGatewayAuthorizerResult> {
  logger.addContext(context);
  try {
    return await authorize(dynamoStores().tenants, process.env.OPERATOR_TOKEN_SHA256 ?? '', event);
  } catch (err) {
    if ((err as Error).message !== 'Unauthorized') logger.error('AUTHORIZER_FAILED', { error: err as Error });
    throw new Error('Unauthorized');
  }
}
