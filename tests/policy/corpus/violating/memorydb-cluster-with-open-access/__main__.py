"""A MemoryDB cluster (Redis-compatible) on the open-access ACL: no password needed."""

import pulumi
import pulumi_aws as aws

aws.memorydb.Cluster(
    "sessions",
    acl_name="open-access",
    node_type="db.t4g.small",
    engine="redis",
    kms_key_arn="arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    opts=pulumi.ResourceOptions(protect=True),
)
