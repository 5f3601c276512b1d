"""A response headers policy asking for HSTS preload without includeSubDomains."""

import pulumi_aws as aws

aws.cloudfront.ResponseHeadersPolicy(
    "strict",
    name="strict",
    security_headers_config=aws.cloudfront.ResponseHeadersPolicySecurityHeadersConfigArgs(
        strict_transport_security=aws.cloudfront.ResponseHeadersPolicySecurityHeadersConfigStrictTransportSecurityArgs(
            access_control_max_age_sec=31536000, include_subdomains=False, preload=True, override=True
        ),
    ),
)
