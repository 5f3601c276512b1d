"""The WAF rules as decided (pure, no mocks): rate-limits-auth-write and waf-logging-redacted."""

from __future__ import annotations

import json
import re

import pytest

from objectos_core import waf_rules
from objectos_core.waf_rules import AUTH_RULE, READ_RULE, WRITE_RULE, RateLimit, counted_by
from settings.errors import SettingsError
from tests.conftest import stack_settings

AUTH, WRITE, READ = RateLimit(10, 60), RateLimit(60, 60), RateLimit(600, 60)
ALL_BLOCK = {"common_rule_set": "block", "known_bad_inputs": "block", "ip_reputation": "block"}


def rules(managed=None, auth=AUTH, write=WRITE, read=READ):
    return waf_rules.web_acl_rules(auth, write, read, managed or {})


def by_name(rule_list):
    return {rule["Name"]: rule for rule in rule_list}


def rate(rule):
    return rule["Statement"]["RateBasedStatement"]


# --- the three rate rules ------------------------------------------------------------


def test_rate_rules_come_first_in_order_auth_write_read():
    ordered = sorted(rules(ALL_BLOCK), key=lambda r: r["Priority"])
    assert [r["Name"] for r in ordered[:3]] == [AUTH_RULE, WRITE_RULE, READ_RULE]


def test_priorities_are_unique():
    priorities = [r["Priority"] for r in rules(ALL_BLOCK)]
    assert len(set(priorities)) == len(priorities)


def test_every_rate_rule_counts_per_client_ip():
    assert {rate(r)["AggregateKeyType"] for r in rules()} == {"IP"}


def test_limits_and_windows_come_from_each_bucket():
    named = by_name(rules(auth=RateLimit(11, 120), write=RateLimit(61, 300), read=RateLimit(601, 600)))
    order = (AUTH_RULE, WRITE_RULE, READ_RULE)
    buckets = [(rate(named[n])["Limit"], rate(named[n])["EvaluationWindowSec"]) for n in order]
    assert buckets == [(11, 120), (61, 300), (601, 600)]


# --- which requests each rule counts ---------------------------------------------------


@pytest.mark.parametrize(
    "method, path",
    [
        ("POST", "/api/v1/auth/sign-in/email"),
        ("GET", "/api/v1/auth/get-session"),
        ("POST", "/api/v1/auth/sso/callback/okta"),
    ],
)
def test_auth_rule_counts_the_auth_routes(method, path):
    assert AUTH_RULE in counted_by(rules(), method, path)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/%61uth/sign-in/email",  # percent-encoded: the runtime decodes before routing
        "/api/v1/data/../auth/sign-in/email",  # dot segments: resolved before routing
        "/api//v1/auth/sign-in/email",
        "/../api/v1/auth/sign-in/email",
        "/API/V1/AUTH/sign-in/email",
    ],
)
def test_auth_rule_is_not_bypassed_by_encoding_dot_segments_or_case(path):
    assert AUTH_RULE in counted_by(rules(), "POST", path)


@pytest.mark.parametrize("path", ["/api/v1/data/account", "/api/v1/authx/sign-in", "/api/v1/meta/auth/x"])
def test_auth_rule_leaves_other_routes_alone(path):
    assert AUTH_RULE not in counted_by(rules(), "POST", path)


@pytest.mark.parametrize(
    "method, path",
    [
        ("POST", "/api/v1/data/account"),
        ("PATCH", "/api/v1/data/account/42"),
        ("PUT", "/api/v1/data/account/42"),
        ("DELETE", "/api/v1/data/account/42"),
        ("POST", "/api/v1/data/account/batch"),
        ("POST", "/api/v1/data/account/QUERY"),  # the router is case-sensitive: not the query route
        ("POST", "/api/v1/data/account/42/query"),
    ],
)
def test_writes_count_against_the_write_rule_only(method, path):
    assert counted_by(rules(), method, path) == [WRITE_RULE]


@pytest.mark.parametrize(
    "path",
    ["/api/v1/data/account/query", "/api/v1/analytics/query", "/api/v1/data/account/%71uery"],
)
def test_reads_sent_as_post_count_as_reads_not_writes(path):
    assert counted_by(rules(), "POST", path) == [READ_RULE]


