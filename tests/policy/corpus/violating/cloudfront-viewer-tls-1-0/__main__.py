"""A CloudFront distribution that still accepts TLS 1.0 from viewers."""

import pulumi_aws as aws

aws.cloudfront.Distribution(
    "shop",
    enabled=True,
    aliases=["shop.example.com"],
    origins=[
        aws.cloudfront.DistributionOriginArgs(
            origin_id="app",
            domain_name="origin.example.com",
            custom_origin_config=aws.cloudfront.DistributionOriginCustomOriginConfigArgs(
                http_port=80, https_port=443, origin_protocol_policy="https-only", origin_ssl_protocols=["TLSv1.2"]
            ),
        )
    ],
    default_cache_behavior=aws.cloudfront.DistributionDefaultCacheBehaviorArgs(
        target_origin_id="app",
        viewer_protocol_policy="redirect-to-https",
        allowed_methods=["GET", "HEAD"],
        cached_methods=["GET", "HEAD"],
        cache_policy_id="658327ea-f89d-4fab-a63d-7e88639e58f6",
    ),
    logging_config=aws.cloudfront.DistributionLoggingConfigArgs(bucket="acme-logs.s3.amazonaws.com", prefix="shop/"),
    restrictions=aws.cloudfront.DistributionRestrictionsArgs(
        geo_restriction=aws.cloudfront.DistributionRestrictionsGeoRestrictionArgs(restriction_type="none")
    ),
    viewer_certificate=aws.cloudfront.DistributionViewerCertificateArgs(
        acm_certificate_arn="arn:aws:acm:us-east-1:123456789012:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0",
        ssl_support_method="sni-only",
        minimum_protocol_version="TLSv1_2016",
    ),
)
