// One Powertools logger and metrics instance per function (service name and
// namespace come from POWERTOOLS_* environment variables the CDK app sets).
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

export const logger = new Logger();
export const metrics = new Metrics({ defaultDimensions: {} });
