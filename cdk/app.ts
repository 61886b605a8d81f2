// `npx cdk synth` / `npx cdk deploy`: the data stack (retained state) and the
// service stack (everything stateless), settings from context (cdk/config.ts),
// cdk-nag's AwsSolutions checks on every synth.
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { configFromContext } from './config.js';
import { buildRelayguard } from './relayguard.js';

const app = new App();
const config = configFromContext(app);
// A region is needed at synth (NLB access-log delivery is per region); the account may stay
// unresolved until deploy unless createVpc=false, whose VPC lookup needs both.
const region = process.env.CDK_DEFAULT_REGION || app.node.tryGetContext('region') || 'us-east-1';
const account = process.env.CDK_DEFAULT_ACCOUNT || undefined;
buildRelayguard(app, config, { env: account ? { account, region } : { region } });
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
