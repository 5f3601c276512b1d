"""An audit archive whose Object Lock is set inline on the bucket, for 30 days (prod keeps 2557).
Its public access is blocked and its reads are logged: the retention is the one violation."""

import pulumi
import pulumi_aws as aws

archive = aws.s3.Bucket(
    "audit-archive",
    bucket="acme-audit-archive",
    object_lock_configuration=aws.s3.BucketObjectLockConfigurationArgs(
        object_lock_enabled="Enabled",
        rule=aws.s3.BucketObjectLockConfigurationRuleArgs(
            default_retention=aws.s3.BucketObjectLockConfigurationRuleDefaultRetentionArgs(mode="COMPLIANCE", days=30)
        ),
    ),
    opts=pulumi.ResourceOptions(protect=True),
)
aws.s3.BucketPublicAccessBlock(
    "audit-archive-block",
    bucket=archive.id,
    block_public_acls=True,
    block_public_policy=True,
    ignore_public_acls=True,
    restrict_public_buckets=True,
)
aws.s3.BucketLogging("audit-archive-logging", bucket=archive.id, target_bucket="acme-logs", target_prefix="audit/")
