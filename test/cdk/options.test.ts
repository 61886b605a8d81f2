// Deployment options: direct-MX delivery, a given TLS secret with port 465,
// an alarm e-mail, more tasks; and settings that must be refused at synth.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Match } from 'aws-cdk-lib/assertions';
import { parseConfig } from '../../cdk/config.js';
import { synthRelayguard, type Synthesized } from './synth.js';
import { nagFindings } from './nag.js';

const TLS_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:relayguard/tls-AbCdEf';

describe('Relayguard stacks with direct-MX delivery, a TLS secret and an alarm e-mail', () => {
  let s: Synthesized;
  before(() => {
    s = synthRelayguard({ deliveryMode: 'direct-mx', tlsSecretArn: TLS_ARN, alarmEmail: 'ops@example.com', minTasks: 3, maxTasks: 9, retentionDays: 14 });
  });

  test('the deliver Lambda runs in private subnets with egress limited to SMTP, DNS and HTTPS', () => {
    s.service.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Relayguard deliver',
      VpcConfig: { SubnetIds: Match.anyValue(), SecurityGroupIds: Match.anyValue() },
      Environment: { Variables: Match.objectLike({ DELIVERY_MODE: 'direct-mx', RETENTION_DAYS: '14' }) },
    });
    const sg = Object.values(s.service.findResources('AWS::EC2::SecurityGroup', { Properties: { GroupDescription: Match.stringLikeRegexp('^Direct-MX') } }))[0] as { Properties: { SecurityGroupEgress: { FromPort: number; IpProtocol: string }[] } };
    assert.deepEqual(sg.Properties.SecurityGroupEgress.map((r) => `${r.IpProtocol}/${r.FromPort}`).sort(), ['tcp/25', 'tcp/443', 'tcp/53', 'udp/53']);
    s.service.resourceCountIs('AWS::EC2::NatGateway', 2);
    s.service.resourceCountIs('AWS::EC2::EIP', 2);
  });

  test('score and feedback send abuse reports from the same private subnets and security group as deliver', () => {
    const fns = Object.values(s.service.findResources('AWS::Lambda::Function')) as { Properties: { Description: string; VpcConfig?: { SecurityGroupIds: unknown }; Environment: { Variables: Record<string, unknown> } } }[];
    const byName = (n: string) => fns.find((f) => f.Properties.Description === `Relayguard ${n}`)!.Properties;
    for (const name of ['score', 'feedback']) {
      assert.deepEqual(byName(name).VpcConfig?.SecurityGroupIds, byName('deliver').VpcConfig?.SecurityGroupIds, name);
      assert.equal(byName(name).Environment.Variables.DELIVERY_MODE, 'direct-mx', name);
      assert.ok(byName(name).Environment.Variables.WEBHOOK_SECRET_ARN, `${name} reads the webhook secret`);
    }
    assert.equal(byName('api').VpcConfig, undefined, 'the API function sends no mail and stays out of the VPC');
  });

  test('no SES send permission exists when delivery is direct to MX', () => {
    const policies = JSON.stringify(s.service.findResources('AWS::IAM::Policy'));
    assert.ok(!policies.includes('ses:SendRawEmail'));
  });

  test('the given TLS secret is used and port 465 is published', () => {
    s.service.resourceCountIs('AWS::SecretsManager::Secret', 0);
    s.service.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 465, Protocol: 'TCP' });
    s.service.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({
        Secrets: Match.arrayWith([Match.objectLike({ Name: 'TLS_KEY', ValueFrom: Match.stringLikeRegexp(`^${TLS_ARN}:key::`) })]),
        Environment: Match.arrayWith([{ Name: 'SMTPS_PORT', Value: '2465' }]),
      })],
    });
  });

  test('task counts and the alarm e-mail follow the settings', () => {
    s.service.hasResourceProperties('AWS::ECS::Service', { DesiredCount: 3 });
    s.service.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 3, MaxCapacity: 9 });
    s.service.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
  });

  test('cdk-nag AwsSolutions finds nothing unacknowledged in this variant either', () => {
    assert.deepEqual(nagFindings(s.app), []);
  });
});

describe('Relayguard stacks in an existing VPC', () => {
  test('no VPC is created and the ingress and functions go into the looked-up one', () => {
    // Without cached context CDK's lookup yields its placeholder VPC; on deploy the real one is read.
    const s = synthRelayguard({ createVpc: 'false', vpcId: 'vpc-0abc1234' }, '123456789012');
    s.service.resourceCountIs('AWS::EC2::VPC', 0);
    s.service.resourceCountIs('AWS::EC2::NatGateway', 0);
    s.service.hasResourceProperties('AWS::ECS::Service', { NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'DISABLED', Subnets: Match.anyValue() }) } });
    s.service.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internet-facing', Type: 'network' });
  });
});

describe('deployment settings', () => {
  test('defaults give SES delivery, a new VPC and 30-day retention', () => {
    const c = parseConfig({});
    assert.equal(c.deliveryMode, 'ses');
    assert.equal(c.createVpc, true);
    assert.equal(c.retentionDays, 30);
    assert.equal(c.implicitTls, false);
  });

  test('an unknown delivery mode is refused with the allowed values', () => {
    assert.throws(() => parseConfig({ deliveryMode: 'smtp' }), /deliveryMode must be "ses" or "direct-mx", got "smtp"/);
  });

  test('using an existing VPC without naming it is refused', () => {
    assert.throws(() => parseConfig({ createVpc: 'false' }), /needs vpcId/);
  });

  test('an operator token hash must be a sha256 hex digest', () => {
    assert.throws(() => parseConfig({ operatorTokenSha256: 'secret' }), /64 hex characters/);
    assert.equal(parseConfig({ operatorTokenSha256: 'A'.repeat(64) }).operatorTokenSha256, 'a'.repeat(64));
  });

  test('fewer than two ingress tasks is refused', () => {
    assert.throws(() => parseConfig({ minTasks: 1 }), /minTasks must be an integer from 2/);
  });
});
