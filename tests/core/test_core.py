"""objectos_core: the kit's domain facts, tested as plain functions (no Pulumi, no mocks)."""

from __future__ import annotations

import math
from datetime import date

import pytest

from objectos_core import checklist, headers, limits, pins, schedule, waf_rules
from objectos_core.waf_rules import RateLimit

SINCE = date(2026, 1, 1)
DAY = schedule.DAY


# --- schedule: one AWS cron parser ------------------------------------------------------


@pytest.mark.parametrize(
    "expression, days",
    [
        ("cron(0 5 ? * SAT *)", 7),
        ("cron(0 3 ? * * *)", 1),
        ("cron(0 5 1 * ? *)", 31),
        ("cron(0 5 1 1,4,7,10 ? *)", 92),  # 1 July -> 1 October
        ("cron(0 5 1 */3 ? *)", 92),
        ("cron(0 5 1 1 ? *)", 366),  # 2027 -> 2028 is a leap year
        ("cron(0 5 29 2 ? *)", 1461),  # leap days only
        ("cron(0 5 30 2,4 ? *)", 366),  # no 30 February: April only
        ("cron(0 5 L * ? *)", 31),
        ("cron(0 5 ? * 2#1 *)", 35),  # the first Monday
        ("cron(0 5 ? * 6L *)", 35),  # the last Friday
        ("rate(7 days)", 7),
    ],
)
def test_the_longest_gap_is_measured_on_real_dates(expression, days):
    assert schedule.longest_gap_minutes(expression, SINCE) == days * DAY


def test_minutes_and_hours_make_gaps_within_a_day():
    assert schedule.longest_gap_minutes("cron(0/15 * * * ? *)", SINCE) == 15
    assert (
        schedule.longest_gap_minutes("cron(0 8,20 ? * MON-FRI *)", SINCE) == (2 * 24 + 12) * 60
    )  # Fri 20:00 -> Mon 08:00


def test_31_february_never_runs_rather_than_once_a_year():
    cadence = schedule.cadence("cron(0 5 31 2 ? *)", SINCE)
    assert cadence.never and cadence.longest_gap_minutes == math.inf
    assert "never runs" in cadence.describe()


def test_a_year_field_that_ends_stops_the_schedule():
    cadence = schedule.cadence("cron(0 5 1 * ? 2026-2027)", SINCE)
    assert cadence.stops_after == 2027 and cadence.longest_gap_minutes == math.inf
    assert schedule.cadence("cron(0 5 1 * ? 2020)", SINCE).stops_after == 2020


@pytest.mark.parametrize(
    "expression, words",
    [
        ("cron(0 5 * * * *)", "exactly one of day-of-month and day-of-week"),
        ("cron(0 5 ? * ? *)", "exactly one of day-of-month and day-of-week"),
        ("cron(60 5 ? * SAT *)", "minutes 60 is outside 0-59"),
        ("cron(0 24 ? * SAT *)", "hours 24 is outside 0-23"),
        ("cron(0 5 32 * ? *)", "day-of-month 32 is outside 1-31"),
        ("cron(0 5 1 13 ? *)", "month 13 is outside 1-12"),
        ("cron(0 5 ? * 8 *)", "day-of-week 8 is outside 1-7"),
        ("cron(0 5 ? * FUN *)", "'FUN' is not a number 1-7 or SUN-SAT"),
        ("cron(0 5 1 * ? 1969)", "year 1969 is outside 1970-2199"),
        ("cron(0 5 5-1 * ? *)", "runs backwards"),
        ("cron(0 5 1/0 * ? *)", "step '/0'"),
        ("cron(0 5 ? * 2#6 *)", "must be 1-5"),
        ("cron(0 5 ? * SAT)", "needs six cron fields"),
        ("rate(1 days)", "rate(1 day)"),
        ("every saturday", "is not an AWS schedule"),
    ],
)
def test_expressions_aws_refuses_are_named_with_the_reason(expression, words):
    problem = schedule.problem(expression)
    assert problem is not None and words in problem
    assert schedule.longest_gap_minutes(expression) is None


def test_names_are_read_in_any_case():
    assert schedule.longest_gap_minutes("cron(0 5 ? jan-dec sat *)", SINCE) == 7 * DAY


# --- headers: one HSTS format, one parse -------------------------------------------------


