"""AuditLogRetention under mocks, and the audit settings a stack is refused for.

Checklist: audit-log-retention, stateful-resources-protected.
"""

from __future__ import annotations

import copy
import json
from dataclasses import replace

import pytest

from components.audit_log_retention import AuditLogRetention, AuditLogRetentionArgs
from settings.errors import SettingsError
from testing.mocks import Registration
from testing.runner import RunResult
from tests.conftest import by_type, one, run_components, stack_config, stack_settings

LOG_GROUP = "/objectos/prod/workload"
PROD_LIKE = AuditLogRetentionArgs(
    name_prefix="objectos-prod",
    account_id="123456789012",
    region="eu-west-1",
    retention_days=2557,
    object_lock_mode="COMPLIANCE",
    log_group_name=LOG_GROUP,
    tags={"objectos:stack": "prod"},
)
STATEFUL = (
    "aws:kms/key:Key",
    "aws:s3/bucket:Bucket",
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
    "aws:cloudwatch/logGroup:LogGroup",
)


def run_audit(args: AuditLogRetentionArgs) -> RunResult:
    return run_components(lambda: AuditLogRetention("objectos-audit", args))


@pytest.fixture(scope="module")
def prod_like() -> RunResult:
    return run_audit(PROD_LIKE)


def own(result: RunResult) -> RunResult:
    """Only what AuditLogRetention registered (a stack holds other components' keys and log groups too)."""
    return replace(result, resources=[r for r in result.resources if "objectos:index:AuditLogRetention$" in r.urn])


def named(result: RunResult, name: str) -> Registration:
    return next(r for r in result.resources if r.name == name)


def bucket(result: RunResult) -> Registration:
    return one(result, "aws:s3/bucket:Bucket")


def on_the_bucket(result: RunResult, token: str) -> dict:
    """Inputs of the one `token` resource, checked to configure the archive bucket."""
    found = one(result, token)
    assert found.inputs["bucket"] == f"{bucket(result).name}-id"  # bucket=bucket.id; the mocks' id is <name>-id
    return found.inputs


# --- the archive bucket -----------------------------------------------------------


def test_the_archive_bucket_is_created_with_object_lock(prod_like):
    assert bucket(prod_like).inputs["objectLockEnabled"] is True
    assert bucket(prod_like).inputs.get("forceDestroy") is not True


