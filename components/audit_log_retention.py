"""AuditLogRetention: where ObjectOS audit records are kept for the customer's policy.

ObjectOS writes its audit trail to `sys_audit_log` and archives old rows to a
datasource; immutability is the host's job. This component gives the archive an
S3 bucket under Object Lock (versioned, SSE-KMS under a key only S3 may use,
private, TLS only, server access logs to a log bucket, colder storage as
records age) and the workload's logs a KMS-encrypted CloudWatch log group,
both kept for the policy's number of days.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Optional

import pulumi
import pulumi_aws as aws

from objectos_core.names import log_group_key_policy

from . import backup_schedule as schedule
from .access_logs import S3_ACCESS_PREFIX as ACCESS_LOG_PREFIX
from .inputs import args_of, fill_defaults, filled, member_of


class ObjectLockMode(StrEnum):
    """How strictly S3 Object Lock keeps an audit record for its retention."""

    COMPLIANCE = "COMPLIANCE"
    """Nobody, not even the account root, can delete or shorten a record's retention."""
    GOVERNANCE = "GOVERNANCE"
    """Users with s3:BypassGovernanceRetention can delete a record early."""


@dataclass
class AuditLogRetentionArgs:
    """Inputs of AuditLogRetention."""

    name_prefix: str
    """Prefix of the bucket name, e.g. objectos-prod."""
    account_id: str
    """AWS account that owns the bucket and the log group (for names and the key policy)."""
    region: str
    """The stack's region (for the bucket name and the log key policy)."""
    retention_days: int
    """The customer's audit policy in days: Object Lock retention and log group retention."""
    log_group_name: str
    """CloudWatch log group for the workload's logs."""
    object_lock_mode: Optional[ObjectLockMode] = ObjectLockMode.COMPLIANCE
    """COMPLIANCE: nobody can delete a record early; GOVERNANCE: privileged users can."""
    archive_prefix: Optional[str] = schedule.ARCHIVE_PREFIX
    """Key prefix the workload writes audit records under."""
    partition: Optional[str] = "aws"
    """AWS partition of the ARNs (aws, aws-cn, aws-us-gov)."""
    access_logs_bucket: Optional[pulumi.Input[str]] = None
    """Bucket receiving the archive's S3 server access logs (AccessLogBucket.bucket_name); None keeps them off."""
    writer_role_name: Optional[pulumi.Input[str]] = None
    """IAM role of the workload that writes the records (AppSecrets.workload_role_name): it gets writer_policy."""
    tags: Optional[Mapping[str, str]] = field(default_factory=dict)
    """Tags on every taggable resource."""

    def __post_init__(self) -> None:
        fill_defaults(self)
        self.object_lock_mode = member_of(
            ObjectLockMode, self.object_lock_mode, "AuditLogRetentionArgs.object_lock_mode"
        )
        if self.retention_days < 1:
            raise ValueError(f"AuditLogRetentionArgs.retention_days must be at least 1, got {self.retention_days}")