@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS"])
def test_reads_count_against_the_read_rule_only(method):
    assert counted_by(rules(), method, "/api/v1/data/account") == [READ_RULE]


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/api/v1/health"),
        ("POST", "/api/v1/mcp"),
        ("POST", "/api/v1/analytics/query"),
        ("DELETE", "/api/v1/data/account/query"),
        ("PUT", "/_console/"),
        ("POST", "/api/v1/auth/sign-in/email"),
    ],
)
def test_write_and_read_split_all_traffic_between_them(method, path):
    counted = counted_by(rules(), method, path)
    assert (WRITE_RULE in counted) != (READ_RULE in counted)


def test_auth_requests_also_count_as_writes_or_reads():
    assert counted_by(rules(), "POST", "/api/v1/auth/sign-in/email") == [AUTH_RULE, WRITE_RULE]


# --- statements the provider and WAF accept ---------------------------------------------


def _logical_depth(statement):
    ((kind, body),) = statement.items()
    if kind in ("AndStatement", "OrStatement"):
        return 1 + max(_logical_depth(s) for s in body["Statements"])
    if kind == "NotStatement":
        return 1 + _logical_depth(body["Statement"])
    return 0


def test_scope_downs_nest_at_most_two_logical_statements_so_the_typed_schema_holds_them():
    for rule in rules():
        assert _logical_depth(rate(rule)["ScopeDownStatement"]) <= 2, rule["Name"]


def _regexes(value):
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "RegexString":
                yield item
            else:
                yield from _regexes(item)
    elif isinstance(value, list):
        for item in value:
            yield from _regexes(item)


def test_regexes_have_no_capturing_groups_which_waf_rejects():
    patterns = list(_regexes(rules()))
    assert patterns and all(re.compile(p).groups == 0 for p in patterns)


def test_every_statement_applies_at_least_one_text_transformation_as_the_api_requires():
    def leaves(statement):
        ((kind, body),) = statement.items()
        if kind in ("AndStatement", "OrStatement"):
            return [leaf for s in body["Statements"] for leaf in leaves(s)]
        if kind == "NotStatement":
            return leaves(body["Statement"])
        return [body]

    assert all(leaf["TextTransformations"] for rule in rules() for leaf in leaves(rate(rule)["ScopeDownStatement"]))


# --- the 429 response ----------------------------------------------------------------------


@pytest.mark.parametrize("window", [60, 120, 300, 600])
def test_blocked_clients_get_429_with_retry_after_equal_to_the_window(window):
    bucket = RateLimit(100, window)
    for rule in rules(auth=bucket, write=bucket, read=bucket):
        response = rule["Action"]["Block"]["CustomResponse"]
        assert response["ResponseCode"] == 429
        assert response["ResponseHeaders"] == [{"Name": "Retry-After", "Value": str(window)}]


def test_the_429_body_is_json_and_named_by_every_rate_rule():
    assert json.loads(waf_rules.RATE_LIMITED_BODY["content"])["error"] == "too_many_requests"
    keys = {r["Action"]["Block"]["CustomResponse"]["CustomResponseBodyKey"] for r in rules()}
    assert keys == {waf_rules.RATE_LIMITED_BODY_KEY}


def test_metrics_and_sampled_requests_are_on_for_every_rule():
    assert all(
        r["VisibilityConfig"]["CloudWatchMetricsEnabled"] and r["VisibilityConfig"]["SampledRequestsEnabled"]
        for r in rules(ALL_BLOCK)
    )


# --- managed rule groups ---------------------------------------------------------------------


def test_managed_groups_off_add_no_rule():
    assert len(rules({"common_rule_set": "off", "known_bad_inputs": "off", "ip_reputation": "off"})) == 3


def test_managed_groups_come_after_the_rate_rules():
    ordered = sorted(rules(ALL_BLOCK), key=lambda r: r["Priority"])
    assert [r["Name"] for r in ordered[3:]] == [g.name for g in waf_rules.MANAGED_RULE_GROUPS]


