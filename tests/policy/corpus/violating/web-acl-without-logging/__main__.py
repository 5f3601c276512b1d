"""A web ACL with a rate rule and no logging configuration."""

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
