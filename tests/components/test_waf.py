"""WafRateLimits under Pulumi's mocks, and the web ACL in each stack's preview.

Checklist: rate-limits-auth-write, waf-logging-redacted, stateful-resources-protected.
"""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws
import pytest

from components.waf_rate_limits import WafRateLimits, WafRateLimitsArgs, to_args
from objectos_core import waf_rules
from objectos_core.waf_rules import RateLimit
from testing.mocks import ACCOUNT_ID
from tests.conftest import by_type, one, run_components

ACL = "aws:wafv2/webAcl:WebAcl"
LOGGING = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
KEY = "aws:kms/key:Key"
DELIVERY = "aws:cloudwatch/logResourcePolicy:LogResourcePolicy"
COMPONENT = "objectos:index:WafRateLimits"
TAGS = {"objectos:stack": "test", "managed-by": "pulumi-objectos-kit"}
MANAGED = {"common_rule_set": "count", "known_bad_inputs": "block", "ip_reputation": "off"}
LIMITS = dict(auth=RateLimit(10, 60), write=RateLimit(60, 120), read=RateLimit(600, 300))


def waf_args(**changes) -> WafRateLimitsArgs:
    values = dict(
        acl_name="objectos-test",
        scope="REGIONAL",
        region="eu-west-1",
        account_id=ACCOUNT_ID,
        managed_rule_groups=MANAGED,
        log_retention_days=90,
        tags=TAGS,
        **LIMITS,
    )
    values.update(changes)
    return WafRateLimitsArgs(**values)


@pytest.fixture(scope="module")
def regional():
    return run_components(lambda: WafRateLimits("waf", waf_args()))


@pytest.fixture(scope="module")
def cloudfront():
    def body():
        provider = aws.Provider("us-east-1", region="us-east-1")
        WafRateLimits(
            "waf", waf_args(scope="CLOUDFRONT", region="us-east-1"), pulumi.ResourceOptions(providers=[provider])
        )

    return run_components(body)