def test_count_mode_overrides_the_group_to_count_and_block_mode_keeps_its_actions():
    named = by_name(rules({"common_rule_set": "count", "ip_reputation": "block"}))
    assert named["AWSManagedRulesCommonRuleSet"]["OverrideAction"] == {"Count": {}}
    assert named["AWSManagedRulesAmazonIpReputationList"]["OverrideAction"] == {"None": {}}
    assert "AWSManagedRulesKnownBadInputsRuleSet" not in named


def test_an_unknown_managed_mode_is_refused():
    with pytest.raises(ValueError, match="on"):
        rules({"common_rule_set": "on"})


def overrides(rule):
    return rule["Statement"]["ManagedRuleGroupStatement"].get("RuleActionOverrides", [])


@pytest.mark.parametrize("mode", ["block", "count"])
def test_the_common_rule_set_only_counts_bodies_over_8_kb(mode):
    """ObjectOS batch writes and imports send bodies over 8 KB; SizeRestrictions_BODY would 403 them."""
    common = by_name(rules({"common_rule_set": mode}))["AWSManagedRulesCommonRuleSet"]
    assert overrides(common) == [{"Name": "SizeRestrictions_BODY", "ActionToUse": {"Count": {}}}]


def test_no_other_managed_rule_is_relaxed():
    named = by_name(rules(ALL_BLOCK))
    assert overrides(named["AWSManagedRulesKnownBadInputsRuleSet"]) == []
    assert overrides(named["AWSManagedRulesAmazonIpReputationList"]) == []


# --- capacity (WCU) ----------------------------------------------------------------------------
# Expected numbers are worked out by hand from the AWS WAF developer guide: rate-based 2
# (+30 per custom key, + scope-down), regex 3, regex pattern set 25, string match 2 or 10
# (x2 on JSON body, +10 all query arguments), 10 per text transformation other than NONE,
# logical statements cost only what they nest; managed groups as AWS publishes them.


def test_capacity_of_the_three_rate_rules():
    # auth 2 + regex 3 + 3 transformations 30; write and read 2 + regex 3 + regex 3 + 2 transformations 20
    assert waf_rules.web_acl_capacity(rules()) == 35 + 28 + 28


def test_capacity_with_every_managed_group():
    assert waf_rules.web_acl_capacity(rules(ALL_BLOCK)) == 91 + 700 + 200 + 25


@pytest.mark.parametrize(
    "statement, wcu",
    [
        ({"ByteMatchStatement": {"PositionalConstraint": "STARTS_WITH", "SearchString": "/a", "FieldToMatch": {"UriPath": {}},
                                 "TextTransformations": [{"Priority": 0, "Type": "LOWERCASE"}]}}, 12),
        ({"ByteMatchStatement": {"PositionalConstraint": "CONTAINS", "SearchString": "x", "FieldToMatch": {"JsonBody": {}},
                                 "TextTransformations": [{"Priority": 0, "Type": "NONE"}]}}, 20),
        ({"RegexPatternSetReferenceStatement": {"ARN": "arn", "FieldToMatch": {"AllQueryArguments": {}},
                                                "TextTransformations": [{"Priority": 0, "Type": "URL_DECODE"}]}}, 45),
        ({"RateBasedStatement": {"Limit": 100, "AggregateKeyType": "CUSTOM_KEYS",
                                 "CustomKeys": [{"HTTPMethod": {}}, {"IP": {}}]}}, 62),
        ({"NotStatement": {"Statement": {"GeoMatchStatement": {"CountryCodes": ["XX"]}}}}, 1),
        ({"ManagedRuleGroupStatement": {"VendorName": "AWS", "Name": "AWSManagedRulesKnownBadInputsRuleSet"}}, 200),
    ],
)  # fmt: skip
def test_statement_capacity_on_known_statements(statement, wcu):
    assert waf_rules.statement_capacity(statement) == wcu


def test_capacity_refuses_a_statement_it_has_no_cost_for():
    with pytest.raises(ValueError, match="FutureStatement"):
        waf_rules.statement_capacity({"FutureStatement": {}})


