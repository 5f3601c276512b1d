"""WAF rate limits and security headers in front of an ALB and a CloudFront distribution that already exist.

The ObjectOS components composed another way than the kit's own program: no
cluster, database or certificates here. A regional web ACL with per-client-IP
rate limits (auth, write, read) is associated with an existing Application
Load Balancer, and the strict security headers and CORS become a CloudFront
response headers policy to attach to the existing distribution's cache
behaviors (its id is exported).
"""

import pulumi
import pulumi_aws as aws
from objectos_components import (
    CorsPolicy,
    EdgeMode,
    HeaderPolicy,
    HeaderPolicyArgs,
    HeaderSet,
    RateLimit,
    WafRateLimits,
    WafRateLimitsArgs,
)

from objectos_core.headers import hsts_value
from objectos_core.names import TAG_STACK

config = pulumi.Config()
region = pulumi.Config("aws").require("region")
alb_arn = config.require("albArn")

# arn:<partition>:elasticloadbalancing:<region>:<account>:loadbalancer/app/<name>/<id>
parts = alb_arn.split(":")
if len(parts) < 6 or parts[2] != "elasticloadbalancing" or "loadbalancer/app/" not in parts[5]:
    raise ValueError(f"albArn '{alb_arn}' is not an Application Load Balancer ARN")
if parts[3] != region:
    raise ValueError(f"albArn is in {parts[3]}, but aws:region is {region}: a regional web ACL is in its ALB's region")
account_id = parts[4]

name = f"objectos-{pulumi.get_stack()}"
tags = {TAG_STACK: pulumi.get_stack(), "managed-by": pulumi.get_project()}

# --- rate limits at the ALB ---------------------------------------------------------
# The runtime's own limiter counts per pod; a web ACL counts per client IP across all of them.
waf = WafRateLimits(
    f"{name}-waf",
    WafRateLimitsArgs(
        acl_name=name,
        scope="REGIONAL",
        region=region,
        account_id=account_id,
        auth=RateLimit(config.require_int("authLimit")),
        write=RateLimit(config.require_int("writeLimit")),
        read=RateLimit(config.require_int("readLimit")),
        managed_rule_groups={"known_bad_inputs": "block", "ip_reputation": "block"},
        tags=tags,
    ),
)
aws.wafv2.WebAclAssociation(
    f"{name}-alb",
    aws.wafv2.WebAclAssociationArgs(resource_arn=alb_arn, web_acl_arn=waf.web_acl_arn),
)

# --- headers at the distribution ------------------------------------------------------
headers = HeaderPolicy(
    f"{name}-headers",
    HeaderPolicyArgs(
        header_set=HeaderSet(
            cors=CorsPolicy(origins=config.require_object("corsOrigins")),
            strict_transport_security=hsts_value(
                config.require_int("hstsMaxAgeSeconds"), include_sub_domains=False, preload=False
            ),
        ),
        mode=EdgeMode.CLOUDFRONT,
        # The distribution already serves this validated certificate, so HSTS is safe to send.
        tls_ready=config.require("certificateArn"),
        policy_name=f"{name}-security-headers",
    ),
)

pulumi.export("webAclArn", waf.web_acl_arn)
pulumi.export("wafLogGroup", waf.log_group_name)
pulumi.export("responseHeadersPolicyId", headers.response_headers_policy_id)
pulumi.export("headers", headers.headers)