@pytest.mark.parametrize(
    "age, subdomains, preload", [(300, False, False), (31536000, True, False), (63072000, True, True)]
)
def test_hsts_format_and_parse_round_trip(age, subdomains, preload):
    value = headers.hsts_value(age, subdomains, preload)
    assert headers.parse_hsts(value) == headers.hsts_parts(value) == headers.HstsParts(age, subdomains, preload)


def test_hsts_parse_reads_what_browsers_read():
    assert headers.parse_hsts('MAX-AGE="600" ; includesubdomains; x') == headers.HstsParts(600, True, False)
    assert headers.parse_hsts("max-age=-5").max_age_seconds is None


def test_hsts_preload_needs_a_year_and_subdomains():
    assert headers.hsts_problem(headers.HstsParts(limits.HSTS_PRELOAD_MIN_AGE - 1, True, True))
    assert headers.hsts_problem(headers.HstsParts(limits.HSTS_PRELOAD_MIN_AGE, False, True))
    assert headers.hsts_problem(headers.HstsParts(limits.HSTS_PRELOAD_MIN_AGE, True, True)) is None
    with pytest.raises(ValueError, match="preload"):
        headers.hsts_value(86400, True, True)


def test_cloudfront_numbers_format_as_whole_seconds():
    assert headers.format_hsts(31536000.0, True, False) == "max-age=31536000; includeSubDomains"


# --- waf: one evaluator for every reader ---------------------------------------------------

RULES = waf_rules.rate_limit_rules(RateLimit(10), RateLimit(60), RateLimit(600))


def camel(value):
    """The provider's camelCase shape, as the policy pack sees the web ACL's rules."""
    if isinstance(value, dict):
        return {k[:1].lower() + k[1:]: camel(v) for k, v in value.items()}
    if isinstance(value, list):
        return [camel(v) for v in value]
    return value


@pytest.mark.parametrize("bucket", ["auth", "write", "read"])
def test_each_kit_rule_covers_exactly_its_bucket_in_either_key_case(bucket):
    rule = next(r for r in RULES if r["Name"] == f"{bucket}-rate-limit")
    assert waf_rules.rule_buckets(rule) == waf_rules.rule_buckets(camel(rule)) == (bucket,)


def test_a_rule_is_judged_by_what_it_counts_not_by_its_name():
    write_scoped = {**next(r for r in RULES if r["Name"] == "write-rate-limit"), "Name": "auth-limit"}
    assert waf_rules.rule_buckets(write_scoped) == ("write",)


def test_a_rule_without_a_scope_down_counts_every_bucket():
    rule = {"Name": "all", "Statement": {"RateBasedStatement": {"Limit": 10, "AggregateKeyType": "IP"}}}
    assert waf_rules.rule_buckets(rule) == ("auth", "write", "read")


def test_byte_strings_from_the_aws_api_are_read():
    statement = {
        "ByteMatchStatement": {
            "SearchString": b"/api/v1/auth/",
            "FieldToMatch": {"UriPath": {}},
            "PositionalConstraint": "STARTS_WITH",
            "TextTransformations": [{"Priority": 0, "Type": "NONE"}],
        }
    }
    assert waf_rules.evaluate(statement, "POST", "/api/v1/auth/sign-in/email") is True
    assert waf_rules.evaluate(statement, "GET", "/api/v1/data/account") is False


def test_what_a_sample_cannot_decide_is_unknown_not_false():
    ip_set = {"IPSetReferenceStatement": {"ARN": "arn:aws:wafv2:..."}}
    assert waf_rules.evaluate(ip_set, "GET", "/") is None
    assert waf_rules.evaluate({"NotStatement": {"Statement": ip_set}}, "GET", "/") is None
    unknown_transform = {
        "RegexMatchStatement": {
            "RegexString": "^/api/v1/auth/",
            "FieldToMatch": {"UriPath": {}},
            "TextTransformations": [{"Priority": 0, "Type": "BASE64_DECODE"}],
        }
    }
    assert waf_rules.evaluate(unknown_transform, "GET", "/api/v1/auth/x") is None


def test_encoded_and_dotted_auth_paths_count_as_auth():
    for path in ("/api/v1/%61uth/sign-in/email", "/api/v1/x/../auth/sign-in/email", "/API/V1/AUTH/sign-in/email"):
        assert "auth-rate-limit" in waf_rules.counted_by(RULES, "POST", path), path


