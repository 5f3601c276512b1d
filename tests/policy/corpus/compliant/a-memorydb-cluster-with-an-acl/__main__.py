"""A MemoryDB cluster with TLS, a customer-managed key and an ACL of users."""

import pulumi
import pulumi_aws as aws

acl = aws.memorydb.Acl("sessions-acl", name="sessions-acl")
aws.memorydb.Cluster(
    "sessions",
    acl_name=acl.name,
    node_type="db.t4g.small",
    engine="redis",
    tls_enabled=True,
    kms_key_arn="arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    opts=pulumi.ResourceOptions(protect=True),
)
