// The stateful stack: bucket, tables and queues. Retained on delete and
// rarely replaced; the service stack receives its resources as props.
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Storage, type StorageProps } from '../constructs/storage.js';

export interface DataStackProps extends StackProps {
  readonly storage?: StorageProps;
}

export class RelayguardDataStack extends Stack {
  readonly storage: Storage;
  constructor(scope: Construct, id: string, props: DataStackProps = {}) {
    super(scope, id, props);
    this.storage = new Storage(this, 'Storage', props.storage);
    new CfnOutput(this, 'WebhookSecretArn', { value: this.storage.webhookSecret.secretArn, description: 'Server secret the tenants\' webhook signing keys derive from (rotating it changes every key)' });
  }
}
