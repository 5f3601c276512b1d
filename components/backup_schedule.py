"""What the database backups and the audit archive keep, and what recovery that buys.

Pure decisions, no Pulumi: the backup plan's rules and retentions, the recovery
point and time objectives they give against the ObjectOS targets, restore
testing names AWS accepts, and the audit archive's lifecycle and policies.
DatabaseBackups and AuditLogRetention only turn these into resources.
"""

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Optional

from objectos_core.limits import COMPLIANCE_MIN_CHANGEABLE_DAYS, CONTINUOUS_BACKUP_MAX_DAYS
from objectos_core.names import account_root, service_host, service_principal

from .secret_catalog import KEY_ADMIN_ACTIONS, KEY_USE_ACTIONS

# --- backup plan rules -------------------------------------------------------------

# Amazon RDS User Guide, "Restoring a DB instance to a specified time": RDS uploads
# transaction logs to S3 every five minutes, so the latest restorable time of a
# continuously backed-up instance or Aurora cluster is typically within 5 minutes.
POINT_IN_TIME_RPO_MINUTES = 5

# UTC, after the business day; the snapshot rules run after the continuous rule's
# own daily recovery point so they do not compete for the same backup window.
CONTINUOUS_SCHEDULE = "cron(0 3 ? * * *)"
DAILY_SCHEDULE = "cron(0 4 ? * * *)"
MONTHLY_SCHEDULE = "cron(0 5 1 * ? *)"
SNAPSHOT_START_WINDOW_MINUTES = 60
SNAPSHOT_COMPLETION_WINDOW_MINUTES = 360


@dataclass(frozen=True)
class PlanRule:
    name: str
    schedule: str
    delete_after_days: int
    continuous: bool = False
    copied: bool = False  # also copied to the second region's vault
    interval_minutes: int = 24 * 60  # how often the rule makes a recovery point


def monthly_retention_days(retention_days: int, audit_retention_days: int, override: Optional[int] = None) -> int:
    """Days a monthly snapshot is kept; 0 means no monthly rule.

    The audit trail lives in the business database (`sys_audit_log`), so when the
    customer's audit policy outlasts the daily snapshots, a monthly snapshot keeps
    the database (and its audit rows) for as long as the policy asks.
    """
    if override is not None:
        return override
    return audit_retention_days if audit_retention_days > retention_days else 0


def plan_rules(
    retention_days: int,
    continuous_retention_days: int,
    monthly_days: int = 0,
    lock_max_days: Optional[int] = None,
    copy: bool = False,
) -> list[PlanRule]:
    """Continuous (point-in-time), daily snapshot and, when asked for, monthly snapshot rules."""
    rules = [
        PlanRule(
            "continuous",
            CONTINUOUS_SCHEDULE,
            min(continuous_retention_days, CONTINUOUS_BACKUP_MAX_DAYS),
            continuous=True,
            interval_minutes=POINT_IN_TIME_RPO_MINUTES,
        ),
        PlanRule("daily", DAILY_SCHEDULE, retention_days, copied=copy),
    ]
    fits_lock = lock_max_days is None or monthly_days <= lock_max_days
    if monthly_days > retention_days and fits_lock:
        rules.append(PlanRule("monthly", MONTHLY_SCHEDULE, monthly_days, copied=copy, interval_minutes=31 * 24 * 60))
    return rules


def vault_lock_mode(changeable_for_days: Optional[int]) -> str:
    """AWS Backup makes a lock with a grace period of 3 days or more a compliance lock."""
    if changeable_for_days is not None and changeable_for_days >= COMPLIANCE_MIN_CHANGEABLE_DAYS:
        return "COMPLIANCE"
    return "GOVERNANCE"


# --- recovery objectives ---------------------------------------------------------------

# AWS publishes no restore-time SLA. Estimate, for a database of tens of GB: about
# 30 minutes to create the instance or cluster from a recovery point (RDS/Aurora
# restore: provisioning plus log replay), plus 15 minutes of cutover (point
# OS_DATABASE_URL at it, roll the pods, wait for /api/v1/ready). The restore
# test measures the first part on the real database; see docs/backups.md.
RESTORE_ESTIMATE_MINUTES = 30
CUTOVER_ESTIMATE_MINUTES = 15


