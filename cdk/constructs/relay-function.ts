// One function construct with the project's Lambda defaults baked in
// (Node 22 on ARM64, ESM bundle made locally by esbuild, Powertools env, a
// log group with retention, a role with no managed policies), so the
// pipeline and API constructs declare only what differs.
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Architecture, Runtime, type Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IVpc, SubnetSelection, ISecurityGroup } from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** esbuild options shared by the CDK bundling and `npm run bench:lambda`, so the bench measures what ships. */
export const LAMBDA_BUNDLING = {
  format: OutputFormat.ESM,
  target: 'node22',
  minify: true,
  sourceMap: true,
  mainFields: ['module', 'main'],
  // Some dependencies are CommonJS and call require(); give the ESM bundle one.
  banner: "import { createRequire as __rgCreateRequire } from 'node:module'; const require = __rgCreateRequire(import.meta.url);",
  // Bundle the pinned SDK instead of the runtime's copy: the versions tested here are the ones that run.
  externalModules: [] as string[],
};

export interface RelayFunctionProps {
  /** File under lambdas/, e.g. 'score.ts'. */
  readonly entryFile: string;
  /** Short name used in the function description and the Powertools service name. */
  readonly service: string;
  /** @default 512 */
  readonly memorySize?: number;
  /** @default 30 seconds */
  readonly timeout?: Duration;
  readonly environment?: Record<string, string>;
  /** @default one month */
  readonly logRetention?: RetentionDays;
  readonly vpc?: IVpc;
  readonly vpcSubnets?: SubnetSelection;
  readonly securityGroups?: ISecurityGroup[];
  /** @default - no reservation */
  readonly reservedConcurrentExecutions?: number;
}

export class RelayFunction extends Construct {
  readonly fn: LambdaFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: RelayFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // A role without AWSLambdaBasicExecutionRole: it may write only to its own log group.
    this.role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    this.logGroup.grantWrite(this.role);
    this.fn = new NodejsFunction(this, 'Fn', {
      entry: join(REPO_ROOT, 'lambdas', props.entryFile),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(30),
      description: `Relayguard ${props.service}`,
      role: this.role,
      logGroup: this.logGroup,
      bundling: { ...LAMBDA_BUNDLING },
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: `relayguard-${props.service}`,
        POWERTOOLS_METRICS_NAMESPACE: 'Relayguard',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        ...props.environment,
      },
      ...(props.vpc ? { vpc: props.vpc, vpcSubnets: props.vpcSubnets, securityGroups: props.securityGroups } : {}),
      ...(props.reservedConcurrentExecutions ? { reservedConcurrentExecutions: props.reservedConcurrentExecutions } : {}),
    });
  }
}
