"""WAF policies: rate limits per bucket and redacted logging, each with passing and failing stacks."""

from __future__ import annotations

import copy
import json
from typing import Any

from policy.policies.waf import rate_limits_auth_write, waf_logging_redacted
from tests.policykit import Stack, violating_urns, violations

ACL = "aws:wafv2/webAcl:WebAcl"
LOGGING = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
INGRESS = "kubernetes:networking.k8s.io/v1:Ingress"
WRITES = "^(?:POST|PUT|PATCH|DELETE)$"
QUERY_READS = "^/api/v1/(?:data/[^/]+|analytics)/query$"


def regex(pattern: str, field: str, *transformations: str) -> dict:
    return {
        "regexMatchStatement": {
            "regexString": pattern,
            "fieldToMatch": {field: {}},
            "textTransformations": [{"type": t, "priority": i} for i, t in enumerate(transformations or ("NONE",))],
        }
    }


def rate_rule(name: str, limit: int, scope: dict | None, window: int = 60, action: str = "block") -> dict:
    statement: dict[str, Any] = {"limit": limit, "aggregateKeyType": "IP", "evaluationWindowSec": window}
    if scope is not None:
        statement["scopeDownStatement"] = scope
    return {"name": name, "priority": 1, "action": {action: {}}, "statement": {"rateBasedStatement": statement}}


def acl_rules(auth: int = 10, write: int = 60, read: int = 600) -> list[dict]:
    return [
        rate_rule("auth", auth, regex("^/api/v1/auth/", "uriPath", "URL_DECODE", "NORMALIZE_PATH")),
        rate_rule(
            "write",
            write,
            {
                "andStatement": {
                    "statements": [
                        regex(WRITES, "method"),
                        {"notStatement": {"statement": regex(QUERY_READS, "uriPath")}},
                    ]
                }
            },
        ),
        rate_rule(
            "read",
            read,
            {
                "orStatement": {
                    "statements": [
                        {"notStatement": {"statement": regex(WRITES, "method")}},
                        regex(QUERY_READS, "uriPath"),
                    ]
                }
            },
        ),
    ]


def protected_edge(acl_props: dict, associated: bool = True) -> Stack:
    stack = Stack()
    acl = stack.add(ACL, "acl", acl_props)
    stack.add(
        DISTRIBUTION,
        "cdn",
        {"webAclId": "arn:acl"} if associated else {},
        props_from={"webAclId": [acl]} if associated else {},
    )
    return stack


def acl(rules: list[dict], scope: str = "CLOUDFRONT") -> dict:
    return {"scope": scope, "defaultAction": {"allow": {}}, "rules": rules}


# --- rate-limits-auth-write -------------------------------------------------------------------


def test_rate_limits_pass_the_checklist_buckets():
    assert violations(rate_limits_auth_write, protected_edge(acl(acl_rules())).args()) == []


def test_rate_limits_fail_without_an_auth_rule():
    rules = [r for r in acl_rules() if r["name"] != "auth"]
    found = violations(rate_limits_auth_write, protected_edge(acl(rules)).args())
    assert len(found) == 1 and "/api/v1/auth/" in found[0] and "auth bucket allows at most 10/min" in found[0]


def test_rate_limits_fail_auth_requests_no_rule_counts():
    rules = [rate_rule("writes-only", 60, regex(WRITES, "method"))]
    found = violations(rate_limits_auth_write, protected_edge(acl(rules)).args())
    assert any("no blocking per-IP rate rule for all other requests" in v for v in found)


def test_rate_limits_fail_an_auth_limit_above_ten_a_minute():
    found = violations(rate_limits_auth_write, protected_edge(acl(acl_rules(auth=20))).args())
    assert len(found) == 1 and "auth bucket allows at most 10/min" in found[0]


def test_rate_limits_compare_per_minute_across_windows():
    rules = acl_rules()
    rules[1]["statement"]["rateBasedStatement"].update(limit=600, evaluationWindowSec=300)  # 120/min
    found = violations(rate_limits_auth_write, protected_edge(acl(rules)).args())
    assert len(found) == 1 and "120/min" in found[0]


def test_rate_limits_fail_a_rule_that_only_counts():
    rules = acl_rules()
    rules[1]["action"] = {"count": {}}
    found = violations(rate_limits_auth_write, protected_edge(acl(rules)).args())
    assert any("counts it but does not block" in v for v in found)


