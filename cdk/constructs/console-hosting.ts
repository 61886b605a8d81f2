// The web console: static files in a private bucket behind CloudFront (origin
// access control), with /v1/* routed to the API on the same origin so the
// console needs no CORS. Upload `console/dist` after `npm run build:console`
// (docs/aws.md); the stack does not build it, so synth stays offline and fast.
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  AllowedMethods, CachePolicy, Distribution, OriginRequestPolicy, PriceClass, ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { RestApiOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface ConsoleHostingProps {
  readonly api: RestApi;
  /** @default PriceClass.PRICE_CLASS_100 */
  readonly priceClass?: PriceClass;
}

export class ConsoleHosting extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;

  constructor(scope: Construct, id: string, props: ConsoleHostingProps) {
    super(scope, id);
    const logs = new Bucket(this, 'Logs', {
      encryption: BucketEncryption.S3_MANAGED, blockPublicAccess: BlockPublicAccess.BLOCK_ALL, enforceSSL: true,
      objectOwnership: ObjectOwnership.OBJECT_WRITER, lifecycleRules: [{ expiration: Duration.days(90) }], removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(logs).acknowledge({ id: 'AwsSolutions-S1', reason: 'This bucket receives CloudFront and console-bucket access logs; logging it too would loop.' });
    this.bucket = new Bucket(this, 'Site', {
      encryption: BucketEncryption.S3_MANAGED, blockPublicAccess: BlockPublicAccess.BLOCK_ALL, enforceSSL: true,
      serverAccessLogsBucket: logs, serverAccessLogsPrefix: 'site/', removalPolicy: RemovalPolicy.DESTROY,
    });
    this.distribution = new Distribution(this, 'Cdn', {
      defaultRootObject: 'index.html',
      defaultBehavior: { origin: S3BucketOrigin.withOriginAccessControl(this.bucket), viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS },
      additionalBehaviors: {
        '/v1/*': {
          origin: new RestApiOrigin(props.api, { originPath: '/prod' }),
          viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: AllowedMethods.ALLOW_ALL,
          cachePolicy: CachePolicy.CACHING_DISABLED,
          originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        },
      },
      priceClass: props.priceClass ?? PriceClass.PRICE_CLASS_100,
      enableLogging: true, logBucket: logs, logFilePrefix: 'cdn/',
    });
    Validations.of(this.distribution).acknowledge({ id: 'AwsSolutions-CFR4', reason: 'Without a custom domain the distribution uses the default *.cloudfront.net certificate, whose TLS policy CloudFront fixes; a custom domain with an ACM certificate gets TLSv1.2_2021.' });
    Validations.of(this.distribution).acknowledge({ id: 'AwsSolutions-CFR1', reason: 'Tenants can be anywhere; no geographic restriction applies to a mail gateway console.' });
    Validations.of(this.distribution).acknowledge({ id: 'AwsSolutions-CFR2', reason: 'The console is static and the API behind it requires a bearer token and is throttled; attach a WAF web ACL per organisation policy.' });
  }
}
