"""The backup plan's rules, the recovery objectives and the audit archive's policies, without Pulumi."""

from __future__ import annotations

import json
import re

import pytest

from components import backup_schedule as schedule


def by_name(rules: list[schedule.PlanRule]) -> dict[str, schedule.PlanRule]:
    return {rule.name: rule for rule in rules}


# --- plan rules -------------------------------------------------------------------


def test_the_continuous_rule_is_point_in_time_and_keeps_the_configured_window():
    continuous = by_name(schedule.plan_rules(retention_days=14, continuous_retention_days=7))["continuous"]
    assert continuous.continuous
    assert continuous.delete_after_days == 7


@pytest.mark.parametrize("asked", [36, 90, 400])
def test_the_continuous_rule_never_keeps_more_than_35_days(asked):
    continuous = by_name(schedule.plan_rules(retention_days=35, continuous_retention_days=asked))["continuous"]
    assert continuous.delete_after_days == 35


def test_daily_snapshots_are_kept_for_the_backup_retention():
    daily = by_name(schedule.plan_rules(retention_days=21, continuous_retention_days=7))["daily"]
    assert not daily.continuous
    assert daily.delete_after_days == 21


def test_a_monthly_rule_keeps_snapshots_as_long_as_the_audit_policy_when_it_outlasts_the_dailies():
    days = schedule.monthly_retention_days(retention_days=35, audit_retention_days=2557)
    monthly = by_name(schedule.plan_rules(35, 35, monthly_days=days, lock_max_days=3653))["monthly"]
    assert monthly.delete_after_days == 2557


def test_no_monthly_rule_when_the_daily_snapshots_already_cover_the_audit_policy():
    days = schedule.monthly_retention_days(retention_days=35, audit_retention_days=30)
    assert days == 0
    assert "monthly" not in by_name(schedule.plan_rules(35, 35, monthly_days=days))


def test_an_explicit_monthly_retention_replaces_the_audit_policy():
    assert schedule.monthly_retention_days(35, 2557, override=400) == 400
    assert schedule.monthly_retention_days(35, 2557, override=0) == 0


def test_no_monthly_rule_the_vault_lock_would_refuse():
    assert "monthly" not in by_name(schedule.plan_rules(35, 35, monthly_days=2557, lock_max_days=365))


def test_only_snapshot_rules_are_copied_to_the_second_region():
    rules = by_name(schedule.plan_rules(35, 35, monthly_days=400, copy=True))
    assert {name for name, rule in rules.items() if rule.copied} == {"daily", "monthly"}


def test_nothing_is_copied_without_a_second_region():
    assert not any(rule.copied for rule in schedule.plan_rules(35, 35, monthly_days=400, copy=False))


@pytest.mark.parametrize(
    "changeable, mode", [(3, "COMPLIANCE"), (30, "COMPLIANCE"), (2, "GOVERNANCE"), (None, "GOVERNANCE")]
)
def test_a_vault_lock_with_a_grace_period_of_three_days_or_more_is_compliance_mode(changeable, mode):
    assert schedule.vault_lock_mode(changeable) == mode


# --- recovery objectives ----------------------------------------------------------


def test_continuous_backup_gives_a_five_minute_rpo():
    objectives = schedule.recovery_objectives(schedule.plan_rules(35, 35))
    assert objectives.rpo_minutes == schedule.POINT_IN_TIME_RPO_MINUTES == 5


def test_the_plan_meets_the_single_tenant_targets():
    objectives = schedule.recovery_objectives(schedule.plan_rules(35, 35), schedule.OBJECTOS_TARGETS["single"])
    assert objectives.rpo_minutes <= 15 and objectives.rto_minutes <= 60
    assert objectives.meets_targets


def test_daily_snapshots_alone_would_miss_the_rpo_target():
    daily_only = [rule for rule in schedule.plan_rules(35, 35) if not rule.continuous]
    objectives = schedule.recovery_objectives(daily_only)
    assert objectives.rpo_minutes == 24 * 60
    assert not objectives.meets_targets
    assert any("RPO" in reason for reason in objectives.shortfalls())


def test_a_slow_restore_misses_the_rto_target():
    objectives = schedule.recovery_objectives(schedule.plan_rules(35, 35), restore_minutes=90)
    assert objectives.rto_minutes > 60
    assert not objectives.meets_targets
    assert any("RTO" in reason for reason in objectives.shortfalls())


