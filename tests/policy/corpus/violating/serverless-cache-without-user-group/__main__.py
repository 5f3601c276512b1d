"""An ElastiCache ServerlessCache (valkey) with no RBAC user group: its default user needs no password."""

import pulumi
import pulumi_aws as aws

aws.elasticache.ServerlessCache(
    "sessions",
    engine="valkey",
    name="sessions",
    kms_key_id="arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    opts=pulumi.ResourceOptions(protect=True),
)