class AuditLogRetention(pulumi.ComponentResource):
    """Object-Locked S3 archive and KMS-encrypted log group for the audit trail."""

    bucket_name: pulumi.Output[str]
    """The archive bucket."""
    archive_prefix: str
    """Key prefix for audit records in the bucket."""
    log_group_name: pulumi.Output[str]
    """The workload's log group."""
    kms_key_arn: pulumi.Output[str]
    """The archive's encryption key (writers need kms:GenerateDataKey on it)."""
    writer_policy: pulumi.Output[str]
    """IAM policy JSON that lets the workload write records to the archive (attached to writer_role_name if given)."""

    def __init__(self, name: str, args: AuditLogRetentionArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("objectos:index:AuditLogRetention", name, None, opts)
        args = args_of(AuditLogRetentionArgs, args)
        tags = dict(filled(args.tags))
        child = pulumi.ResourceOptions(parent=self)
        # Audit records, and the keys that decrypt them, must outlive the stack.
        keep = pulumi.ResourceOptions(parent=self, protect=True, retain_on_delete=True)

        key = aws.kms.Key(
            f"{name}-key",
            description=f"Audit log archive of {args.name_prefix}",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=schedule.archive_key_policy(filled(args.partition), args.account_id, args.region),
            tags=tags,
            opts=keep,
        )
        bucket_name = schedule.archive_bucket_name(args.name_prefix, args.account_id, args.region)
        bucket_arn = f"arn:{args.partition}:s3:::{bucket_name}"
        bucket = aws.s3.Bucket(
            f"{name}-bucket",
            bucket=bucket_name,
            object_lock_enabled=True,
            force_destroy=False,
            tags=tags,
            opts=keep,
        )
        ownership = aws.s3.BucketOwnershipControls(
            f"{name}-ownership",
            bucket=bucket.id,
            rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
            opts=child,
        )
        public_access = aws.s3.BucketPublicAccessBlock(
            f"{name}-public-access",
            bucket=bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )
        versioning = aws.s3.BucketVersioning(
            f"{name}-versioning",
            bucket=bucket.id,
            versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"),
            opts=pulumi.ResourceOptions(parent=self, protect=True),
        )
        aws.s3.BucketObjectLockConfiguration(
            f"{name}-object-lock",
            bucket=bucket.id,
            rule=aws.s3.BucketObjectLockConfigurationRuleArgs(
                default_retention=aws.s3.BucketObjectLockConfigurationRuleDefaultRetentionArgs(
                    mode=args.object_lock_mode, days=args.retention_days
                )
            ),
            opts=pulumi.ResourceOptions(parent=self, protect=True, depends_on=[versioning]),
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption",
            bucket=bucket.id,
            rules=[
                aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                    apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                        sse_algorithm="aws:kms", kms_master_key_id=key.arn
                    ),
                    bucket_key_enabled=True,
                )
            ],
            opts=child,
        )
        aws.s3.BucketPolicy(
            f"{name}-policy",
            bucket=bucket.id,
            policy=schedule.tls_only_bucket_policy(bucket_arn),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[public_access, ownership]),
        )
        if args.access_logs_bucket is not None:
            # Every read of a record leaves a line in the log bucket.
            aws.s3.BucketLogging(
                f"{name}-access-logging",
                bucket=bucket.id,
                target_bucket=args.access_logs_bucket,
                target_prefix=f"{ACCESS_LOG_PREFIX}{bucket_name}/",
                opts=child,
            )
        lifecycle = schedule.archive_lifecycle(args.retention_days)
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-lifecycle",
            bucket=bucket.id,
            rules=[
                aws.s3.BucketLifecycleConfigurationRuleArgs(
                    id="audit-archive",
                    status="Enabled",
                    filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=args.archive_prefix),
                    transitions=[
                        aws.s3.BucketLifecycleConfigurationRuleTransitionArgs(days=days, storage_class=storage_class)
                        for days, storage_class in lifecycle.transitions
                    ],
                    noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                        noncurrent_days=lifecycle.noncurrent_expiry_days
                    ),
                ),
                # Bucket-wide: an upload left unfinished under any prefix is billed until aborted.
                aws.s3.BucketLifecycleConfigurationRuleArgs(
                    id="abort-incomplete-uploads",
                    status="Enabled",
                    filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(),
                    abort_incomplete_multipart_upload=aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                        days_after_initiation=lifecycle.abort_incomplete_upload_days
                    ),
                ),
            ],
            opts=pulumi.ResourceOptions(parent=self, depends_on=[versioning]),
        )

        log_key = aws.kms.Key(
            f"{name}-logs-key",
            description=f"Log group {args.log_group_name}",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=log_group_key_policy(filled(args.partition), args.account_id, args.region, args.log_group_name),
            tags=tags,
            opts=keep,
        )
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs",
            name=args.log_group_name,
            retention_in_days=args.retention_days,
            kms_key_id=log_key.arn,
            deletion_protection_enabled=True,
            tags=tags,
            opts=keep,
        )

        archive_prefix = filled(args.archive_prefix)
        self.bucket_name = bucket.bucket
        self.archive_prefix = archive_prefix
        self.log_group_name = log_group.name
        self.kms_key_arn = key.arn
        self.writer_policy = key.arn.apply(
            lambda key_arn: schedule.archive_writer_policy(bucket_arn, archive_prefix, key_arn)
        )
        if args.writer_role_name is not None:
            # Without it the archive is never written: nothing else lets the workload put records.
            aws.iam.RolePolicy(
                f"{name}-writer",
                aws.iam.RolePolicyArgs(
                    role=args.writer_role_name, name="write-objectos-audit-archive", policy=self.writer_policy
                ),
                opts=child,
            )
        self.register_outputs(
            {
                "bucket_name": self.bucket_name,
                "archive_prefix": self.archive_prefix,
                "log_group_name": self.log_group_name,
                "kms_key_arn": self.kms_key_arn,
                "writer_policy": self.writer_policy,
            }
        )
