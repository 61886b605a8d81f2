// The tenant API on API Gateway (REST): one proxy resource in front of the
// api Lambda (the same createApi as the local server, so the same OpenAPI
// document), a Lambda token authorizer that checks tenant and operator
// tokens by their sha256 before a request reaches the function, throttling,
// JSON access logs and execution logs.
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  AccessLogFormat, AuthorizationType, LambdaIntegration, LogGroupLogDestination, MethodLoggingLevel, RestApi, TokenAuthorizer,
} from 'aws-cdk-lib/aws-apigateway';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { Storage } from './storage.js';
import { RelayFunction } from './relay-function.js';
import { acknowledgeRuntime } from './pipeline.js';
import { grantSpool, grantTable, grantWebhookSecret } from './grants.js';

export interface TenantApiProps {
  readonly storage: Storage;
  readonly retentionDays: number;
  /** Shown to tenants as the host their servers relay through. */
  readonly smtpHost: string;
  /** sha256 hex of the operator token. @default - operator routes are closed */
  readonly operatorTokenSha256?: string;
  /** Steady requests per second across all clients. @default 50 */
  readonly rateLimit?: number;
  /** @default 100 */
  readonly burstLimit?: number;
}

export class TenantApi extends Construct {
  readonly api: RestApi;
  readonly handler: RelayFunction;
  readonly authorizer: RelayFunction;

  constructor(scope: Construct, id: string, props: TenantApiProps) {
    super(scope, id);
    const env = {
      ...props.storage.environment(props.retentionDays),
      OPERATOR_TOKEN_SHA256: props.operatorTokenSha256 ?? '',
      SMTP_HOST: props.smtpHost,
      SMTP_PORT: '587',
    };
    this.handler = new RelayFunction(this, 'Handler', { entryFile: 'api.ts', service: 'api', memorySize: 512, timeout: Duration.seconds(15), environment: env });
    const { table, spoolBucket, deliverQueue } = props.storage;
    grantTable(this.handler.fn, table, ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'], ['gsi1', 'gsi2']);
    grantSpool(this.handler.role, spoolBucket, ['s3:GetObject', 's3:DeleteObject']);
    deliverQueue.grantSendMessages(this.handler.fn);
    // GET /v1/settings shows each tenant its webhook signing key; manual locks are posted to the webhook.
    grantWebhookSecret(this.handler.fn, props.storage.webhookSecret);
    acknowledgeRuntime(this.handler);

    this.authorizer = new RelayFunction(this, 'Authorizer', { entryFile: 'authorizer.ts', service: 'authorizer', memorySize: 256, timeout: Duration.seconds(5), environment: env });
    grantTable(this.authorizer.fn, table, ['dynamodb:GetItem']);
    acknowledgeRuntime(this.authorizer);

    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.THREE_MONTHS, removalPolicy: RemovalPolicy.DESTROY });
    this.api = new RestApi(this, 'Api', {
      description: 'Relayguard tenant and operator API (same OpenAPI document as the local server)',
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.DESTROY,
      deployOptions: {
        stageName: 'prod',
        throttlingRateLimit: props.rateLimit ?? 50,
        throttlingBurstLimit: props.burstLimit ?? 100,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: AccessLogFormat.jsonWithStandardFields(),
        loggingLevel: MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        metricsEnabled: true,
      },
    });
    Validations.of(this.api).acknowledge({ id: 'AwsSolutions-APIG2', reason: 'Every path, query and body is validated in the API function against the same zod schemas the OpenAPI document is generated from; a gateway validator would need a second copy of them.' });
    const authorizer = new TokenAuthorizer(this, 'TokenAuthorizer', {
      handler: this.authorizer.fn,
      identitySource: 'method.request.header.Authorization',
      resultsCacheTtl: Duration.minutes(1),
    });
    const integration = new LambdaIntegration(this.handler.fn, { proxy: true });
    const v1 = this.api.root.addResource('v1');
    // The OpenAPI document is public, as on the local server.
    const openapi = v1.addResource('openapi.json').addMethod('GET', integration, { authorizationType: AuthorizationType.NONE });
    Validations.of(openapi).acknowledge({ id: 'AwsSolutions-APIG4', reason: 'The OpenAPI document is public by design: clients read it to learn the API.' });
    Validations.of(openapi).acknowledge({ id: 'AwsSolutions-COG4', reason: 'The OpenAPI document is public by design.' });
    // The liveness probe the local server also answers, public like there.
    const healthz = this.api.root.addResource('healthz').addMethod('GET', integration, { authorizationType: AuthorizationType.NONE });
    Validations.of(healthz).acknowledge({ id: 'AwsSolutions-APIG4', reason: 'The health check is public by design: monitors probe it without credentials; it returns no tenant data.' });
    Validations.of(healthz).acknowledge({ id: 'AwsSolutions-COG4', reason: 'The health check is public by design and returns no tenant data.' });
    v1.addProxy({ anyMethod: true, defaultIntegration: integration, defaultMethodOptions: { authorizer, authorizationType: AuthorizationType.CUSTOM } });

    Validations.of(this.api.deploymentStage).acknowledge({ id: 'AwsSolutions-APIG3', reason: 'Requests need a valid bearer token (checked by the authorizer, cached) and are throttled per stage; attach a WAF web ACL where organisation policy asks for one.' });
    Validations.of(this).acknowledge({ id: 'AwsSolutions-COG4', reason: 'Callers are mail servers and scripts holding Relayguard tenant or operator bearer tokens, not Cognito users; a Lambda token authorizer checks the token hash.' });
    Validations.of(this).acknowledge({ id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]', reason: 'The account-level role API Gateway needs to write execution logs; AWS manages its policy.' });
  }
}
