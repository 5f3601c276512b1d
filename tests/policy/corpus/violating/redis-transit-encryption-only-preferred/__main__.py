"""A Redis replication group whose transit encryption is only `preferred`: clients may still connect in clear."""

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
aws.elasticache.ReplicationGroup(
    "cache",
    description="sessions",
    engine="redis",
    node_type="cache.t4g.small",
    transit_encryption_enabled=True,
    transit_encryption_mode="preferred",
    at_rest_encryption_enabled=True,
    auth_token=config.require_secret("redisAuthToken"),
    kms_key_id="arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    opts=pulumi.ResourceOptions(protect=True),
)