@dataclass(frozen=True)
class RecoveryTargets:
    """The recovery objectives a backup plan must meet."""

    rpo_minutes: int
    """Recovery point objective: the most data, in minutes, a restore may lose."""
    rto_minutes: int
    """Recovery time objective: the longest, in minutes, a restore may take."""


# The ObjectOS backup page's targets by tenancy.
OBJECTOS_TARGETS = {
    "single": RecoveryTargets(rpo_minutes=15, rto_minutes=60),
    "multi": RecoveryTargets(rpo_minutes=5, rto_minutes=30),
}


@dataclass(frozen=True)
class Objectives:
    rpo_minutes: int
    rto_minutes: int
    targets: RecoveryTargets

    @property
    def meets_targets(self) -> bool:
        return self.rpo_minutes <= self.targets.rpo_minutes and self.rto_minutes <= self.targets.rto_minutes

    def shortfalls(self) -> list[str]:
        found = []
        if self.rpo_minutes > self.targets.rpo_minutes:
            found.append(f"RPO {self.rpo_minutes} min is above the {self.targets.rpo_minutes} min target")
        if self.rto_minutes > self.targets.rto_minutes:
            found.append(f"RTO {self.rto_minutes} min is above the {self.targets.rto_minutes} min target")
        return found


def recovery_objectives(
    rules: list[PlanRule],
    targets: RecoveryTargets = OBJECTOS_TARGETS["single"],
    restore_minutes: int = RESTORE_ESTIMATE_MINUTES,
) -> Objectives:
    """RPO: the most frequent rule's gap between recovery points. RTO: restore plus cutover."""
    rpo = min(rule.interval_minutes for rule in rules)
    return Objectives(rpo_minutes=rpo, rto_minutes=restore_minutes + CUTOVER_ESTIMATE_MINUTES, targets=targets)


# --- names AWS accepts -----------------------------------------------------------------

RESTORE_TEST_NAME_MAX = 50
BACKUP_NAME_MAX = 50  # vaults and plans


def _fit(raw: str, not_allowed: str, separator: str, limit: int, fallback: str) -> str:
    """`raw` with disallowed runs replaced by `separator`, trimmed to `limit`.

    Long names keep their start plus a hash of the whole, so two long stacks never collide.
    """
    name = re.sub(not_allowed, separator, raw).strip(separator) or fallback
    if len(name) <= limit:
        return name
    digest = hashlib.sha256(raw.encode()).hexdigest()[:8]
    return f"{name[: limit - len(digest) - 1].rstrip(separator)}{separator}{digest}"


def restore_test_name(*parts: str) -> str:
    """A restore testing plan or selection name: letters, digits and underscores, 1-50 chars."""
    return _fit("_".join(parts), r"[^A-Za-z0-9_]+", "_", RESTORE_TEST_NAME_MAX, "objectos_restore_test")


def backup_name(*parts: str) -> str:
    """A backup vault or plan name: letters, digits and hyphens, 2-50 chars."""
    return _fit("-".join(parts), r"[^A-Za-z0-9-]+", "-", BACKUP_NAME_MAX, "objectos-backup")


def restore_target_type(database_arn: str) -> str:
    """AWS Backup's protected resource type for restore testing: Aurora for clusters, RDS for instances."""
    return "Aurora" if ":cluster:" in database_arn else "RDS"


# --- audit archive ---------------------------------------------------------------------

ARCHIVE_PREFIX = "audit/"
BUCKET_NAME_MAX = 63
# Storage class steps, in days after upload: each step is at least 30 days after the
# one before, which S3 lifecycle requires after STANDARD_IA; Deep Archive only after
# a year, since its 12-hour retrieval suits records nobody has asked for in a year.
ARCHIVE_TRANSITIONS: tuple[tuple[int, str], ...] = ((30, "STANDARD_IA"), (90, "GLACIER_IR"), (365, "DEEP_ARCHIVE"))
ABORT_INCOMPLETE_UPLOAD_DAYS = 7


@dataclass(frozen=True)
class ArchiveLifecycle:
    transitions: tuple[tuple[int, str], ...]
    noncurrent_expiry_days: int
    abort_incomplete_upload_days: int = ABORT_INCOMPLETE_UPLOAD_DAYS


def archive_lifecycle(retention_days: int) -> ArchiveLifecycle:
    """Colder storage as records age; a replaced or deleted version goes once the policy has passed."""
    return ArchiveLifecycle(transitions=ARCHIVE_TRANSITIONS, noncurrent_expiry_days=retention_days)


