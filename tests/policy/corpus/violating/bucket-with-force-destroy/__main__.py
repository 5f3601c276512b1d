"""A protected bucket that forceDestroy would still empty on deletion."""

import pulumi
import pulumi_aws as aws

uploads = aws.s3.Bucket("uploads", bucket="acme-uploads", force_destroy=True, opts=pulumi.ResourceOptions(protect=True))
aws.s3.BucketPublicAccessBlock(
    "uploads-block",
    bucket=uploads.id,
    block_public_acls=True,
    block_public_policy=True,
    ignore_public_acls=True,
    restrict_public_buckets=True,
)
