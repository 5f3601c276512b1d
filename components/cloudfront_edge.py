"""CloudfrontEdge: a CloudFront distribution in front of the ALB.

Viewers are redirected to HTTPS (TLS 1.2 minimum), CloudFront reaches the ALB
over HTTPS only at `origin_domain`, nothing is cached (the API is dynamic), and
every response carries the HeaderPolicy's response headers policy; access logs
go to a log bucket when one is given. The ALB
admits only CloudFront's origin-facing servers and forwards only requests
carrying the secret origin header this distribution adds (see TlsIngress), so
neither clients nor other distributions bypass the edge, its headers or its WAF.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Optional

import pulumi
import pulumi_aws as aws

from .inputs import args_of, fill_defaults, filled

cf = aws.cloudfront

# AWS-managed policies (fixed ids, the same in every account).
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST_HEADER = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
# The zone every CloudFront alias target lives in.
CLOUDFRONT_ZONE_ID = "Z2FDTNDATAQYW2"
MINIMUM_VIEWER_TLS = "TLSv1.2_2021"
ORIGIN_ID = "alb"
ALL_METHODS = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]
PRICE_CLASSES = ("PriceClass_100", "PriceClass_200", "PriceClass_All")
ACCESS_LOG_PREFIX = "cloudfront/"  # AccessLogBucket's prefix for CloudFront (cookies are never logged)


@dataclass
class CloudfrontEdgeArgs:
    """Inputs of CloudfrontEdge."""

    domain: str
    """Public host name viewers use (the distribution's alias)."""
    origin_domain: str
    """Host name CloudFront uses to reach the ALB; the ALB's certificate must cover it."""
    certificate_arn: pulumi.Input[str]
    """ACM certificate for `domain` in us-east-1; pass the validated ARN."""
    response_headers_policy_id: pulumi.Input[str]
    """HeaderPolicy.response_headers_policy_id."""
    hosted_zone_id: Optional[str] = None
    """Route 53 zone in which to point `domain` at the distribution; None leaves DNS to the operator."""
    web_acl_arn: Optional[pulumi.Input[str]] = None
    """WAFv2 web ACL with scope CLOUDFRONT (in us-east-1)."""
    origin_header_name: Optional[str] = None
    """Header CloudFront adds to every origin request (TlsIngress.origin_header_name)."""
    origin_header_value: Optional[pulumi.Input[str]] = None
    """Its secret value (TlsIngress.origin_header_value); kept a Pulumi secret."""
    access_logs_bucket_domain: Optional[pulumi.Input[str]] = None
    """`<bucket>.s3.amazonaws.com` of the bucket receiving standard access logs (AccessLogBucket.domain_name)."""
    price_class: Optional[str] = "PriceClass_100"
    """Edge locations used: PriceClass_100 (North America, Europe) is the cheapest."""
    tags: Optional[Mapping[str, str]] = field(default_factory=dict)
    """Tags on the distribution."""

    def __post_init__(self) -> None:
        fill_defaults(self)
        if self.price_class not in PRICE_CLASSES:
            raise ValueError(f"CloudfrontEdgeArgs.price_class must be one of {', '.join(PRICE_CLASSES)}")
        if self.origin_domain == self.domain:
            raise ValueError("CloudfrontEdgeArgs.origin_domain must differ from domain, which points at CloudFront")
        if (self.origin_header_name is None) != (self.origin_header_value is None):
            raise ValueError("CloudfrontEdgeArgs.origin_header_name and origin_header_value go together")


class CloudfrontEdge(pulumi.ComponentResource):
    """The CloudFront distribution and the public alias records (create it after the TlsIngress for its origin)."""

    domain_name: pulumi.Output[str]
    """The distribution's own host name (dxxxx.cloudfront.net)."""
    distribution_id: pulumi.Output[str]
    """The distribution's id (for invalidations and the verifier)."""

    def __init__(self, name: str, args: CloudfrontEdgeArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("objectos:index:CloudfrontEdge", name, None, opts)
        args = args_of(CloudfrontEdgeArgs, args)
        child = pulumi.ResourceOptions(parent=self)
        origin_headers = (
            [cf.DistributionOriginCustomHeaderArgs(
                name=args.origin_header_name, value=pulumi.Output.secret(args.origin_header_value)
            )]
            if args.origin_header_name
            else None
        )  # fmt: skip

        distribution = cf.Distribution(
            f"{name}-distribution",
            cf.DistributionArgs(
                enabled=True,
                comment=f"ObjectOS {args.domain}",
                aliases=[args.domain],
                http_version="http2and3",
                is_ipv6_enabled=True,
                price_class=args.price_class,
                web_acl_id=args.web_acl_arn,
                origins=[
                    cf.DistributionOriginArgs(
                        origin_id=ORIGIN_ID,
                        domain_name=args.origin_domain,
                        custom_headers=origin_headers,
                        custom_origin_config=cf.DistributionOriginCustomOriginConfigArgs(
                            http_port=80,
                            https_port=443,
                            origin_protocol_policy="https-only",
                            origin_ssl_protocols=["TLSv1.2"],
                            origin_read_timeout=60,
                            origin_keepalive_timeout=5,
                        ),
                    )
                ],
                default_cache_behavior=cf.DistributionDefaultCacheBehaviorArgs(
                    target_origin_id=ORIGIN_ID,
                    viewer_protocol_policy="redirect-to-https",
                    allowed_methods=ALL_METHODS,
                    cached_methods=["GET", "HEAD"],
                    cache_policy_id=CACHING_DISABLED,
                    origin_request_policy_id=ALL_VIEWER_EXCEPT_HOST_HEADER,
                    response_headers_policy_id=args.response_headers_policy_id,
                    compress=True,
                ),
                viewer_certificate=cf.DistributionViewerCertificateArgs(
                    acm_certificate_arn=args.certificate_arn,
                    ssl_support_method="sni-only",
                    minimum_protocol_version=MINIMUM_VIEWER_TLS,
                ),
                logging_config=(
                    cf.DistributionLoggingConfigArgs(
                        bucket=args.access_logs_bucket_domain, prefix=ACCESS_LOG_PREFIX, include_cookies=False
                    )
                    if args.access_logs_bucket_domain is not None
                    else None
                ),
                restrictions=cf.DistributionRestrictionsArgs(
                    geo_restriction=cf.DistributionRestrictionsGeoRestrictionArgs(restriction_type="none")
                ),
                tags=dict(filled(args.tags)),
            ),
            opts=child,
        )

        if args.hosted_zone_id:
            for record_type in ("A", "AAAA"):
                aws.route53.Record(
                    f"{name}-dns-{record_type.lower()}",
                    aws.route53.RecordArgs(
                        zone_id=args.hosted_zone_id,
                        name=args.domain,
                        type=record_type,
                        aliases=[
                            aws.route53.RecordAliasArgs(
                                name=distribution.domain_name,
                                zone_id=CLOUDFRONT_ZONE_ID,
                                evaluate_target_health=False,
                            )
                        ],
                    ),
                    opts=child,
                )

        self.domain_name = distribution.domain_name
        self.distribution_id = distribution.id
        self.register_outputs({"domain_name": self.domain_name, "distribution_id": self.distribution_id})