@pytest.mark.parametrize("mode, days", [("COMPLIANCE", 2557), ("GOVERNANCE", 30)])
def test_object_lock_keeps_every_record_in_the_policy_s_mode_for_its_days(mode, days):
    result = run_audit(replace(PROD_LIKE, object_lock_mode=mode, retention_days=days))
    rule = on_the_bucket(result, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration")["rule"]
    assert rule["defaultRetention"] == {"mode": mode, "days": days}


def test_versioning_is_enabled_before_the_lock_is_configured(prod_like):
    versioning = on_the_bucket(prod_like, "aws:s3/bucketVersioning:BucketVersioning")
    assert versioning["versioningConfiguration"]["status"] == "Enabled"
    lock = one(prod_like, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration")
    assert one(prod_like, "aws:s3/bucketVersioning:BucketVersioning").urn in lock.dependencies


def test_records_are_encrypted_with_the_archive_s_own_kms_key(prod_like):
    (rule,) = on_the_bucket(
        prod_like, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
    )["rules"]
    default = rule["applyServerSideEncryptionByDefault"]
    assert default["sseAlgorithm"] == "aws:kms"
    assert default["kmsMasterKeyId"].endswith(":objectos-audit-key")
    assert rule["bucketKeyEnabled"] is True
    assert named(prod_like, "objectos-audit-key").inputs["enableKeyRotation"] is True


def test_every_public_access_is_blocked_and_acls_are_off(prod_like):
    block = on_the_bucket(prod_like, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    flags = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    assert all(block[flag] is True for flag in flags)
    ownership = on_the_bucket(prod_like, "aws:s3/bucketOwnershipControls:BucketOwnershipControls")
    assert ownership["rule"]["objectOwnership"] == "BucketOwnerEnforced"


def test_the_bucket_policy_denies_every_request_without_tls(prod_like):
    policy = json.loads(on_the_bucket(prod_like, "aws:s3/bucketPolicy:BucketPolicy")["policy"])
    arn = f"arn:aws:s3:::{bucket(prod_like).inputs['bucket']}"
    denied = [
        s
        for s in policy["Statement"]
        if s["Effect"] == "Deny" and s.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") == "false"
    ]
    assert len(denied) == 1
    assert denied[0]["Principal"] == "*" and denied[0]["Action"] == "s3:*"
    assert set(denied[0]["Resource"]) == {arn, f"{arn}/*"}


def test_the_lifecycle_moves_records_to_colder_storage_and_expires_replaced_versions_after_the_policy(prod_like):
    rule, _ = on_the_bucket(prod_like, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")["rules"]
    assert rule["status"] == "Enabled"
    assert rule["filter"]["prefix"] == "audit/"
    assert [t["storageClass"] for t in rule["transitions"]][0] == "STANDARD_IA"
    assert {"GLACIER_IR", "DEEP_ARCHIVE"} <= {t["storageClass"] for t in rule["transitions"]}
    assert rule["noncurrentVersionExpiration"]["noncurrentDays"] == PROD_LIKE.retention_days
    assert "expiration" not in rule  # current records are never expired by the kit


def test_unfinished_uploads_are_aborted_under_every_prefix_not_only_the_archive_s(prod_like):
    _, cleanup = on_the_bucket(prod_like, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")["rules"]
    assert cleanup["status"] == "Enabled"
    assert not cleanup["filter"].get("prefix")  # checkov CKV_AWS_300: a prefix leaves other uploads billed
    assert cleanup["abortIncompleteMultipartUpload"]["daysAfterInitiation"] > 0


# --- the log group ----------------------------------------------------------------


def test_the_log_group_keeps_logs_for_the_audit_policy(prod_like):
    group = one(prod_like, "aws:cloudwatch/logGroup:LogGroup").inputs
    assert group["name"] == LOG_GROUP
    assert group["retentionInDays"] == PROD_LIKE.retention_days


def test_the_log_group_is_encrypted_with_a_key_cloudwatch_logs_may_use_for_it_only(prod_like):
    group = one(prod_like, "aws:cloudwatch/logGroup:LogGroup").inputs
    key = named(prod_like, "objectos-audit-logs-key")
    assert group["kmsKeyId"].endswith(f":{key.name}")
    statements = json.loads(key.inputs["policy"])["Statement"]
    logs = next(s for s in statements if s["Principal"].get("Service") == "logs.eu-west-1.amazonaws.com")
    assert logs["Condition"]["ArnEquals"]["kms:EncryptionContext:aws:logs:arn"].endswith(f":log-group:{LOG_GROUP}")


# --- outputs and protection -------------------------------------------------------


def test_the_workload_gets_the_bucket_name_and_prefix_to_ship_to(prod_like):
    outputs = one(prod_like, "objectos:index:AuditLogRetention").outputs
    assert outputs["bucket_name"] == bucket(prod_like).inputs["bucket"]
    assert outputs["archive_prefix"] == "audit/"
    assert outputs["log_group_name"] == LOG_GROUP
    writer = json.loads(outputs["writer_policy"])
    assert f"arn:aws:s3:::{outputs['bucket_name']}/audit/*" in writer["Statement"][0]["Resource"]


def test_the_writer_policy_is_attached_to_the_workload_role_it_is_given():
    result = run_audit(replace(PROD_LIKE, writer_role_name="objectos-prod-workload"))
    attached = one(result, "aws:iam/rolePolicy:RolePolicy").inputs
    assert attached["role"] == "objectos-prod-workload"
    assert attached["policy"] == one(result, "objectos:index:AuditLogRetention").outputs["writer_policy"]


def test_without_a_writer_role_no_policy_is_attached(prod_like):
    assert by_type(prod_like, "aws:iam/rolePolicy:RolePolicy") == []


def test_every_stateful_audit_resource_is_protected(prod_like):
    stateful = [r for r in prod_like.resources if r.type in STATEFUL]
    assert {r.type for r in stateful} == set(STATEFUL)
    assert [r.name for r in stateful if not r.protect] == []


def test_the_archive_its_keys_and_the_log_group_outlive_the_stack(prod_like):
    kept = [
        r
        for r in prod_like.resources
        if r.type in ("aws:kms/key:Key", "aws:s3/bucket:Bucket", "aws:cloudwatch/logGroup:LogGroup")
    ]
    assert len(kept) == 4 and all(r.retain_on_delete for r in kept)


def test_every_taggable_resource_carries_the_stack_tag(prod_like):
    taggable = [r for r in prod_like.resources if r.custom and "tags" in r.inputs]
    assert {r.type for r in taggable} == {"aws:kms/key:Key", "aws:s3/bucket:Bucket", "aws:cloudwatch/logGroup:LogGroup"}
    assert all(r.inputs["tags"].get("objectos:stack") == "prod" for r in taggable)


# --- settings a stack is refused for -------------------------------------------------


def refused_keys(stack: str, **audit_log: object) -> list[str]:
    merged = {**copy.deepcopy(stack_config(stack).values["objectos:auditLog"]), **audit_log}
    merged = {key: value for key, value in merged.items() if value is not None}  # None removes a key
    with pytest.raises(SettingsError) as refused:
        stack_settings(stack, auditLog=merged)
    return [issue.key for issue in refused.value.issues]


@pytest.mark.parametrize(
    "stack, change",
    [
        ("prod", {"retentionDays": 2555}),  # not a retention CloudWatch Logs accepts
        ("dev", {"retentionDays": 0}),
    ],
)
def test_an_audit_retention_cloudwatch_would_reject_is_refused_naming_the_key(stack, change):
    assert "objectos:auditLog.retentionDays" in refused_keys(stack, **change)


def test_an_unknown_object_lock_mode_is_refused_naming_the_key():
    assert "objectos:auditLog.objectLockMode" in refused_keys("staging", objectLockMode="LEGAL_HOLD")


def test_governance_mode_is_refused_in_prod_naming_the_key():
    assert refused_keys("prod", objectLockMode="GOVERNANCE") == ["objectos:auditLog.objectLockMode"]


def test_governance_mode_is_accepted_outside_prod():
    assert stack_settings("staging").audit_log.object_lock_mode == "GOVERNANCE"


def test_a_missing_audit_retention_is_refused_naming_the_key():
    assert refused_keys("prod", retentionDays=None) == ["objectos:auditLog.retentionDays"]


# --- the committed stacks ---------------------------------------------------------


def test_the_prod_stack_exports_where_the_workload_ships_audit_records(previews):
    result = previews("prod").result
    exported = result.outputs["auditLog"]
    assert exported["bucket"] == bucket(own(result)).inputs["bucket"]
    assert exported["prefix"] == "audit/"
    assert exported["logGroup"] == one(own(result), "aws:cloudwatch/logGroup:LogGroup").inputs["name"]


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_every_committed_stack_keeps_audit_records_for_its_policy(previews, stack):
    preview = previews(stack)
    policy = preview.settings.audit_log
    result = own(preview.result)
    lock = one(result, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration")
    assert lock.inputs["rule"]["defaultRetention"] == {"mode": policy.object_lock_mode, "days": policy.retention_days}
    assert one(result, "aws:cloudwatch/logGroup:LogGroup").inputs["retentionInDays"] == policy.retention_days


def test_the_prod_workload_role_may_write_the_audit_archive(previews):
    result = previews("prod").result
    (workload_role,) = [
        r for r in result.resources if r.type == "aws:iam/role:Role" and r.name == "objectos-secrets-workload"
    ]
    attached = one(own(result), "aws:iam/rolePolicy:RolePolicy").inputs
    assert attached["role"] == workload_role.inputs["name"]
    writer = json.loads(attached["policy"])
    assert f"arn:aws:s3:::{result.outputs['auditLog']['bucket']}/audit/*" in writer["Statement"][0]["Resource"]