# --- pins: one image-reference rule ----------------------------------------------------------

DIGEST = "sha256:" + "a" * 64


@pytest.mark.parametrize(
    "image, pinned",
    [
        (f"ghcr.io/objectstack-ai/objectstack@{DIGEST}", True),
        (f"registry:5000/objectos@{DIGEST}", True),
        (f"ghcr.io/objectstack-ai/objectstack:1.4.2@{DIGEST}", True),
        ("ghcr.io/objectstack-ai/objectstack:1.4.2", False),
        (f"not an image@{DIGEST}", False),  # a digest does not make a reference of any text
        (f"Ghcr.io/ACME/App@{DIGEST}", False),  # repository paths are lowercase
        ("repo@sha256:" + "0" * 63, False),
    ],
)
def test_an_image_is_pinned_only_as_a_valid_reference_with_a_digest(image, pinned):
    assert pins.pinned_image(image) is pinned
    assert (pins.image_digest(image) == DIGEST) is pinned


def test_settings_and_the_pack_read_the_same_pins():
    from policy.policies import release
    from settings import rules

    assert release.pinned_image is rules.pinned_image is pins.pinned_image
    assert release.pinned_artifact is rules.pinned_artifact is pins.pinned_artifact


# --- limits and the checklist ------------------------------------------------------------------


def test_cloudwatch_retention_names_the_nearest_value():
    assert limits.log_retention_problem(365) is None
    assert "nearest allowed value at or above it is 400" in limits.log_retention_problem(366)
    assert "nearest" not in limits.log_retention_problem(4000)


def test_the_aws_verifier_covers_the_one_list_in_checklist_order():
    assert list(checklist.AWS_VERIFIED) == [i.id for i in checklist.ITEMS if i.id in checklist.AWS_VERIFIED]
    assert not set(checklist.AWS_VERIFIED) & set(checklist.LIVE_ONLY)


def test_the_facts_are_the_ones_the_kit_uses():
    from components import backup_schedule
    from golive.verify import aws_checks
    from settings import rules

    assert rules.CLOUDFRONT_CERT_REGION == limits.CLOUDFRONT_REGION
    assert waf_rules.RATE_LIMIT_MIN == limits.RATE_LIMIT_MIN
    assert aws_checks.WEB_ACL_CAPACITY_LIMIT is limits.WEB_ACL_CAPACITY_LIMIT
    assert backup_schedule.CONTINUOUS_BACKUP_MAX_DAYS is limits.CONTINUOUS_BACKUP_MAX_DAYS


def test_a_path_that_only_looks_like_auth_is_not_auth():
    # The verifier once classified rules by substring: "/api/v1/auth" in "^/api/v1/authz/" made this "auth".
    rule = waf_rules.rate_rule(
        waf_rules.AUTH_RULE, RateLimit(10), waf_rules.regex_match("UriPath", "^/api/v1/authz/", ("NONE",))
    )
    assert waf_rules.rule_buckets(rule) == ()


def test_settings_refuse_a_restore_test_that_never_runs():
    from settings.errors import SettingsError
    from tests.conftest import stack_settings

    with pytest.raises(SettingsError, match="never runs"):
        stack_settings("prod", backup={"restoreTest": {"schedule": "cron(0 5 31 2 ? *)"}})


def test_a_quarterly_looking_schedule_that_skips_months_is_not_quarterly():
    # 31 April does not exist: the runs are 31 January, 31 July and 31 October. The settings (by months)
    # and the policy (by 30.5-day months, 91.5 days) both once passed it as quarterly.
    assert schedule.longest_gap_minutes("cron(0 5 31 1,4,7,10 ? *)", SINCE) == 182 * DAY  # in a leap year
    assert schedule.longest_gap_minutes("cron(0 5 31 1,4,7,10 ? *)", SINCE) > limits.RESTORE_TEST_MAX_GAP_DAYS * DAY


def test_a_filled_field_is_returned_as_it_is_and_an_unfilled_one_names_the_mistake():
    from objectos_core.fields import filled

    assert [filled(0), filled(()), filled({}), filled("x")] == [0, (), {}, "x"]
    with pytest.raises(TypeError, match="fill_defaults"):
        filled(None)
