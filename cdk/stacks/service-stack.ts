// The stateless stack: ingress service, pipeline functions, API, console and
// monitoring. It receives the data stack's storage as a prop and can be
// replaced or redeployed freely.
import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { IpAddresses, SubnetType, Vpc, FlowLogDestination, type IVpc } from 'aws-cdk-lib/aws-ec2';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { RelayguardConfig } from '../config.js';
import type { Storage } from '../constructs/storage.js';
import { Ingress } from '../constructs/ingress.js';
import { Pipeline } from '../constructs/pipeline.js';
import { TenantApi } from '../constructs/api.js';
import { ConsoleHosting } from '../constructs/console-hosting.js';
import { Monitoring } from '../constructs/monitoring.js';

export interface ServiceStackProps extends StackProps {
  readonly storage: Storage;
  readonly config: RelayguardConfig;
}

export class RelayguardServiceStack extends Stack {
  readonly vpc: IVpc;
  readonly ingress: Ingress;
  readonly pipeline: Pipeline;
  readonly api: TenantApi;
  readonly console: ConsoleHosting;
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props);
    const { config, storage } = props;
    this.vpc = config.createVpc
      ? new Vpc(this, 'Vpc', {
          ipAddresses: IpAddresses.cidr('10.40.0.0/16'),
          maxAzs: 2,
          // One NAT gateway (and Elastic IP) per AZ: ingress tasks reach AWS APIs, and in
          // direct-MX mode all outbound SMTP leaves from these fixed addresses (publish them in SPF, set rDNS).
          natGateways: 2,
          subnetConfiguration: [
            { name: 'public', subnetType: SubnetType.PUBLIC, cidrMask: 24 },
            { name: 'private', subnetType: SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
          ],
          flowLogs: { all: { destination: FlowLogDestination.toCloudWatchLogs() } },
        })
      : Vpc.fromLookup(this, 'Vpc', { vpcId: config.vpcId! });

    this.ingress = new Ingress(this, 'Ingress', {
      vpc: this.vpc, storage, hostname: config.domainName, retentionDays: config.retentionDays,
      ...(config.tlsSecretArn ? { tlsSecret: Secret.fromSecretCompleteArn(this, 'TlsSecret', config.tlsSecretArn) } : {}),
      implicitTls: config.implicitTls, minTasks: config.minTasks, maxTasks: config.maxTasks,
    });
    this.pipeline = new Pipeline(this, 'Pipeline', {
      storage, deliveryMode: config.deliveryMode, hostname: config.domainName, retentionDays: config.retentionDays,
      ...(config.deliveryMode === 'direct-mx' ? { vpc: this.vpc } : {}),
    });
    this.api = new TenantApi(this, 'Api', {
      storage, retentionDays: config.retentionDays, smtpHost: config.domainName,
      ...(config.operatorTokenSha256 ? { operatorTokenSha256: config.operatorTokenSha256 } : {}),
    });
    this.console = new ConsoleHosting(this, 'Console', { api: this.api.api });
    this.monitoring = new Monitoring(this, 'Monitoring', {
      queues: [
        { name: 'Score', queue: storage.scoreQueue, dlq: storage.scoreDlq, maxAge: Duration.minutes(5) },
        { name: 'Deliver', queue: storage.deliverQueue, dlq: storage.deliverDlq, maxAge: Duration.minutes(30) },
      ],
      functions: [
        { name: 'Score', fn: this.pipeline.score.fn }, { name: 'Deliver', fn: this.pipeline.deliver.fn },
        { name: 'Feedback', fn: this.pipeline.feedback.fn }, { name: 'Api', fn: this.api.handler.fn },
      ],
      ingress: { service: this.ingress.service, targetGroups: this.ingress.targetGroups, minTasks: this.ingress.minTasks },
      ...(config.alarmEmail ? { alarmEmail: config.alarmEmail } : {}),
    });

    new CfnOutput(this, 'SmtpEndpoint', { value: this.ingress.loadBalancer.loadBalancerDnsName, description: 'CNAME your SMTP host name (domainName) to this; clients use port 587' });
    new CfnOutput(this, 'ApiUrl', { value: this.api.api.url, description: 'REST API base (append v1/...)' });
    new CfnOutput(this, 'ConsoleUrl', { value: `https://${this.console.distribution.distributionDomainName}/`, description: 'Web console (upload console/dist to ConsoleBucket first)' });
    new CfnOutput(this, 'ConsoleBucket', { value: this.console.bucket.bucketName });
    new CfnOutput(this, 'TlsSecretArn', { value: this.ingress.tlsSecret.secretArn, description: 'Put {"key","cert"} PEM here' });
    new CfnOutput(this, 'SesConfigurationSet', { value: this.pipeline.configurationSet.configurationSetName });
  }
}