def test_capacity_problem_says_by_how_much_the_limit_is_exceeded():
    problem = waf_rules.capacity_problem(rules(ALL_BLOCK), limit=1000)
    assert "1016 WCU, 16 over" in problem


def test_the_kit_rules_fit_the_included_capacity():
    assert waf_rules.capacity_problem(rules(ALL_BLOCK)) is None


# --- logging policies ----------------------------------------------------------------------------


def test_log_group_name_has_the_prefix_waf_requires():
    assert waf_rules.log_group_name("objectos-prod").startswith("aws-waf-logs-")


def test_redacted_headers_are_authorization_and_cookie():
    assert set(waf_rules.REDACTED_HEADERS) == {"authorization", "cookie"}


def test_log_delivery_may_write_only_to_this_log_group_from_this_account():
    (statement,) = json.loads(waf_rules.log_delivery_policy("eu-west-1", "123456789012", "aws-waf-logs-x"))["Statement"]
    assert statement["Resource"] == "arn:aws:logs:eu-west-1:123456789012:log-group:aws-waf-logs-x:log-stream:*"
    assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": "123456789012"}


def test_policies_use_the_region_partition():
    assert ":aws-cn:" in waf_rules.log_delivery_policy("cn-north-1", "123456789012", "aws-waf-logs-x")


# --- settings edge cases ---------------------------------------------------------------------------


def settings_rules(stack="prod", **changes):
    s = stack_settings(stack, **changes)
    limits = s.rate_limits
    return waf_rules.web_acl_rules(limits.auth, limits.write, limits.read, s.managed_rule_groups.model_dump())


def test_the_waf_minimum_limit_and_longest_window_make_valid_rules():
    edge = {"auth": {"limit": 10, "windowSeconds": 600}, "write": {"limit": 10, "windowSeconds": 600},
            "read": {"limit": 10, "windowSeconds": 600}}  # fmt: skip
    built = settings_rules(rateLimits=edge)
    assert {(rate(r)["Limit"], rate(r)["EvaluationWindowSec"]) for r in built[:3]} == {(10, 600)}


def test_managed_groups_on_in_settings_give_their_rules():
    assert len(settings_rules(waf={"managedRuleGroups": {"commonRuleSet": "block", "knownBadInputs": "count",
                                                          "ipReputation": "block"}})) == 6  # fmt: skip


def test_managed_groups_default_off_in_dev_and_block_elsewhere():
    assert len(settings_rules("dev", waf={"logRetentionDays": 14})) == 3
    assert len(settings_rules("staging", waf={"logRetentionDays": 90})) == 6


@pytest.mark.parametrize(
    "bucket, key, words",
    [
        ({"limit": 9, "windowSeconds": 60}, "objectos:rateLimits.auth.limit", "between 10"),
        ({"limit": 10, "windowSeconds": 30}, "objectos:rateLimits.auth.windowSeconds", "60"),
        ({"limit": "ten", "windowSeconds": 60}, "objectos:rateLimits.auth.limit", "whole number"),
    ],
)
def test_invalid_rate_limits_are_settings_errors(bucket, key, words):
    with pytest.raises(SettingsError) as error:
        stack_settings("prod", rateLimits={"auth": bucket})
    issues = [i for i in error.value.issues if i.key == key]
    assert issues and words in issues[0].message


def test_an_unknown_managed_mode_is_a_settings_error():
    with pytest.raises(SettingsError) as error:
        stack_settings("prod", waf={"managedRuleGroups": {"commonRuleSet": "on"}})
    assert any(i.key == "objectos:waf.managedRuleGroups.commonRuleSet" for i in error.value.issues)


def test_settings_over_the_web_acl_capacity_are_an_error_that_says_by_how_much(monkeypatch):
    monkeypatch.setitem(waf_rules.MANAGED_CAPACITY, "AWSManagedRulesCommonRuleSet", 1500)
    with pytest.raises(SettingsError) as error:
        stack_settings("prod")
    (issue,) = [i for i in error.value.issues if i.key.startswith("objectos:waf")]
    assert "1816 WCU, 316 over" in issue.message  # 91 + 1500 + 200 + 25
