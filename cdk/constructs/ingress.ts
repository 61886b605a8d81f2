// The SMTP ingress on Fargate: the container built from ingress/Dockerfile,
// at least two tasks across two AZs, behind a Network Load Balancer on 587
// (and 465 with a certificate). The NLB preserves client addresses, which
// IP users and per-IP limits depend on. TLS key and certificate come from
// Secrets Manager; the task role may read the webhook server secret (tenant
// webhooks for locks lifted or set at SMTP time); the task scales on CPU and
// on open connections.
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Peer, Port, SecurityGroup, SubnetType, type IVpc } from 'aws-cdk-lib/aws-ec2';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import {
  AwsLogDriver, Cluster, ContainerImage, ContainerInsights, CpuArchitecture, FargateService, FargateTaskDefinition,
  OperatingSystemFamily, Protocol, Secret as EcsSecret,
} from 'aws-cdk-lib/aws-ecs';
import { NetworkLoadBalancer, Protocol as LbProtocol, type NetworkTargetGroup } from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { FilterPattern, LogGroup, MetricFilter, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import { Secret, type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { AdjustmentType } from 'aws-cdk-lib/aws-applicationautoscaling';
import { Construct } from 'constructs';
import type { Storage } from './storage.js';
import { LOCKOUT_METRIC } from './monitoring.js';
import { LOCK_LINE } from '../../ingress/lock-log.js';
import { REPO_ROOT } from './relay-function.js';
import { grantSpool, grantTable, grantWebhookSecretRead, WEBHOOK_SECRET_ENV } from './grants.js';

/** Ports inside the container: the task runs as a non-root user, so it cannot bind below 1024. */
export const CONTAINER_SUBMISSION_PORT = 2587;
export const CONTAINER_SMTPS_PORT = 2465;

/** Never sent to Docker: keeps the asset hash (and synth) fast and secrets out of the image. */
const DOCKER_EXCLUDE = ['node_modules', 'cdk.out', '.git', 'data', '.tmp', 'console/dist', 'dist', '*.log', 'test', 'bench', 'docs', 'models/*.tmp'];

export interface IngressProps {
  readonly vpc: IVpc;
  readonly storage: Storage;
  readonly hostname: string;
  readonly retentionDays: number;
  /** Secret with JSON keys `key` and `cert` (PEM). @default - a placeholder secret the operator fills in */
  readonly tlsSecret?: ISecret;
  /** Also listen on 465 with implicit TLS. @default false */
  readonly implicitTls?: boolean;
  /** @default 2 */
  readonly minTasks?: number;
  /** @default 6 */
  readonly maxTasks?: number;
  /** Open connections (NLB active flows) above which a task is added. @default 1500 */
  readonly scaleOutConnections?: number;
}

export class Ingress extends Construct {
  readonly service: FargateService;
  readonly loadBalancer: NetworkLoadBalancer;
  readonly targetGroups: NetworkTargetGroup[] = [];
  readonly tlsSecret: ISecret;
  readonly minTasks: number;

  constructor(scope: Construct, id: string, props: IngressProps) {
    super(scope, id);
    this.minTasks = props.minTasks ?? 2;
    const maxTasks = props.maxTasks ?? 6;
    if (this.minTasks < 2) throw new Error(`minTasks must be at least 2 (one per AZ), got ${this.minTasks}`);
    if (maxTasks < this.minTasks) throw new Error(`maxTasks (${maxTasks}) must be at least minTasks (${this.minTasks})`);

    if (props.tlsSecret) {
      this.tlsSecret = props.tlsSecret;
    } else {
      const placeholder = new Secret(this, 'TlsSecret', {
        description: 'Relayguard ingress TLS: JSON {"key": "<PEM>", "cert": "<PEM chain>"}; replace the placeholder before traffic arrives',
        generateSecretString: { secretStringTemplate: JSON.stringify({ cert: 'REPLACE-ME' }), generateStringKey: 'key' },
      });
      Validations.of(placeholder).acknowledge({ id: 'AwsSolutions-SMG4', reason: 'A TLS certificate is renewed by re-issuing it (ACME or a CA), not by Secrets Manager rotation; docs/aws.md shows the put-secret-value step.' });
      this.tlsSecret = placeholder;
    }

    const cluster = new Cluster(this, 'Cluster', { vpc: props.vpc, containerInsightsV2: ContainerInsights.ENABLED });
    const task = new FargateTaskDefinition(this, 'Task', {
      cpu: 512, memoryLimitMiB: 1024,
      runtimePlatform: { cpuArchitecture: CpuArchitecture.ARM64, operatingSystemFamily: OperatingSystemFamily.LINUX },
    });
    const logGroup = new LogGroup(this, 'Logs', { retention: RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    // Locks the ingress sets (login evidence at AUTH) are SENDER_LOCKED lines (ingress/lock-log.ts): counted into the same
    // SenderLocked metric as the Lambdas', with the service as its dimension, for the lockouts-per-hour alarm.
    new MetricFilter(this, 'LockCount', {
      logGroup, filterPattern: FilterPattern.stringValue('$.event', '=', LOCK_LINE.event),
      metricNamespace: LOCKOUT_METRIC.namespace, metricName: LOCKOUT_METRIC.metricName, metricValue: '1', dimensions: { service: '$.service' },
    });
    const container = task.addContainer('smtp', {
      image: ContainerImage.fromAsset(REPO_ROOT, { file: 'ingress/Dockerfile', exclude: DOCKER_EXCLUDE, platform: Platform.LINUX_ARM64 }),
      logging: new AwsLogDriver({ streamPrefix: 'ingress', logGroup }),
      environment: {
        ...props.storage.environment(props.retentionDays),
        RELAY_HOSTNAME: props.hostname,
        SMTP_PORT: String(CONTAINER_SUBMISSION_PORT),
        // The ARN only: the task reads the value itself on its first webhook (ingress/aws-main.ts).
        [WEBHOOK_SECRET_ENV]: props.storage.webhookSecret.secretArn,
        ...(props.implicitTls ? { SMTPS_PORT: String(CONTAINER_SMTPS_PORT) } : {}),
      },
      secrets: {
        TLS_KEY: EcsSecret.fromSecretsManager(this.tlsSecret, 'key'),
        TLS_CERT: EcsSecret.fromSecretsManager(this.tlsSecret, 'cert'),
      },
      portMappings: [
        { containerPort: CONTAINER_SUBMISSION_PORT, protocol: Protocol.TCP },
        ...(props.implicitTls ? [{ containerPort: CONTAINER_SMTPS_PORT, protocol: Protocol.TCP }] : []),
      ],
      healthCheck: {
        // A TCP connect to the submission port from inside the task: the SMTP listener is up.
        command: ['CMD', 'node', '-e', `require('net').connect(${CONTAINER_SUBMISSION_PORT},'127.0.0.1').on('connect',()=>process.exit(0)).on('error',()=>process.exit(1))`],
        interval: Duration.seconds(15), timeout: Duration.seconds(5), retries: 3, startPeriod: Duration.seconds(20),
      },
      readonlyRootFilesystem: true,
      stopTimeout: Duration.seconds(60),
    });
    Validations.of(task.obtainExecutionRole()).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: 'ecr:GetAuthorizationToken, which the execution role needs to pull the image, has no resource-level permissions.' });
    Validations.of(task).acknowledge({ id: 'AwsSolutions-ECS2', reason: 'The environment holds only resource names, ports and the webhook secret ARN, no secret values; the TLS key comes from Secrets Manager and the webhook secret is read by the task role at run time.' });

    // Least privilege: write spool objects, read tenants/users/senders, record accepted mail, enqueue scoring,
    // read the webhook server secret (sign the sender.unlocked of a lock lifted at MAIL FROM).
    grantSpool(task.taskRole, props.storage.spoolBucket, ['s3:PutObject', 's3:AbortMultipartUpload']);
    grantWebhookSecretRead(task.taskRole, props.storage.webhookSecret);
    grantTable(task.taskRole, props.storage.table, ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'], ['gsi1']);
    props.storage.scoreQueue.grantSendMessages(task.taskRole);

    const tasksSg = new SecurityGroup(this, 'TasksSg', { vpc: props.vpc, description: 'Relayguard SMTP ingress tasks' });
    const ports = [CONTAINER_SUBMISSION_PORT, ...(props.implicitTls ? [CONTAINER_SMTPS_PORT] : [])];
    for (const p of ports) tasksSg.addIngressRule(Peer.anyIpv4(), Port.tcp(p), 'SMTP clients through the NLB (client IP preserved)');
    Validations.of(tasksSg).acknowledge({ id: 'AwsSolutions-EC23', reason: 'An SMTP submission service takes connections from any address; the NLB preserves client IPs, so the tasks see them as sources. Authentication and per-IP limits apply in the ingress.' });

    this.service = new FargateService(this, 'Service', {
      cluster, taskDefinition: task, desiredCount: this.minTasks, minHealthyPercent: 100, maxHealthyPercent: 200,
      vpcSubnets: { subnetType: SubnetType.PRIVATE_WITH_EGRESS }, securityGroups: [tasksSg], assignPublicIp: false,
      circuitBreaker: { rollback: true }, healthCheckGracePeriod: Duration.seconds(60),
    });

    const lbLogs = new Bucket(this, 'LbLogs', {
      encryption: BucketEncryption.S3_MANAGED, blockPublicAccess: BlockPublicAccess.BLOCK_ALL, enforceSSL: true,
      lifecycleRules: [{ expiration: Duration.days(90) }], removalPolicy: RemovalPolicy.DESTROY, autoDeleteObjects: false,
    });
    Validations.of(lbLogs).acknowledge({ id: 'AwsSolutions-S1', reason: 'This bucket receives load-balancer access logs; logging it again would only log the log delivery.' });
    this.loadBalancer = new NetworkLoadBalancer(this, 'Nlb', { vpc: props.vpc, internetFacing: true, crossZoneEnabled: true });
    this.loadBalancer.logAccessLogs(lbLogs, 'nlb');

    const listen = (publicPort: number, containerPort: number) => {
      const listener = this.loadBalancer.addListener(`Listener${publicPort}`, { port: publicPort, protocol: LbProtocol.TCP });
      const tg = listener.addTargets(`Tasks${publicPort}`, {
        port: containerPort, protocol: LbProtocol.TCP, preserveClientIp: true,
        // SMTP sessions are long; give them time to finish when a task is drained.
        deregistrationDelay: Duration.seconds(120),
        healthCheck: { protocol: LbProtocol.TCP, interval: Duration.seconds(10), healthyThresholdCount: 2, unhealthyThresholdCount: 2 },
        targets: [this.service.loadBalancerTarget({ containerName: container.containerName, containerPort, protocol: Protocol.TCP })],
      });
      this.targetGroups.push(tg);
    };
    listen(587, CONTAINER_SUBMISSION_PORT);
    if (props.implicitTls) listen(465, CONTAINER_SMTPS_PORT);

    const scaling = this.service.autoScaleTaskCount({ minCapacity: this.minTasks, maxCapacity: maxTasks });
    scaling.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: 60, scaleInCooldown: Duration.minutes(5), scaleOutCooldown: Duration.minutes(1) });
    const perTask = props.scaleOutConnections ?? 1500;
    scaling.scaleOnMetric('Connections', {
      metric: this.loadBalancer.metrics.activeFlowCount({ period: Duration.minutes(1) }),
      adjustmentType: AdjustmentType.CHANGE_IN_CAPACITY,
      scalingSteps: [
        { upper: perTask * this.minTasks * 0.5, change: -1 },
        { lower: perTask * this.minTasks, change: +1 },
        { lower: perTask * this.minTasks * 2, change: +2 },
      ],
      cooldown: Duration.minutes(2),
    });
  }
}
