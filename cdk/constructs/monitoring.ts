// Alarms and one dashboard: queue age, DLQ depth, Lambda errors, lockouts
// per hour and ingress task health. Alarms go to an encrypted SNS topic,
// e-mailed to `alarmEmail` when one is given.
import { Duration, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Dashboard, GraphWidget, MathExpression, Metric, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { FargateService } from 'aws-cdk-lib/aws-ecs';
import type { NetworkTargetGroup } from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';

/** The metric counting each new lock: emitted by the pipeline Lambdas (Powertools), and by the ingress's metric filter. */
export const LOCKOUT_METRIC = { namespace: 'Relayguard', metricName: 'SenderLocked' };
/**
 * What locks senders: the Lambdas' steps (lambdas/shared/runtime.ts
 * pipelineDeps), whose Powertools metrics carry the function's service name
 * as a dimension, and the ingress at AUTH, whose metric filter takes the
 * same dimension from its SENDER_LOCKED line (cdk/constructs/ingress.ts).
 * The lockout alarm adds their series up.
 */
export const LOCKING_SERVICES = ['score', 'deliver', 'feedback', 'ingress'] as const;

export interface MonitoringProps {
  readonly queues: { name: string; queue: IQueue; dlq: IQueue; maxAge: Duration }[];
  readonly functions: { name: string; fn: IFunction }[];
  readonly ingress?: { service: FargateService; targetGroups: NetworkTargetGroup[]; minTasks: number };
  /** @default - no e-mail subscription */
  readonly alarmEmail?: string;
  /** Locks per hour above which someone should look (a campaign of stolen passwords?). @default 20 */
  readonly lockoutsPerHour?: number;
}

export class Monitoring extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const key = new Key(this, 'TopicKey', { enableKeyRotation: true, description: 'Relayguard alarm topic' });
    key.addToResourcePolicy(new PolicyStatement({
      effect: Effect.ALLOW, principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:GenerateDataKey*', 'kms:Decrypt'], resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
    }));
    this.topic = new Topic(this, 'Alarms', { masterKey: key, enforceSSL: true });
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
    const action = new SnsAction(this.topic);
    const alarm = (id: string, metric: IMetric, threshold: number, description: string, missing = TreatMissingData.NOT_BREACHING, op = ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD) => {
      const a = new Alarm(this, id, { metric, threshold, evaluationPeriods: 1, comparisonOperator: op, treatMissingData: missing, alarmDescription: description });
      a.addAlarmAction(action);
      this.alarms.push(a);
      return a;
    };

    const dashboard = (this.dashboard = new Dashboard(this, 'Dashboard', { dashboardName: `Relayguard-${Stack.of(this).stackName}` }));
    for (const q of props.queues) {
      const age = q.queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: 'Maximum' });
      const dlqDepth = q.dlq.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' });
      alarm(`${q.name}QueueAge`, age, q.maxAge.toSeconds(), `${q.name} jobs are waiting longer than ${q.maxAge.toMinutes()} min: workers failing or throttled`);
      alarm(`${q.name}DlqDepth`, dlqDepth, 1, `${q.name} jobs reached the dead-letter queue: inspect and redrive`);
      dashboard.addWidgets(new GraphWidget({ title: `${q.name} queue age (s)`, left: [age] }), new GraphWidget({ title: `${q.name} DLQ depth`, left: [dlqDepth] }));
    }
    const errorWidgets: IMetric[] = [];
    for (const f of props.functions) {
      const errors = f.fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' });
      alarm(`${f.name}Errors`, errors, 5, `The ${f.name} Lambda failed 5 or more times in 5 minutes`);
      errorWidgets.push(errors);
    }
    dashboard.addWidgets(new GraphWidget({ title: 'Lambda errors', left: errorWidgets, width: 12 }));

    const lockedBy = Object.fromEntries(LOCKING_SERVICES.map((s) => [s, new Metric({ ...LOCKOUT_METRIC, dimensionsMap: { service: `relayguard-${s}` }, period: Duration.hours(1), statistic: 'Sum' })]));
    // FILL: an hour in which one function locked nobody has no data point for it, which would blank the sum.
    const lockouts = new MathExpression({ expression: LOCKING_SERVICES.map((s) => `FILL(${s}, 0)`).join(' + '), usingMetrics: lockedBy, period: Duration.hours(1), label: 'Senders locked' });
    alarm('LockoutsPerHour', lockouts, props.lockoutsPerHour ?? 20, 'Unusually many senders locked in one hour: a credential-stuffing or spam wave');
    dashboard.addWidgets(new GraphWidget({ title: 'Sender lockouts per hour', left: [lockouts], width: 12 }));

    if (props.ingress) {
      const running = new Metric({
        namespace: 'ECS/ContainerInsights', metricName: 'RunningTaskCount', period: Duration.minutes(1), statistic: 'Minimum',
        dimensionsMap: { ClusterName: props.ingress.service.cluster.clusterName, ServiceName: props.ingress.service.serviceName },
      });
      alarm('IngressTasksRunning', running, props.ingress.minTasks, `Fewer than ${props.ingress.minTasks} ingress tasks are running`, TreatMissingData.BREACHING, ComparisonOperator.LESS_THAN_THRESHOLD);
      const health: IMetric[] = [running];
      props.ingress.targetGroups.forEach((tg, i) => {
        const unhealthy = tg.metrics.unHealthyHostCount({ period: Duration.minutes(1), statistic: 'Maximum' });
        alarm(`IngressUnhealthy${i}`, unhealthy, 1, 'An ingress task fails its NLB health check');
        health.push(unhealthy);
      });
      dashboard.addWidgets(new GraphWidget({ title: 'Ingress tasks: running / unhealthy', left: health, width: 12 }));
    }
  }
}