def archive_bucket_name(prefix: str, account_id: str, region: str) -> str:
    """Globally unique by account and region; S3's 63-character limit trims the prefix."""
    suffix = f"-audit-{account_id}-{region}"
    head = re.sub(r"[^a-z0-9-]+", "-", prefix.lower())[: BUCKET_NAME_MAX - len(suffix)].strip("-")
    return f"{head}{suffix}"


def tls_only_bucket_policy(bucket_arn: str) -> str:
    """Deny every request to the bucket that is not HTTPS with TLS 1.2 or later."""
    resources = [bucket_arn, f"{bucket_arn}/*"]
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "DenyInsecureTransport",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": resources,
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                },
                {
                    "Sid": "DenyOutdatedTls",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": resources,
                    "Condition": {"NumericLessThan": {"s3:TlsVersion": "1.2"}},
                },
            ],
        }
    )


def archive_writer_policy(bucket_arn: str, prefix: str, key_arn: str) -> str:
    """What the workload needs to ship audit records: write under the prefix, encrypt with the key."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "WriteAuditArchive",
                    "Effect": "Allow",
                    "Action": ["s3:PutObject"],
                    "Resource": [f"{bucket_arn}/{prefix}*"],
                },
                {
                    "Sid": "EncryptAuditArchive",
                    "Effect": "Allow",
                    "Action": ["kms:GenerateDataKey", "kms:Encrypt"],
                    "Resource": [key_arn],
                },
            ],
        }
    )


def backup_role_trust_policy() -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": service_principal("backup")},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    )


BACKUP_MANAGED_POLICIES = {
    "backup": "service-role/AWSBackupServiceRolePolicyForBackup",
    "restores": "service-role/AWSBackupServiceRolePolicyForRestores",
}


def managed_policy_arns(partition: str) -> dict[str, str]:
    """The AWS-managed policies the backup role carries, by purpose."""
    return {purpose: f"arn:{partition}:iam::aws:policy/{name}" for purpose, name in BACKUP_MANAGED_POLICIES.items()}


# --- key policies ---------------------------------------------------------------------------


def arn_parts(arn: str) -> tuple[str, str, str]:
    """(partition, region, account) of an ARN such as the database's."""
    parts = arn.split(":")
    if len(parts) < 6 or parts[0] != "arn" or not parts[3] or not parts[4]:
        raise ValueError(f"'{arn}' is not a regional ARN (arn:<partition>:<service>:<region>:<account>:...)")
    return parts[1], parts[3], parts[4]


def service_key_policy(partition_name: str, account_id: str, service: str, region: str, grants: bool) -> str:
    """Key policy: the account administers the key; its principals use it only through `service` in `region`.

    `grants`: the service also creates grants for the AWS resources it manages (AWS Backup does).
    In a key policy "Resource": "*" means this key.
    """
    root = {"AWS": account_root(partition_name, account_id)}
    through = {"StringEquals": {"kms:ViaService": service_host(service, region), "kms:CallerAccount": account_id}}
    statements = [
        {"Sid": "AccountAdministersKey", "Effect": "Allow", "Principal": root, "Action": KEY_ADMIN_ACTIONS,
         "Resource": "*"},
        {"Sid": f"UseThrough{service.title()}", "Effect": "Allow", "Principal": root, "Action": KEY_USE_ACTIONS,
         "Resource": "*", "Condition": through},
    ]  # fmt: skip
    if grants:
        statements.append(
            {"Sid": f"{service.title()}Grants", "Effect": "Allow", "Principal": root,
             "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"], "Resource": "*",
             "Condition": {**through, "Bool": {"kms:GrantIsForAWSResource": "true"}}}
        )  # fmt: skip
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def backup_vault_key_policy(database_arn: str, region: Optional[str] = None) -> str:
    """The vault key in the database's account: used only by AWS Backup in the vault's region (default: the database's)."""
    partition_name, database_region, account_id = arn_parts(database_arn)
    return service_key_policy(partition_name, account_id, "backup", region or database_region, grants=True)


def archive_key_policy(partition_name: str, account_id: str, region: str) -> str:
    """The audit archive's key: used only by S3 (SSE-KMS) in the archive's region."""
    return service_key_policy(partition_name, account_id, "s3", region, grants=False)
