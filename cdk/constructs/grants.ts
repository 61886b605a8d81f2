// Grants written out action by action, instead of CDK's grant helpers whose
// wildcard actions (s3:GetObject*, s3:Abort*, index/*) cdk-nag rightly flags.
// The one wildcard left is the spool object key (message ids are made at run
// time), acknowledged once here with its reason.
import { Validations } from 'aws-cdk-lib';
import { PolicyStatement, type IGrantable, type IRole } from 'aws-cdk-lib/aws-iam';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { GSI1, GSI2 } from '../../adapters/aws/dynamo/layout.js';

export const SPOOL_PREFIX = 'spool/';

/** How the spool object-key wildcard renders in cdk-nag findings (the bucket ARN is a cross-stack import). */
export const SPOOL_OBJECTS_FINDING = 'AwsSolutions-IAM5[Resource::RelayguardData:ExportsOutputFnGetAttStorageSpool87206769Arn9F72C940/spool/*]';

export type TableIndex = typeof GSI1 | typeof GSI2;

export function grantTable(grantee: IGrantable, table: ITable, actions: string[], indexes: TableIndex[] = []): void {
  grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({
    actions,
    resources: [table.tableArn, ...indexes.map((i) => `${table.tableArn}/index/${i}`)],
  }));
}

export function grantSpool(role: IRole, bucket: IBucket, actions: ('s3:GetObject' | 's3:PutObject' | 's3:DeleteObject' | 's3:AbortMultipartUpload')[]): void {
  role.addToPrincipalPolicy(new PolicyStatement({ actions, resources: [bucket.arnForObjects(`${SPOOL_PREFIX}*`)] }));
  Validations.of(role).acknowledge({
    id: SPOOL_OBJECTS_FINDING,
    reason: 'Spool objects are named by message ids made at run time; access is limited to the spool/ prefix and to the listed object actions.',
  });
}

/** Env var naming the webhook server secret (adapters/aws/webhook-secret.ts reads it, in the functions and the ingress task). */
export const WEBHOOK_SECRET_ENV = 'WEBHOOK_SECRET_ARN';

/** GetSecretValue on the webhook server secret, that one secret and that one action. */
export function grantWebhookSecretRead(grantee: IGrantable, secret: ISecret): void {
  grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secret.secretArn] }));
}

/** Lets a function read the webhook server secret and tells it the ARN. */
export function grantWebhookSecret(fn: LambdaFunction, secret: ISecret): void {
  grantWebhookSecretRead(fn, secret);
  fn.addEnvironment(WEBHOOK_SECRET_ENV, secret.secretArn);
}
