"""DatabaseBackups under mocks, and the backup settings a stack is refused for.

Checklist: database-backup-restore-tested, stateful-resources-protected.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import replace
from typing import Any

import pytest

from components.backup_schedule import OBJECTOS_TARGETS, RecoveryTargets
from components.database_backups import DatabaseBackups, DatabaseBackupsArgs
from settings.errors import SettingsError
from settings.load import validate
from testing.mocks import Registration
from testing.runner import RunResult
from tests.conftest import by_type, one, run_components, stack_config, stack_settings, with_values

CLUSTER_ARN = "arn:aws:rds:eu-west-1:123456789012:cluster:objectos-prod"
INSTANCE_ARN = "arn:aws:rds:eu-west-1:123456789012:db:objectos-dev"
SUBNETS = ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]
PROD_LIKE = DatabaseBackupsArgs(
    database_arn=CLUSTER_ARN,
    name_prefix="objectos-prod",
    retention_days=35,
    continuous_retention_days=35,
    monthly_retention_days=2557,
    lock_min_retention_days=7,
    lock_max_retention_days=3653,
    lock_changeable_for_days=3,
    restore_test_schedule="cron(0 5 ? * SAT *)",
    validation_window_hours=4,
    vpc_id="vpc-0123456789abcdef0",
    private_subnet_ids=SUBNETS,
    copy_to_region="eu-central-1",
    recovery_point_tags={"objectos:release": "2026.11.29-1"},
    tags={"objectos:stack": "prod"},
)
STATEFUL = (
    "aws:kms/key:Key",
    "aws:backup/vault:Vault",
    "aws:backup/vaultLockConfiguration:VaultLockConfiguration",
    "aws:backup/plan:Plan",
)


def run_backups(args: DatabaseBackupsArgs) -> RunResult:
    return run_components(lambda: DatabaseBackups("objectos-backups", args))


@pytest.fixture(scope="module")
def prod_like() -> RunResult:
    return run_backups(PROD_LIKE)


@pytest.fixture(scope="module")
def instance_without_copy() -> RunResult:
    return run_backups(
        replace(
            PROD_LIKE,
            database_arn=INSTANCE_ARN,
            copy_to_region=None,
            monthly_retention_days=0,
            continuous_retention_days=60,
        )
    )


def own(result: RunResult) -> RunResult:
    """Only what DatabaseBackups registered (a stack holds other components' keys and log groups too)."""
    return replace(result, resources=[r for r in result.resources if "objectos:index:DatabaseBackups$" in r.urn])


def named(result: RunResult, name: str) -> Registration:
    return next(r for r in result.resources if r.name == name)


def rules(result: RunResult) -> dict[str, dict]:
    return {rule["ruleName"]: rule for rule in one(result, "aws:backup/plan:Plan").inputs["rules"]}


def component_outputs(result: RunResult) -> dict[str, Any]:
    return one(result, "objectos:index:DatabaseBackups").outputs


# --- vault and lock ---------------------------------------------------------------


def test_the_vault_is_encrypted_with_its_own_rotating_kms_key(prod_like):
    vault = named(prod_like, "objectos-backups-vault")
    key = named(prod_like, "objectos-backups-key")
    assert vault.inputs["kmsKeyArn"].startswith("arn:aws:kms:eu-west-1:")
    assert vault.inputs["kmsKeyArn"].endswith(f":{key.name}")  # the mocks name each ARN after its resource
    assert key.inputs["enableKeyRotation"] is True


def test_the_vault_lock_is_in_compliance_mode_with_the_configured_retention_bounds(prod_like):
    lock = named(prod_like, "objectos-backups-vault-lock")
    assert lock.inputs["backupVaultName"] == named(prod_like, "objectos-backups-vault").inputs["name"]
    assert (lock.inputs["minRetentionDays"], lock.inputs["maxRetentionDays"]) == (7, 3653)
    assert lock.inputs["changeableForDays"] >= 3  # AWS Backup: a grace period of 3+ days means compliance mode


@pytest.mark.parametrize("changeable, mode", [(3, "COMPLIANCE"), (None, "GOVERNANCE")])
def test_the_component_reports_the_lock_mode_aws_backup_applies(changeable, mode):
    result = run_backups(replace(PROD_LIKE, lock_changeable_for_days=changeable, copy_to_region=None))
    assert component_outputs(result)["vault_lock_mode"] == mode


# --- plan rules -------------------------------------------------------------------


def test_the_plan_has_a_continuous_rule_with_the_point_in_time_window(prod_like):
    continuous = rules(prod_like)["continuous"]
    assert continuous["enableContinuousBackup"] is True
    assert continuous["lifecycle"]["deleteAfter"] == 35


def test_the_continuous_rule_never_keeps_more_than_35_days(instance_without_copy):
    assert rules(instance_without_copy)["continuous"]["lifecycle"]["deleteAfter"] == 35


def test_daily_snapshots_are_kept_for_the_backup_retention(prod_like):
    daily = rules(prod_like)["daily"]
    assert daily["enableContinuousBackup"] is False
    assert daily["lifecycle"]["deleteAfter"] == PROD_LIKE.retention_days


def test_monthly_snapshots_are_kept_as_long_as_the_audit_policy(prod_like):
    assert rules(prod_like)["monthly"]["lifecycle"]["deleteAfter"] == 2557


def test_no_monthly_rule_when_none_is_asked_for(instance_without_copy):
    assert set(rules(instance_without_copy)) == {"continuous", "daily"}


def test_every_rule_writes_to_the_encrypted_vault(prod_like):
    vault_name = named(prod_like, "objectos-backups-vault").inputs["name"]
    assert {rule["targetVaultName"] for rule in rules(prod_like).values()} == {vault_name}


def test_snapshots_carry_the_release_they_were_taken_under(prod_like):
    assert all(rule["recoveryPointTags"]["objectos:release"] == "2026.11.29-1" for rule in rules(prod_like).values())


# --- copy to a second region ------------------------------------------------------


def test_snapshots_are_copied_to_a_locked_encrypted_vault_in_the_second_region(prod_like):
    copy_vault = named(prod_like, "objectos-backups-copy-vault")
    copy_key = named(prod_like, "objectos-backups-copy-key")
    copy_lock = named(prod_like, "objectos-backups-copy-vault-lock")
    assert copy_vault.inputs["region"] == copy_key.inputs["region"] == copy_lock.inputs["region"] == "eu-central-1"
    assert copy_vault.inputs["kmsKeyArn"].startswith("arn:aws:kms:eu-central-1:")
    for name in ("daily", "monthly"):
        (action,) = rules(prod_like)[name]["copyActions"]
        assert action["destinationVaultArn"].startswith("arn:aws:backup:eu-central-1:")
        assert action["lifecycle"]["deleteAfter"] == rules(prod_like)[name]["lifecycle"]["deleteAfter"]


def test_without_a_second_region_there_is_one_vault_and_no_copies(instance_without_copy):
    assert len(by_type(instance_without_copy, "aws:backup/vault:Vault")) == 1
    assert not any(rule.get("copyActions") for rule in rules(instance_without_copy).values())


# --- selection and role -----------------------------------------------------------


def test_the_selection_names_the_database_arn(prod_like):
    assert one(prod_like, "aws:backup/selection:Selection").inputs["resources"] == [CLUSTER_ARN]


def test_the_backup_role_is_trusted_by_aws_backup_and_carries_the_managed_policies(prod_like):
    role = one(prod_like, "aws:iam/role:Role")
    trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert [s["Principal"] for s in trust] == [{"Service": "backup.amazonaws.com"}]
    attached = {a.inputs["policyArn"] for a in by_type(prod_like, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")}
    assert attached == {
        "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
        "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
    }


def test_the_selection_waits_for_the_role_s_policies(prod_like):
    selection = one(prod_like, "aws:backup/selection:Selection")
    attachments = {a.urn for a in by_type(prod_like, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")}
    assert attachments <= set(selection.dependencies)


# --- restore testing --------------------------------------------------------------


def test_the_restore_testing_plan_name_is_letters_digits_and_underscores(prod_like):
    name = one(prod_like, "aws:backup/restoreTestingPlan:RestoreTestingPlan").inputs["name"]
    assert re.fullmatch(r"[A-Za-z0-9_]{1,50}", name)


def test_the_restore_test_runs_on_the_schedule_from_the_latest_point_in_the_vault(prod_like):
    plan = one(prod_like, "aws:backup/restoreTestingPlan:RestoreTestingPlan").inputs
    assert plan["scheduleExpression"] == PROD_LIKE.restore_test_schedule
    assert 1 <= plan["startWindowHours"] <= 168
    selection = plan["recoveryPointSelection"]
    assert selection["algorithm"] == "LATEST_WITHIN_WINDOW"
    (vault_arn,) = selection["includeVaults"]
    assert vault_arn.startswith("arn:aws:backup:eu-west-1:") and vault_arn.endswith(":objectos-backups-vault")
    assert set(selection["recoveryPointTypes"]) == {"CONTINUOUS", "SNAPSHOT"}


def test_the_restore_testing_selection_has_the_validation_window(prod_like):
    selection = one(prod_like, "aws:backup/restoreTestingSelection:RestoreTestingSelection").inputs
    assert selection["validationWindowHours"] == PROD_LIKE.validation_window_hours
    assert re.fullmatch(r"[A-Za-z0-9_]{1,50}", selection["name"])


@pytest.mark.parametrize("fixture, kind", [("prod_like", "Aurora"), ("instance_without_copy", "RDS")])
def test_the_restore_test_restores_the_database_as_aurora_or_rds(request, fixture, kind):
    result = request.getfixturevalue(fixture)
    selection = one(result, "aws:backup/restoreTestingSelection:RestoreTestingSelection").inputs
    assert selection["protectedResourceType"] == kind
    assert selection["protectedResourceArns"] == [CLUSTER_ARN if kind == "Aurora" else INSTANCE_ARN]
    assert (
        selection["restoreTestingPlanName"]
        == one(result, "aws:backup/restoreTestingPlan:RestoreTestingPlan").inputs["name"]
    )


def test_the_restored_copy_lands_in_the_private_subnets_behind_a_closed_security_group(prod_like):
    overrides = one(prod_like, "aws:backup/restoreTestingSelection:RestoreTestingSelection").inputs[
        "restoreMetadataOverrides"
    ]
    subnets = one(prod_like, "aws:rds/subnetGroup:SubnetGroup").inputs
    group = one(prod_like, "aws:ec2/securityGroup:SecurityGroup")
    assert overrides["dbSubnetGroupName"] == subnets["name"]
    assert subnets["subnetIds"] == SUBNETS
    assert json.loads(overrides["vpcSecurityGroupIds"]) == [f"{group.name}-id"]
    assert group.inputs["ingress"] == [] and group.inputs["egress"] == []


# --- objectives and protection ----------------------------------------------------


def test_the_plan_reports_rpo_and_rto_within_the_objectos_targets(prod_like):
    outputs = component_outputs(prod_like)
    assert outputs["rpo_minutes"] <= 15 and outputs["rto_minutes"] <= 60
    assert outputs["meets_targets"] is True


def test_a_plan_that_misses_the_targets_says_so_and_warns():
    strict = RecoveryTargets(rpo_minutes=1, rto_minutes=OBJECTOS_TARGETS["single"].rto_minutes)
    result = run_backups(replace(PROD_LIKE, targets=strict))
    assert component_outputs(result)["meets_targets"] is False
    assert any("RPO" in text for severity, text in result.messages if severity == "warning")


def test_every_stateful_backup_resource_is_protected(prod_like):
    stateful = [r for r in prod_like.resources if r.type in STATEFUL]
    assert {r.type for r in stateful} == set(STATEFUL)
    assert [r.name for r in stateful if not r.protect] == []


def test_keys_and_vaults_outlive_the_stack(prod_like):
    kept = [r for r in prod_like.resources if r.type in ("aws:kms/key:Key", "aws:backup/vault:Vault")]
    assert len(kept) == 4 and all(r.retain_on_delete for r in kept)


def test_every_taggable_resource_carries_the_stack_tag(prod_like):
    taggable = [r for r in prod_like.resources if r.custom and "tags" in r.inputs]
    assert len(taggable) >= 8
    assert all(r.inputs["tags"].get("objectos:stack") == "prod" for r in taggable)


# --- settings a stack is refused for -------------------------------------------------


def refused_keys(stack: str = "prod", **patches: dict) -> list[str]:
    """Issue keys when the stack's `objectos:<key>` objects are patched (nested dicts merge)."""
    config = stack_config(stack)
    changes = {}
    for key, patch in patches.items():
        merged = copy.deepcopy(config.values.get(f"objectos:{key}", {}))
        _merge(merged, patch)
        changes[key] = merged
    with pytest.raises(SettingsError) as refused:
        validate(with_values(config, **changes))
    return [issue.key for issue in refused.value.issues]


def _merge(target: dict, patch: dict) -> None:
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        elif value is None:
            target.pop(key, None)
        else:
            target[key] = value


@pytest.mark.parametrize(
    "patch, key",
    [
        ({"retentionDays": 3}, "objectos:backup.retentionDays"),  # below vaultLock.minRetentionDays (7)
        ({"retentionDays": 4000}, "objectos:backup.retentionDays"),  # above vaultLock.maxRetentionDays
        ({"continuousRetentionDays": 36}, "objectos:backup.continuousRetentionDays"),
        ({"continuousRetentionDays": 3}, "objectos:backup.continuousRetentionDays"),  # below the lock minimum
        ({"vaultLock": {"changeableForDays": 2}}, "objectos:backup.vaultLock.changeableForDays"),
        ({"vaultLock": {"minRetentionDays": 40, "maxRetentionDays": 30}}, "objectos:backup.vaultLock.minRetentionDays"),
        ({"monthlyRetentionDays": 30}, "objectos:backup.monthlyRetentionDays"),  # not longer than the dailies
        ({"monthlyRetentionDays": 4000}, "objectos:backup.monthlyRetentionDays"),  # above the lock maximum
        ({"restoreTest": {"schedule": "rate(7 days)"}}, "objectos:backup.restoreTest.schedule"),
        ({"restoreTest": {"schedule": "cron(0 5 1 1 ? *)"}}, "objectos:backup.restoreTest.schedule"),  # yearly
        ({"restoreTest": {"validationWindowHours": 0}}, "objectos:backup.restoreTest.validationWindowHours"),
        ({"copyToRegion": "eu-west-1"}, "objectos:backup.copyToRegion"),  # the stack's own region
    ],
)
def test_a_stack_with_a_backup_setting_that_breaks_a_rule_is_refused_naming_the_key(patch, key):
    assert key in refused_keys(backup=patch)


def test_an_audit_policy_longer_than_the_vault_lock_allows_is_refused_at_the_lock_maximum():
    keys = refused_keys(backup={"vaultLock": {"maxRetentionDays": 400}, "monthlyRetentionDays": None})
    assert keys == ["objectos:backup.vaultLock.maxRetentionDays"]


def test_monthly_snapshots_follow_the_audit_policy_by_default():
    backup = copy.deepcopy(stack_config("prod").values["objectos:backup"])
    backup.pop("monthlyRetentionDays")
    assert stack_settings("prod", backup=backup).monthly_snapshot_days == 2557


# --- the committed stacks ---------------------------------------------------------


def test_the_prod_stack_exports_rpo_and_rto_within_the_targets(previews):
    exported = previews("prod").result.outputs["backup"]
    assert exported["rpoMinutes"] <= 15 and exported["rtoMinutes"] <= 60
    assert exported["meetsTargets"] is True


def test_the_prod_stack_exports_the_copy_vault_and_the_lock_mode(previews):
    preview = previews("prod")
    exported = preview.result.outputs["backup"]
    (copy_vault,) = [v for v in by_type(own(preview.result), "aws:backup/vault:Vault") if v.inputs.get("region")]
    assert exported["copyVaultArn"].startswith(f"arn:aws:backup:{preview.settings.backup.copy_to_region}:")
    assert exported["copyVaultArn"].endswith(f":{copy_vault.name}")
    assert exported["vaultLockMode"] == "COMPLIANCE"


def test_a_stack_without_a_second_region_exports_no_copy_vault(previews):
    preview = previews("dev")
    assert preview.settings.backup.copy_to_region is None
    assert preview.result.outputs["backup"]["copyVaultArn"] is None


def test_the_prod_stack_backs_up_its_configured_database_and_copies_to_the_second_region(previews):
    preview = previews("prod")
    result = own(preview.result)
    assert one(result, "aws:backup/selection:Selection").inputs["resources"] == [preview.settings.database.arn]
    regions = {v.inputs.get("region") for v in by_type(result, "aws:backup/vault:Vault")}
    assert regions == {None, preview.settings.backup.copy_to_region}


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_every_committed_stack_protects_its_backup_resources(previews, stack):
    result = own(previews(stack).result)
    stateful = [r for r in result.resources if r.type in STATEFUL]
    assert stateful and all(r.protect for r in stateful)
