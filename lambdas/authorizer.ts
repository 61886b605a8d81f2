// Token authorizer for API Gateway: lets a request through when its bearer
// token's sha256 is the operator's or a tenant's (tokens are stored hashed).
// The API function checks the route's auth level again; this keeps unknown
// tokens away from it and is cached by API Gateway for a minute.
import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent, Context } from 'aws-lambda';
import { timingSafeEqual } from 'node:crypto';
import { hashToken } from '../core/tenants/password.js';
import type { TenantStore } from '../core/ports.js';
import { logger } from './shared/powertools.js';
import { dynamoStores } from './shared/dynamo-runtime.js';

/** Allow the whole stage: API Gateway caches the policy per token, not per route. */
function stageWildcard(methodArn: string): string {
  // arn:aws:execute-api:<region>:<account>:<api-id>/<stage>/<method>/<path…>
  const [apiArn, stage] = methodArn.split('/');
  return `${apiArn}/${stage}/*`;
}

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && y.length > 0 && timingSafeEqual(x, y);
}

export async function authorize(tenants: TenantStore, operatorHash: string, event: APIGatewayTokenAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(event.authorizationToken ?? '');
  // API Gateway answers 401 for exactly this error message.
  if (!m) throw new Error('Unauthorized');
  const hash = hashToken(m[1]!);
  const allow = (principalId: string, context: Record<string, string>): APIGatewayAuthorizerResult => ({
    principalId,
    policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: stageWildcard(event.methodArn) }] },
    context,
  });
  if (sameHash(hash, operatorHash)) return allow('operator', { role: 'operator' });
  const tenant = await tenants.getTenantByTokenHash(hash);
  if (tenant) return allow(`tenant:${tenant.id}`, { role: 'tenant', tenantId: tenant.id });
  throw new Error('Unauthorized');
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
