"""The BucketV2 token (pulumi-aws 6 programs) with forceDestroy."""

import pulumi
import pulumi_aws as aws

exports = aws.s3.BucketV2(
    "exports", bucket="acme-exports", force_destroy=True, opts=pulumi.ResourceOptions(protect=True)
)
aws.s3.BucketPublicAccessBlock(
    "exports-block",
    bucket=exports.id,
    block_public_acls=True,
    block_public_policy=True,
    ignore_public_acls=True,
    restrict_public_buckets=True,
)
