"""Data policies: tested backups, audit retention, encrypted Redis, protected state."""

from __future__ import annotations

from objectos_core.schedule import DAY, longest_gap_minutes
from policy.policies.data import (
    audit_log_retention,
    database_backup_restore_tested,
    redis_encrypted_with_auth,
    stateful_resources_protected,
)
from tests.policykit import UNKNOWN, Stack, resource_args, violating_urns, violations

PLAN = "aws:backup/plan:Plan"
SELECTION = "aws:backup/selection:Selection"
RESTORE_PLAN = "aws:backup/restoreTestingPlan:RestoreTestingPlan"
RESTORE_SELECTION = "aws:backup/restoreTestingSelection:RestoreTestingSelection"
BUCKET = "aws:s3/bucket:Bucket"
LOCK = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
REDIS = "aws:elasticache/replicationGroup:ReplicationGroup"
AUDIT = "objectos:index:AuditLogRetention"
DATABASE = "arn:aws:rds:eu-west-1:123456789012:cluster:objectos-prod"


def backups(
    continuous: bool = True,
    restore_schedule: str = "cron(0 5 ? * SAT *)",
    tested: tuple[str, ...] = (DATABASE,),
    selected: tuple[str, ...] = (DATABASE,),
    with_restore_test: bool = True,
) -> Stack:
    stack = Stack()
    rules = [{"ruleName": "daily", "schedule": "cron(0 3 * * ? *)", "lifecycle": {"deleteAfter": 35}}]
    if continuous:
        rules.append({"ruleName": "continuous", "enableContinuousBackup": True, "lifecycle": {"deleteAfter": 35}})
    plan = stack.add(PLAN, "plan", {"rules": rules})
    stack.add(SELECTION, "selection", {"resources": list(selected)}, props_from={"planId": [plan]})
    if with_restore_test:
        restore = stack.add(RESTORE_PLAN, "restore", {"name": "objectos_prod", "scheduleExpression": restore_schedule})
        stack.add(
            RESTORE_SELECTION,
            "restore-selection",
            {"protectedResourceArns": list(tested), "restoreTestingPlanName": "objectos_prod"},
            props_from={"restoreTestingPlanName": [restore]},
        )
    return stack


# --- database-backup-restore-tested ---------------------------------------------------------------


def test_backups_pass_continuous_backup_with_weekly_restore_tests():
    assert violations(database_backup_restore_tested, backups().args()) == []


def test_backups_fail_a_daily_only_plan_against_a_15_minute_rpo():
    found = violations(database_backup_restore_tested, backups(continuous=False).args())
    assert len(found) == 1 and "1440 minutes" in found[0]


def test_backups_fail_without_a_restore_testing_plan():
    found = violations(database_backup_restore_tested, backups(with_restore_test=False).args())
    assert any("no restore testing plan" in v for v in found)


def test_backups_fail_restore_tests_less_often_than_quarterly():
    found = violations(database_backup_restore_tested, backups(restore_schedule="rate(120 days)").args())
    assert any("every 120 days" in v for v in found)


def test_backups_fail_restore_tests_that_skip_the_database():
    other = "arn:aws:rds:eu-west-1:123456789012:db:other"
    assert any(DATABASE in v for v in violations(database_backup_restore_tested, backups(tested=(other,)).args()))


def test_backups_fail_a_selection_without_the_database():
    found = violations(database_backup_restore_tested, backups(selected=("arn:aws:s3:::bucket",)).args())
    assert any("names no RDS database" in v for v in found)


def test_backups_fail_a_stack_without_a_plan():
    assert any("no AWS Backup plan" in v for v in violations(database_backup_restore_tested, Stack().args()))


def test_schedule_gaps_are_measured_on_the_calendar():
    assert longest_gap_minutes("cron(0 5 ? * SAT *)") == 7 * DAY
    assert longest_gap_minutes("cron(0 3 * * ? *)") == DAY
    assert longest_gap_minutes("cron(0 5 1 1,4,7,10 ? *)") == 92 * DAY  # 1 July to 1 October
    assert longest_gap_minutes("rate(30 days)") == 30 * DAY
    assert longest_gap_minutes("weekly") is None


# --- audit-log-retention -------------------------------------------------------------------------


def archive(
    lock_days: int = 2557, expire_days: int | None = None, mode: str = "COMPLIANCE", log_days: int = 2557
) -> Stack:
    stack = Stack()
    bucket = stack.add(BUCKET, "audit-bucket", {"objectLockEnabled": True}, parents=[AUDIT])
    stack.add(
        LOCK,
        "audit-lock",
        {"rule": {"defaultRetention": {"mode": mode, "days": lock_days}}},
        props_from={"bucket": [bucket]},
        parents=[AUDIT],
    )
    rule = {"id": "archive", "status": "Enabled", "noncurrentVersionExpiration": {"noncurrentDays": 2557}}
    if expire_days is not None:
        rule["expiration"] = {"days": expire_days}
    stack.add(LIFECYCLE, "audit-lifecycle", {"rules": [rule]}, props_from={"bucket": [bucket]}, parents=[AUDIT])
    stack.add(
        LOG_GROUP, "audit-logs", {"name": "/objectos/prod/workload", "retentionInDays": log_days}, parents=[AUDIT]
    )
    stack.add(LOG_GROUP, "redis-slow-log", {"name": "/objectos/prod/redis/slow-log", "retentionInDays": 30})
    return stack