def test_rate_limits_accept_a_stricter_catch_all_rule():
    rules = [rate_rule("everything", 10, None)]
    assert violations(rate_limits_auth_write, protected_edge(acl(rules)).args()) == []


def test_rate_limits_read_rules_written_as_rule_json():
    def pascal(value: Any) -> Any:
        if isinstance(value, dict):
            return {k[:1].upper() + k[1:]: pascal(v) for k, v in value.items()}
        if isinstance(value, list):
            return [pascal(v) for v in value]
        return value

    props = {"scope": "CLOUDFRONT", "ruleJson": json.dumps(pascal(acl_rules(write=100)))}
    found = violations(rate_limits_auth_write, protected_edge(props).args())
    assert len(found) == 1 and "write bucket" in found[0]


def test_rate_limits_accept_byte_match_scope_downs():
    rules = copy.deepcopy(acl_rules())
    rules[0]["statement"]["rateBasedStatement"]["scopeDownStatement"] = {
        "byteMatchStatement": {
            "searchString": "/api/v1/auth/",
            "positionalConstraint": "STARTS_WITH",
            "fieldToMatch": {"uriPath": {}},
            "textTransformations": [{"type": "NONE", "priority": 0}],
        }
    }
    assert violations(rate_limits_auth_write, protected_edge(acl(rules)).args()) == []


def test_rate_limits_fail_an_acl_not_associated_with_the_edge():
    stack = protected_edge(acl(acl_rules()), associated=False)
    urns = violating_urns(rate_limits_auth_write, stack.args())
    assert urns == [next(r.urn for r in stack.resources if r.resource_type == DISTRIBUTION)]


def test_rate_limits_fail_a_regional_acl_on_cloudfront():
    found = violations(rate_limits_auth_write, protected_edge(acl(acl_rules(), scope="REGIONAL")).args())
    assert any("scope is not CLOUDFRONT" in v for v in found)


def test_rate_limits_fail_an_alb_without_the_acl_annotation():
    stack = Stack()
    stack.add(ACL, "acl", acl(acl_rules(), scope="REGIONAL"))
    stack.add(
        INGRESS,
        "ingress",
        {
            "metadata": {"annotations": {"alb.ingress.kubernetes.io/scheme": "internet-facing"}},
            "spec": {"ingressClassName": "alb"},
        },
    )
    assert any("wafv2-acl-arn" in v for v in violations(rate_limits_auth_write, stack.args()))


def test_rate_limits_fail_a_stack_without_a_web_acl():
    stack = Stack()
    stack.add(DISTRIBUTION, "cdn", {})
    assert any("no WAF web ACL" in v for v in violations(rate_limits_auth_write, stack.args()))


def test_rate_limits_follow_the_configured_maxima():
    config = {"authMaxRequestsPerMinute": 5}
    assert violations(rate_limits_auth_write, protected_edge(acl(acl_rules())).args(config))


# --- waf-logging-redacted ---------------------------------------------------------------------------


def logged_acl(redacted: list[str], group_name: str = "aws-waf-logs-objectos-prod", with_logging: bool = True) -> Stack:
    stack = Stack()
    web_acl = stack.add(ACL, "acl", acl(acl_rules()))
    group = stack.add(LOG_GROUP, "waf-logs", {"name": group_name, "retentionInDays": 365})
    if with_logging:
        stack.add(
            LOGGING,
            "waf-logging",
            {
                "logDestinationConfigs": ["arn:aws:logs:us-east-1:123456789012:log-group:" + group_name],
                "redactedFields": [{"singleHeader": {"name": h}} for h in redacted],
            },
            props_from={"resourceArn": [web_acl], "logDestinationConfigs": [group]},
        )
    return stack


def test_waf_logging_passes_redacted_logs_to_a_waf_log_group():
    assert violations(waf_logging_redacted, logged_acl(["authorization", "cookie"]).args()) == []


def test_waf_logging_fails_logs_that_keep_the_cookie_header():
    found = violations(waf_logging_redacted, logged_acl(["authorization"]).args())
    assert len(found) == 1 and "cookie" in found[0]


def test_waf_logging_fails_a_destination_not_named_for_waf():
    found = violations(waf_logging_redacted, logged_acl(["authorization", "cookie"], group_name="objectos-waf").args())
    assert any("aws-waf-logs-" in v for v in found)


def test_waf_logging_fails_an_acl_without_logging():
    assert any("no logging" in v for v in violations(waf_logging_redacted, logged_acl([], with_logging=False).args()))