def test_the_multi_tenant_rto_target_is_stricter_than_the_estimate():
    objectives = schedule.recovery_objectives(schedule.plan_rules(35, 35), schedule.OBJECTOS_TARGETS["multi"])
    assert objectives.rto_minutes > 30
    assert not objectives.meets_targets


# --- names AWS accepts ------------------------------------------------------------

RESTORE_TEST_NAME = re.compile(r"[A-Za-z0-9_]{1,50}")


@pytest.mark.parametrize(
    "parts",
    [
        ("objectos-prod", "restore_test"),
        ("objectos-feature/x.y", "database"),
        ("objectos-" + "a-very-long-stack-name" * 4, "restore_test"),
        ("---", ""),
    ],
)
def test_restore_test_names_use_only_letters_digits_and_underscores_within_50_chars(parts):
    assert RESTORE_TEST_NAME.fullmatch(schedule.restore_test_name(*parts))


def test_long_restore_test_names_of_different_stacks_stay_distinct():
    one = schedule.restore_test_name("objectos-" + "x" * 60 + "-blue", "restore_test")
    two = schedule.restore_test_name("objectos-" + "x" * 60 + "-green", "restore_test")
    assert one != two


def test_backup_names_use_letters_digits_and_hyphens_within_50_chars():
    name = schedule.backup_name("objectos-" + "stack_name." * 8, "database")
    assert re.fullmatch(r"[A-Za-z0-9-]{2,50}", name)


@pytest.mark.parametrize(
    "arn, kind",
    [
        ("arn:aws:rds:eu-west-1:123456789012:cluster:objectos-prod", "Aurora"),
        ("arn:aws:rds:eu-west-1:123456789012:db:objectos-dev", "RDS"),
    ],
)
def test_restore_tests_name_aurora_for_clusters_and_rds_for_instances(arn, kind):
    assert schedule.restore_target_type(arn) == kind


# --- audit archive ----------------------------------------------------------------


def test_the_archive_moves_to_colder_storage_in_steps_s3_accepts():
    lifecycle = schedule.archive_lifecycle(2557)
    days = [day for day, _ in lifecycle.transitions]
    classes = [storage_class for _, storage_class in lifecycle.transitions]
    assert classes[0] == "STANDARD_IA" and days[0] >= 30
    assert {"GLACIER_IR", "DEEP_ARCHIVE"} <= set(classes)
    assert all(later - earlier >= 30 for earlier, later in zip(days, days[1:], strict=False))


@pytest.mark.parametrize("retention", [30, 365, 2557])
def test_noncurrent_versions_expire_once_the_retention_has_passed(retention):
    assert schedule.archive_lifecycle(retention).noncurrent_expiry_days == retention


def test_the_archive_bucket_policy_denies_every_request_without_tls():
    arn = "arn:aws:s3:::objectos-prod-audit-123456789012-eu-west-1"
    statements = json.loads(schedule.tls_only_bucket_policy(arn))["Statement"]
    insecure = next(s for s in statements if s["Condition"].get("Bool", {}).get("aws:SecureTransport") == "false")
    assert insecure["Effect"] == "Deny" and insecure["Principal"] == "*" and insecure["Action"] == "s3:*"
    assert set(insecure["Resource"]) == {arn, f"{arn}/*"}


def test_the_archive_bucket_name_is_valid_for_s3_even_for_long_stacks():
    name = schedule.archive_bucket_name("objectos-" + "Long_Stack" * 10, "123456789012", "ap-southeast-2")
    assert re.fullmatch(r"[a-z0-9][a-z0-9-]{1,61}[a-z0-9]", name)
    assert name.endswith("-123456789012-ap-southeast-2")


def test_the_workload_may_only_write_under_the_archive_prefix_with_the_archive_key():
    policy = json.loads(schedule.archive_writer_policy("arn:aws:s3:::b", "audit/", "arn:aws:kms:eu-west-1:1:key/k"))
    resources = [r for statement in policy["Statement"] for r in statement["Resource"]]
    assert resources == ["arn:aws:s3:::b/audit/*", "arn:aws:kms:eu-west-1:1:key/k"]
    assert all(statement["Effect"] == "Allow" for statement in policy["Statement"])


def test_the_backup_role_carries_the_aws_managed_backup_and_restore_policies():
    assert set(schedule.managed_policy_arns("aws").values()) == {
        "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
        "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
    }
    trust = json.loads(schedule.backup_role_trust_policy())["Statement"][0]
    assert trust["Principal"] == {"Service": "backup.amazonaws.com"} and trust["Action"] == "sts:AssumeRole"