PROD_AUDIT = {"minimumDays": 2557, "objectLockMode": "COMPLIANCE"}


def test_audit_passes_a_seven_year_locked_archive():
    assert violations(audit_log_retention, archive().args(PROD_AUDIT)) == []


def test_audit_fails_a_shorter_object_lock():
    found = violations(audit_log_retention, archive(lock_days=365).args(PROD_AUDIT))
    assert len(found) == 1 and "365 days" in found[0]


def test_audit_fails_a_lifecycle_rule_expiring_records_early():
    assert any(
        "expires objects after 90 days" in v
        for v in violations(audit_log_retention, archive(expire_days=90).args(PROD_AUDIT))
    )


def test_audit_fails_the_wrong_lock_mode():
    assert any("GOVERNANCE" in v for v in violations(audit_log_retention, archive(mode="GOVERNANCE").args(PROD_AUDIT)))


def test_audit_fails_an_audit_log_group_kept_too_briefly():
    stack = archive(log_days=365)
    urns = violating_urns(audit_log_retention, stack.args(PROD_AUDIT))
    assert urns == [next(r.urn for r in stack.resources if r.name == "audit-logs")]


def test_audit_fails_a_stack_without_an_archive():
    assert any("no Object Lock archive" in v for v in violations(audit_log_retention, Stack().args()))


def test_audit_threshold_comes_from_the_pack_config():
    assert violations(audit_log_retention, archive(lock_days=365, log_days=365).args({"minimumDays": 365})) == []


# --- redis-encrypted-with-auth -----------------------------------------------------------------


GOOD_REDIS = {
    "engine": "valkey",
    "transitEncryptionEnabled": True,
    "atRestEncryptionEnabled": True,
    "authToken": "x" * 64,
    "kmsKeyId": "arn:aws:kms:eu-west-1:123456789012:key/1",
}


def test_redis_passes_encrypted_with_auth():
    assert violations(redis_encrypted_with_auth, resource_args(REDIS, GOOD_REDIS)) == []


def test_redis_fails_without_transit_encryption():
    found = violations(
        redis_encrypted_with_auth, resource_args(REDIS, GOOD_REDIS | {"transitEncryptionEnabled": False})
    )
    assert len(found) == 1 and "transitEncryptionEnabled" in found[0]


def test_redis_fails_without_an_auth_token():
    props = {k: v for k, v in GOOD_REDIS.items() if k != "authToken"}
    assert any("authToken" in v for v in violations(redis_encrypted_with_auth, resource_args(REDIS, props)))


def test_redis_fails_preferred_transit_mode():
    props = GOOD_REDIS | {"transitEncryptionMode": "preferred"}
    assert any("required" in v for v in violations(redis_encrypted_with_auth, resource_args(REDIS, props)))


def test_redis_skips_a_token_unknown_during_preview():
    assert violations(redis_encrypted_with_auth, resource_args(REDIS, GOOD_REDIS | {"authToken": UNKNOWN})) == []


# --- stateful-resources-protected ------------------------------------------------------------------


def test_protection_passes_a_protected_key():
    assert violations(stateful_resources_protected, resource_args("aws:kms/key:Key", {}, protect=True)) == []


def test_protection_fails_an_unprotected_vault():
    assert violations(stateful_resources_protected, resource_args("aws:backup/vault:Vault", {}, protect=False))


def test_protection_fails_an_unprotected_audit_log_group():
    args = resource_args(LOG_GROUP, {"name": "/objectos/prod/workload"}, parents=[AUDIT])
    assert violations(stateful_resources_protected, args)


def test_protection_ignores_an_unprotected_operational_log_group():
    assert (
        violations(stateful_resources_protected, resource_args(LOG_GROUP, {"name": "/objectos/prod/redis/slow-log"}))
        == []
    )


def test_protection_fails_a_force_destroy_bucket_even_when_protected():
    args = resource_args(BUCKET, {"forceDestroy": True}, protect=True)
    assert any("forceDestroy" in v for v in violations(stateful_resources_protected, args))


def test_protection_fails_a_secret_deleted_without_recovery_window():
    args = resource_args("aws:secretsmanager/secret:Secret", {"recoveryWindowInDays": 0}, protect=True)
    assert any("recovery window" in v for v in violations(stateful_resources_protected, args))


def test_backups_fail_a_restore_test_schedule_that_never_runs():
    found = violations(database_backup_restore_tested, backups(restore_schedule="cron(0 5 31 2 ? *)").args())
    assert any("never runs" in v for v in found), found
