"""A web ACL whose only rate rule sits in a rule group it references: 500 requests per 5 minutes
per IP, looser than the 10/min an auth endpoint gets. The API fronts ObjectOS that runs elsewhere,
so the pack config (policy-config.json) says this is an ObjectOS stack."""

import pulumi_aws as aws


def visibility(name):
    return {"cloudwatch_metrics_enabled": True, "metric_name": name, "sampled_requests_enabled": True}


group = aws.wafv2.RuleGroup(
    "rate-rules",
    name="rate-rules",
    scope="REGIONAL",
    capacity=10,
    visibility_config=visibility("rate"),
    rules=[
        {
            "name": "per-ip",
            "priority": 1,
            "action": {"block": {}},
            "statement": {
                "rate_based_statement": {"limit": 500, "evaluation_window_sec": 300, "aggregate_key_type": "IP"}
            },
            "visibility_config": visibility("per-ip"),
        }
    ],
)
acl = aws.wafv2.WebAcl(
    "api-acl",
    scope="REGIONAL",
    default_action={"allow": {}},
    visibility_config=visibility("api"),
    rules=[
        {
            "name": "rate-rules",
            "priority": 1,
            "override_action": {"none": {}},
            "statement": {"rule_group_reference_statement": {"arn": group.arn}},
            "visibility_config": visibility("rate-rules"),
        }
    ],
)
logs = aws.cloudwatch.LogGroup("waf-logs", name="aws-waf-logs-api", retention_in_days=90)
aws.wafv2.WebAclLoggingConfiguration(
    "api-acl-logging",
    resource_arn=acl.arn,
    log_destination_configs=[logs.arn],
    redacted_fields=[{"single_header": {"name": "authorization"}}, {"single_header": {"name": "cookie"}}],
)
