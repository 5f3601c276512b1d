"""A regional web ACL with a per-IP rate rule, logging to an aws-waf-logs- group with credentials redacted."""

import pulumi
import pulumi_aws as aws


def visibility(name):
    return {"cloudwatch_metrics_enabled": True, "metric_name": name, "sampled_requests_enabled": True}


acl = aws.wafv2.WebAcl(
    "api-acl",
    scope="REGIONAL",
    default_action={"allow": {}},
    visibility_config=visibility("api"),
    rules=[
        {
            "name": "per-ip",
            "priority": 1,
            "action": {"block": {}},
            "statement": {
                "rate_based_statement": {"limit": 100, "evaluation_window_sec": 60, "aggregate_key_type": "IP"}
            },
            "visibility_config": visibility("per-ip"),
        }
    ],
)
logs = aws.cloudwatch.LogGroup(
    "waf-logs", name="aws-waf-logs-api", retention_in_days=90, opts=pulumi.ResourceOptions(protect=True)
)
aws.wafv2.WebAclLoggingConfiguration(
    "api-acl-logging",
    resource_arn=acl.arn,
    log_destination_configs=[logs.arn],
    redacted_fields=[{"single_header": {"name": "authorization"}}, {"single_header": {"name": "cookie"}}],
)
