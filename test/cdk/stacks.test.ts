// The default deployment (SES delivery, new VPC): what the templates must
// contain, and cdk-nag AwsSolutions clean. One synth shared by every test.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Match } from 'aws-cdk-lib/assertions';
import { synthRelayguard, type Synthesized } from './synth.js';
import { acknowledgments, nagFindings } from './nag.js';
import { createApi } from '../../api/handler.js';

let s: Synthesized;

const statementsOf = (policyIdPrefix: string): { Action: string | string[]; Resource: unknown }[] => {
  const policies = s.service.findResources('AWS::IAM::Policy');
  const id = Object.keys(policies).find((k) => k.startsWith(policyIdPrefix));
  assert.ok(id, `no policy ${policyIdPrefix}* among ${Object.keys(policies).join(', ')}`);
  return (policies[id] as { Properties: { PolicyDocument: { Statement: never[] } } }).Properties.PolicyDocument.Statement;
};
const actionsOf = (policyIdPrefix: string): string[] => statementsOf(policyIdPrefix).flatMap((st) => ([] as string[]).concat(st.Action));

describe('Relayguard stacks with default settings', () => {
  before(() => { s = synthRelayguard(); });

  test('every function runs Node 22 on ARM64 with Powertools settings', () => {
    const fns = s.service.findResources('AWS::Lambda::Function');
    assert.equal(Object.keys(fns).length, 5, 'score, deliver, feedback, api, authorizer');
    for (const [id, fn] of Object.entries(fns) as [string, { Properties: Record<string, any> }][]) {
      assert.equal(fn.Properties.Runtime, 'nodejs22.x', id);
      assert.deepEqual(fn.Properties.Architectures, ['arm64'], id);
      assert.equal(fn.Properties.Environment.Variables.POWERTOOLS_METRICS_NAMESPACE, 'Relayguard', id);
      assert.ok(fn.Properties.LoggingConfig?.LogGroup, `${id} logs to its own group with retention`);
    }
  });

  test('both queues feed their Lambdas with partial batch failure reporting', () => {
    s.service.resourceCountIs('AWS::Lambda::EventSourceMapping', 2);
    s.service.allResourcesProperties('AWS::Lambda::EventSourceMapping', { FunctionResponseTypes: ['ReportBatchItemFailures'], BatchSize: 10 });
  });

  test('each work queue is encrypted, TLS-only and redrives to its own DLQ', () => {
    s.data.resourceCountIs('AWS::SQS::Queue', 4);
    const queues = s.data.findResources('AWS::SQS::Queue', { Properties: { RedrivePolicy: Match.anyValue() } });
    assert.equal(Object.keys(queues).length, 2);
    for (const q of Object.values(queues) as { Properties: Record<string, any> }[]) {
      assert.equal(q.Properties.RedrivePolicy.maxReceiveCount, 5);
      assert.equal(q.Properties.SqsManagedSseEnabled, true);
    }
    s.data.resourcePropertiesCountIs('AWS::SQS::QueuePolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    }, 4);
  });

  test('the spool bucket is encrypted, versioned, private, TLS-only and expires delivered mail', () => {
    s.data.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'spool/' }),
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ Id: 'delivered-mail', NoncurrentVersionExpiration: { NoncurrentDays: 7 }, ExpiredObjectDeleteMarker: true }),
          Match.objectLike({ Id: 'retention', Prefix: 'spool/', ExpirationInDays: 32 }),
        ]),
      },
    });
    const spool = Object.entries(s.data.findResources('AWS::S3::Bucket')).find(([, b]) => (b as any).Properties.VersioningConfiguration);
    assert.equal((spool![1] as { DeletionPolicy: string }).DeletionPolicy, 'Retain', 'accepted mail survives a stack deletion');
  });

  test('the single table is on-demand with PITR, TTL on "ttl" and the two list indexes', () => {
    s.data.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      DeletionProtectionEnabled: true,
      GlobalSecondaryIndexes: [Match.objectLike({ IndexName: 'gsi1' }), Match.objectLike({ IndexName: 'gsi2' })],
    });
    s.data.hasResourceProperties('AWS::DynamoDB::Table', { KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true } });
  });

  test('SES bounce, complaint, delivery and reject events go through SNS to the feedback Lambda', () => {
    s.service.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: {
        Enabled: true,
        MatchingEventTypes: Match.arrayWith(['bounce', 'complaint', 'delivery', 'reject']),
        SnsDestination: { TopicARN: Match.anyValue() },
      },
    });
    s.service.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'lambda', Endpoint: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PipelineFeedbackFn'), 'Arn'] } });
    s.service.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
  });

  test('grants are least privilege per function', () => {
    const score = actionsOf('PipelineScoreRoleDefaultPolicy');
    const deliver = actionsOf('PipelineDeliverRoleDefaultPolicy');
    const authorizer = actionsOf('ApiAuthorizerRoleDefaultPolicy');
    const feedback = actionsOf('PipelineFeedbackRoleDefaultPolicy');
    assert.ok([deliver, score, feedback].every((a) => a.includes('ses:SendRawEmail')), 'deliver sends mail, score and feedback send abuse reports');
    assert.ok(!actionsOf('ApiHandlerRoleDefaultPolicy').includes('ses:SendRawEmail') && !actionsOf('ApiAuthorizerRoleDefaultPolicy').includes('ses:SendRawEmail'), 'the API functions send no mail');
    assert.ok(feedback.includes('s3:GetObject') && !feedback.includes('s3:DeleteObject'), 'feedback reads spooled mail for abuse reports, never deletes it');
    assert.ok(!score.includes('s3:DeleteObject'), 'score never deletes spooled mail');
    assert.ok(!score.includes('dynamodb:DeleteItem') && !score.some((a) => a.includes('*')), 'score has no wildcard or delete actions');
    assert.deepEqual(authorizer.filter((a) => a.startsWith('dynamodb:')), ['dynamodb:GetItem'], 'the authorizer only reads tokens');
    for (const fn of ['PipelineScore', 'PipelineDeliver', 'PipelineFeedback', 'ApiHandler', 'ApiAuthorizer']) {
      assert.ok(!actionsOf(`${fn}RoleDefaultPolicy`).includes('dynamodb:Scan'), `${fn} cannot scan the table`);
    }
    const idempotencyUsers = ['PipelineScore', 'PipelineFeedback', 'ApiHandler'].filter((fn) =>
      JSON.stringify(statementsOf(`${fn}RoleDefaultPolicy`)).includes('Idempotency'));
    assert.deepEqual(idempotencyUsers, [], 'only deliver touches the idempotency table');
  });

  test('the webhook server secret is kept in the data stack and only score, deliver, feedback, api and the ingress task may read it, by WEBHOOK_SECRET_ARN', () => {
    const secrets = Object.entries(s.data.findResources('AWS::SecretsManager::Secret')) as [string, { DeletionPolicy: string; Properties: Record<string, any> }][];
    assert.equal(secrets.length, 1);
    const [secretId, secret] = secrets[0]!;
    assert.deepEqual(secret.Properties.GenerateSecretString, { ExcludePunctuation: true, PasswordLength: 48 });
    assert.equal(secret.DeletionPolicy, 'Retain', 'replacing it would change every tenant\'s signing key');
    // The service stack reaches it through the data stack's export of its ARN.
    const outputs = Object.values(s.data.toJSON().Outputs as Record<string, { Value: unknown; Export?: { Name: string } }>).filter((o) => JSON.stringify(o.Value) === JSON.stringify({ Ref: secretId }));
    assert.ok(outputs.some((o) => !o.Export), 'the operator finds it in the WebhookSecretArn output');
    const exported = outputs.find((o) => o.Export) as { Export: { Name: string } } | undefined;
    assert.ok(exported, 'the secret ARN is exported to the service stack');
    const arn = { 'Fn::ImportValue': exported.Export.Name };

    const readers: string[] = [];
    for (const [id, policy] of Object.entries(s.service.findResources('AWS::IAM::Policy')) as [string, { Properties: { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } } }][]) {
      for (const st of policy.Properties.PolicyDocument.Statement) {
        if (JSON.stringify(st.Resource).includes(exported.Export.Name)) {
          assert.deepEqual(st.Action, 'secretsmanager:GetSecretValue', `${id} may only read the secret`);
          assert.deepEqual(st.Resource, arn, `${id} reads this one secret`);
          readers.push(id.replace(/RoleDefaultPolicy.*$/, ''));
        }
      }
    }
    assert.deepEqual(readers.sort(), ['ApiHandler', 'IngressTaskTask', 'PipelineDeliver', 'PipelineFeedback', 'PipelineScore'], 'the four functions and the ingress task role');

    const fns = s.service.findResources('AWS::Lambda::Function') as Record<string, { Properties: { Description: string; Environment: { Variables: Record<string, unknown> } } }>;
    const withEnv = Object.values(fns).filter((f) => f.Properties.Environment.Variables.WEBHOOK_SECRET_ARN !== undefined);
    assert.deepEqual(withEnv.map((f) => f.Properties.Description).sort(), ['Relayguard api', 'Relayguard deliver', 'Relayguard feedback', 'Relayguard score']);
    for (const f of withEnv) assert.deepEqual(f.Properties.Environment.Variables.WEBHOOK_SECRET_ARN, arn);

    // The ingress task: its role may read the secret (above), its container is told the ARN — never the value
    // (no ECS secret, so the execution role, which pulls the image, cannot read it).
    const tasks = Object.values(s.service.findResources('AWS::ECS::TaskDefinition')) as { Properties: { ContainerDefinitions: { Environment: { Name: string; Value: unknown }[]; Secrets?: { Name: string; ValueFrom: unknown }[] }[] } }[];
    assert.equal(tasks.length, 1);
    const container = tasks[0]!.Properties.ContainerDefinitions[0]!;
    assert.deepEqual(container.Environment.find((e) => e.Name === 'WEBHOOK_SECRET_ARN')?.Value, arn, 'the ingress is told which secret to read');
    assert.ok(!JSON.stringify(container.Secrets ?? []).includes(exported.Export.Name), 'the value is not injected by ECS');
    const executionPolicies = Object.entries(s.service.findResources('AWS::IAM::Policy')).filter(([id]) => id.startsWith('IngressTaskExecutionRole'));
    assert.ok(!JSON.stringify(executionPolicies).includes(exported.Export.Name), 'the execution role cannot read it');
  });

  test('score and feedback send abuse reports the way deliver sends mail: SES in the configuration set', () => {
    const fns = Object.values(s.service.findResources('AWS::Lambda::Function')) as { Properties: { Description: string; Environment: { Variables: Record<string, unknown> } } }[];
    for (const name of ['score', 'deliver', 'feedback']) {
      const vars = fns.find((f) => f.Properties.Description === `Relayguard ${name}`)!.Properties.Environment.Variables;
      assert.equal(vars.DELIVERY_MODE, 'ses', name);
      assert.ok(vars.SES_CONFIGURATION_SET, `${name} sends in the configuration set`);
    }
  });

  test('the ingress runs at least two ARM64 tasks behind an NLB on 587 with TLS from Secrets Manager', () => {
    s.service.hasResourceProperties('AWS::ECS::Service', { DesiredCount: 2, LaunchType: 'FARGATE', DeploymentConfiguration: Match.objectLike({ MinimumHealthyPercent: 100 }) });
    s.service.hasResourceProperties('AWS::ECS::TaskDefinition', {
      RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
      ContainerDefinitions: [Match.objectLike({
        ReadonlyRootFilesystem: true,
        HealthCheck: Match.objectLike({ Command: Match.arrayWith(['CMD', 'node']) }),
        Secrets: Match.arrayWith([Match.objectLike({ Name: 'TLS_KEY' }), Match.objectLike({ Name: 'TLS_CERT' })]),
        PortMappings: [{ ContainerPort: 2587, Protocol: 'tcp' }],
      })],
    });
    s.service.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 587, Protocol: 'TCP' });
    s.service.resourcePropertiesCountIs('AWS::ElasticLoadBalancingV2::Listener', { Port: 465 }, 0);
    s.service.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Port: 2587, Protocol: 'TCP', TargetType: 'ip',
      TargetGroupAttributes: Match.arrayWith([{ Key: 'preserve_client_ip.enabled', Value: 'true' }]),
    });
    s.service.hasResourceProperties('AWS::SecretsManager::Secret', { GenerateSecretString: Match.objectLike({ GenerateStringKey: 'key' }) });
  });

  test('the ingress scales on CPU and on open connections between 2 and 6 tasks', () => {
    s.service.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 2, MaxCapacity: 6 });
    s.service.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({ PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' }, TargetValue: 60 }),
    });
    s.service.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ActiveFlowCount', Namespace: 'AWS/NetworkELB' });
  });

  test('the API has a token authorizer, a public OpenAPI document, throttling and access logs', () => {
    s.service.hasResourceProperties('AWS::ApiGateway::Authorizer', { Type: 'TOKEN', IdentitySource: 'method.request.header.Authorization', AuthorizerResultTtlInSeconds: 60 });
    s.service.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'ANY', AuthorizationType: 'CUSTOM' });
    s.service.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'GET', AuthorizationType: 'NONE', ResourceId: { Ref: Match.stringLikeRegexp('openapijson') } });
    s.service.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'prod',
      AccessLogSetting: Match.objectLike({ DestinationArn: Match.anyValue() }),
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100, LoggingLevel: 'ERROR' })],
    });
  });

  test('every path of the OpenAPI document is routed by API Gateway', async () => {
    const doc = (await createApi({} as never)({ method: 'GET', path: '/v1/openapi.json', query: {}, headers: {}, body: undefined })).body as { paths: Record<string, unknown> };
    const resources = Object.values(s.service.findResources('AWS::ApiGateway::Resource')) as { Properties: { PathPart: string } }[];
    const parts = new Set(resources.map((r) => r.Properties.PathPart));
    assert.ok(parts.has('v1') && parts.has('{proxy+}'), 'a proxy resource under /v1');
    const unrouted = Object.keys(doc.paths).filter((p) => !p.startsWith('/v1/') && !parts.has(p.split('/')[1]!));
    assert.deepEqual(unrouted, []);
    s.service.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'GET', AuthorizationType: 'NONE', ResourceId: { Ref: Match.stringLikeRegexp('healthz') } });
  });

  test('the console is served by CloudFront from a private bucket with /v1/* routed to the API', () => {
    s.service.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'index.html',
        CacheBehaviors: [Match.objectLike({ PathPattern: '/v1/*', ViewerProtocolPolicy: 'https-only' })],
        Logging: Match.anyValue(),
      }),
    });
    s.service.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
  });

  test('alarms watch queue age, DLQ depth, Lambda errors, lockouts per hour and ingress tasks', () => {
    const alarms = Object.values(s.service.findResources('AWS::CloudWatch::Alarm')) as { Properties: Record<string, any> }[];
    const byMetric = (name: string) => alarms.filter((a) => a.Properties.MetricName === name).length;
    assert.equal(byMetric('ApproximateAgeOfOldestMessage'), 2);
    assert.equal(byMetric('ApproximateNumberOfMessagesVisible'), 2);
    assert.equal(byMetric('Errors'), 4);
    // Lockouts: one alarm on the sum of every locking service's series (Powertools tags each Lambda's with its service; the ingress's metric filter does the same).
    const lockouts = alarms.filter((a) => (a.Properties.Metrics ?? []).some((m: any) => m.MetricStat?.Metric?.MetricName === 'SenderLocked'));
    assert.equal(lockouts.length, 1);
    const series = lockouts[0]!.Properties.Metrics as any[];
    assert.deepEqual(series.filter((m) => m.MetricStat).map((m) => m.MetricStat.Metric.Dimensions[0].Value).sort(), ['relayguard-deliver', 'relayguard-feedback', 'relayguard-ingress', 'relayguard-score']);
    assert.equal(series.find((m) => m.Expression)?.Expression, 'FILL(score, 0) + FILL(deliver, 0) + FILL(feedback, 0) + FILL(ingress, 0)');
    assert.equal(lockouts[0]!.Properties.Threshold, 20);
    // The ingress's series: its SENDER_LOCKED log lines (ingress/lock-log.ts), counted by a metric filter on the task's log group.
    const filters = Object.values(s.service.findResources('AWS::Logs::MetricFilter')) as { Properties: Record<string, any> }[];
    assert.equal(filters.length, 1);
    assert.equal(filters[0]!.Properties.FilterPattern, '{ $.event = "SENDER_LOCKED" }');
    assert.deepEqual(filters[0]!.Properties.MetricTransformations, [{ MetricNamespace: 'Relayguard', MetricName: 'SenderLocked', MetricValue: '1', Dimensions: [{ Key: 'service', Value: '$.service' }] }]);
    const logGroupId = filters[0]!.Properties.LogGroupName.Ref as string;
    assert.match(logGroupId, /Ingress.*Logs/, 'on the ingress task\'s log group');
    assert.equal(byMetric('RunningTaskCount'), 1);
    assert.equal(byMetric('UnHealthyHostCount'), 1);
    for (const a of alarms.filter((x) => x.Properties.MetricName !== 'ActiveFlowCount')) assert.equal(a.Properties.AlarmActions.length, 1, 'every alarm notifies the topic');
    s.service.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    s.service.resourceCountIs('AWS::SNS::Subscription', 1);
  });

  test('cdk-nag AwsSolutions finds nothing unacknowledged', () => {
    assert.deepEqual(nagFindings(s.app), []);
  });

  test('every acknowledged cdk-nag rule carries a written reason', () => {
    const acks = acknowledgments(s.app);
    assert.ok(acks.length > 10);
    for (const a of acks) assert.ok(a.reason && a.reason.length >= 40, `${a.id} at ${a.path} needs a real reason, got ${JSON.stringify(a.reason)}`);
  });
});
