"""An audit archive whose Object Lock is set inline on the bucket, for 30 days (prod keeps 2557)."""

import pulumi
import pulumi_aws as aws

aws.s3.Bucket(
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