def api_json(value):
    """Registered (camelCase) inputs back in the WAFv2 API's shape, numbers as ints."""
    if isinstance(value, dict):
        return {_api_key(k): api_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [api_json(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _api_key(key: str) -> str:
    return "CloudWatchMetricsEnabled" if key == "cloudwatchMetricsEnabled" else key[0].upper() + key[1:]


def deployed_rules(result):
    return api_json(one(result, ACL).inputs["rules"])


# --- the web ACL -----------------------------------------------------------------------


def test_the_deployed_rules_are_the_decided_rules(regional):
    expected = waf_rules.web_acl_rules(LIMITS["auth"], LIMITS["write"], LIMITS["read"], MANAGED)
    assert sorted(deployed_rules(regional), key=lambda r: r["Priority"]) == expected


def test_three_rate_rules_per_client_ip_with_their_limits_and_windows(regional):
    statements = {r["Name"]: r["Statement"] for r in deployed_rules(regional)}
    rates = {name: s["RateBasedStatement"] for name, s in statements.items() if "RateBasedStatement" in s}
    assert {name: (s["Limit"], s["EvaluationWindowSec"], s["AggregateKeyType"]) for name, s in rates.items()} == {
        waf_rules.AUTH_RULE: (10, 60, "IP"),
        waf_rules.WRITE_RULE: (60, 120, "IP"),
        waf_rules.READ_RULE: (600, 300, "IP"),
    }


def test_deployed_scope_downs_put_post_queries_in_the_read_rule(regional):
    rules = deployed_rules(regional)
    for path in ("/api/v1/data/account/query", "/api/v1/analytics/query"):
        assert waf_rules.counted_by(rules, "POST", path) == [waf_rules.READ_RULE]
    sign_in = waf_rules.counted_by(rules, "POST", "/api/v1/auth/sign-in/email")
    assert sign_in == [waf_rules.AUTH_RULE, waf_rules.WRITE_RULE]


def test_blocked_requests_get_429_with_retry_after_equal_to_each_window(regional):
    responses = {r["Name"]: r["Action"]["Block"]["CustomResponse"] for r in deployed_rules(regional) if "Action" in r}
    assert {name: (c["ResponseCode"], c["ResponseHeaders"]) for name, c in responses.items()} == {
        waf_rules.AUTH_RULE: (429, [{"Name": "Retry-After", "Value": "60"}]),
        waf_rules.WRITE_RULE: (429, [{"Name": "Retry-After", "Value": "120"}]),
        waf_rules.READ_RULE: (429, [{"Name": "Retry-After", "Value": "300"}]),
    }


def test_the_429_body_the_rules_name_is_defined_on_the_acl(regional):
    bodies = one(regional, ACL).inputs["customResponseBodies"]
    assert [(b["key"], b["contentType"]) for b in bodies] == [(waf_rules.RATE_LIMITED_BODY_KEY, "APPLICATION_JSON")]


def test_default_action_allows(regional):
    assert one(regional, ACL).inputs["defaultAction"] == {"allow": {}}


def test_metrics_are_on_for_the_acl_and_every_rule(regional):
    acl = one(regional, ACL).inputs
    configs = [acl["visibilityConfig"], *(r["visibilityConfig"] for r in acl["rules"])]
    assert all(c["cloudwatchMetricsEnabled"] and c["sampledRequestsEnabled"] for c in configs)


def test_managed_groups_follow_their_modes(regional):
    managed = {r["Name"]: r["OverrideAction"] for r in deployed_rules(regional) if "OverrideAction" in r}
    assert managed == {
        "AWSManagedRulesCommonRuleSet": {"Count": {}},
        "AWSManagedRulesKnownBadInputsRuleSet": {"None": {}},
    }


def test_the_deployed_common_rule_set_only_counts_oversized_bodies(regional):
    (common,) = [r for r in one(regional, ACL).inputs["rules"] if r["name"] == "AWSManagedRulesCommonRuleSet"]
    overrides = common["statement"]["managedRuleGroupStatement"]["ruleActionOverrides"]
    assert overrides == [{"name": "SizeRestrictions_BODY", "actionToUse": {"count": {}}}]


def test_capacity_output_is_the_rules_wcu(regional):
    assert one(regional, COMPONENT).outputs["capacity"] == 91 + 700 + 200


# --- logging -----------------------------------------------------------------------------


def test_log_group_name_starts_with_aws_waf_logs(regional):
    assert one(regional, LOG_GROUP).inputs["name"] == "aws-waf-logs-objectos-test"


def test_log_group_keeps_logs_for_the_configured_retention(regional):
    assert one(regional, LOG_GROUP).inputs["retentionInDays"] == 90


def test_log_group_is_encrypted_with_the_kit_key(regional):
    assert one(regional, LOG_GROUP).property_dependencies["kmsKeyId"] == [one(regional, KEY).urn]


def test_log_key_rotates_and_lets_cloudwatch_logs_in_the_region_use_it(regional):
    key = one(regional, KEY).inputs
    services = {s["Principal"].get("Service") for s in json.loads(key["policy"])["Statement"]}
    assert key["enableKeyRotation"] is True and "logs.eu-west-1.amazonaws.com" in services


def test_logging_sends_the_acl_logs_to_the_log_group(regional):
    logging = one(regional, LOGGING)
    assert set(logging.property_dependencies["resourceArn"]) == {one(regional, ACL).urn}
    assert set(logging.property_dependencies["logDestinationConfigs"]) == {one(regional, LOG_GROUP).urn}


def test_logging_redacts_the_authorization_and_cookie_headers(regional):
    redacted = one(regional, LOGGING).inputs["redactedFields"]
    assert sorted(f["singleHeader"]["name"] for f in redacted) == ["authorization", "cookie"]


def test_logging_waits_for_the_delivery_policy(regional):
    assert one(regional, DELIVERY).urn in one(regional, LOGGING).dependencies


def test_log_delivery_policy_names_only_this_log_group(regional):
    (statement,) = json.loads(one(regional, DELIVERY).inputs["policyDocument"])["Statement"]
    assert statement["Resource"].endswith(":log-group:aws-waf-logs-objectos-test:log-stream:*")


def test_log_key_and_log_group_are_protected_and_retained(regional):
    assert all(r.protect and r.retain_on_delete for r in (one(regional, KEY), one(regional, LOG_GROUP)))


def test_every_taggable_resource_carries_the_stack_tags(regional):
    for token in (ACL, LOG_GROUP, KEY):
        assert one(regional, token).inputs["tags"] == TAGS, token


# --- scope and region per edge mode ------------------------------------------------------------


def test_alb_mode_acl_is_regional_on_the_default_provider(regional):
    acl = one(regional, ACL)
    assert acl.inputs["scope"] == "REGIONAL" and "::us-east-1::" not in acl.provider


def test_cloudfront_mode_acl_and_its_logging_live_in_us_east_1(cloudfront):
    assert one(cloudfront, ACL).inputs["scope"] == "CLOUDFRONT"
    for token in (ACL, LOG_GROUP, KEY, DELIVERY, LOGGING):
        assert "pulumi:providers:aws::us-east-1::" in one(cloudfront, token).provider, token


def test_cloudfront_mode_key_serves_cloudwatch_logs_in_us_east_1(cloudfront):
    services = {s["Principal"].get("Service") for s in json.loads(one(cloudfront, KEY).inputs["policy"])["Statement"]}
    assert "logs.us-east-1.amazonaws.com" in services


def test_a_cloudfront_acl_outside_us_east_1_is_refused():
    with pytest.raises(ValueError, match="us-east-1"):
        run_components(lambda: WafRateLimits("waf", waf_args(scope="CLOUDFRONT", region="eu-west-1")))


# --- API JSON -> typed Args -----------------------------------------------------------------------


def test_a_misspelled_api_key_raises_instead_of_being_dropped():
    with pytest.raises(TypeError, match="priorty"):
        to_args(aws.wafv2.WebAclRuleArgs, {"Name": "x", "Priorty": 1})


def test_an_object_where_the_sdk_takes_no_args_class_raises_instead_of_passing_a_raw_dict():
    with pytest.raises(TypeError, match="WebAclRuleArgs.name takes an object"):
        to_args(aws.wafv2.WebAclRuleArgs, {"Name": {"Nested": {}}, "Priority": 1})


def test_nested_objects_become_their_typed_args_classes():
    rule = to_args(aws.wafv2.WebAclRuleArgs, waf_rules.rate_rule(waf_rules.AUTH_RULE, RateLimit(10, 60), None))
    assert isinstance(rule.statement.rate_based_statement, aws.wafv2.WebAclRuleStatementRateBasedStatementArgs)
    (retry_after,) = rule.action.block.custom_response.response_headers
    assert isinstance(retry_after, aws.wafv2.WebAclRuleActionBlockCustomResponseResponseHeaderArgs)


# --- the committed stacks -------------------------------------------------------------------------


def acl_of(preview):
    return one(preview.result, ACL)


def acl_arn(preview):
    return one(preview.result, COMPONENT).outputs["web_acl_arn"]


def test_prod_preview_has_the_web_acl_its_logging_and_the_export(previews):
    result = previews("prod").result
    acl = acl_of(previews("prod"))
    assert one(result, LOGGING).property_dependencies["resourceArn"] == [acl.urn]
    assert result.outputs["waf_web_acl_arn"] == acl_arn(previews("prod"))


def test_prod_cloudfront_acl_is_in_us_east_1(previews):
    acl = acl_of(previews("prod"))
    assert acl.inputs["scope"] == "CLOUDFRONT" and "pulumi:providers:aws::us-east-1::" in acl.provider


def test_staging_alb_acl_is_regional(previews):
    assert acl_of(previews("staging")).inputs["scope"] == "REGIONAL"


def test_dev_runs_only_the_rate_rules(previews):
    assert [r["name"] for r in acl_of(previews("dev")).inputs["rules"]] == [
        waf_rules.AUTH_RULE,
        waf_rules.WRITE_RULE,
        waf_rules.READ_RULE,
    ]


def test_cloudfront_distribution_uses_the_web_acl(previews):
    preview = previews("prod")
    distributions = by_type(preview.result, "aws:cloudfront/distribution:Distribution")
    if not distributions:
        pytest.skip("the edge section declares no distribution yet")
    (distribution,) = distributions
    assert distribution.inputs["webAclId"] == acl_arn(preview)
    assert acl_of(preview).urn in distribution.property_dependencies["webAclId"]


def test_alb_ingress_carries_the_web_acl_annotation(previews):
    preview = previews("staging")
    ingresses = by_type(preview.result, "kubernetes:networking.k8s.io/v1:Ingress")
    if not ingresses:
        pytest.skip("the edge section declares no Ingress yet")
    annotations = [i.inputs["metadata"].get("annotations", {}) for i in ingresses]
    assert [a.get("alb.ingress.kubernetes.io/wafv2-acl-arn") for a in annotations] == [acl_arn(preview)] * len(
        ingresses
    )


def test_an_unknown_managed_rule_group_is_refused_by_name():
    with pytest.raises(ValueError, match=r"managed_rule_groups has no group knownBadInputs"):
        waf_args(managed_rule_groups={"knownBadInputs": "block"})
