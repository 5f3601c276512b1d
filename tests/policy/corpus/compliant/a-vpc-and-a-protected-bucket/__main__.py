"""A VPC and a protected bucket: no ObjectOS here, so none of the kit's parts is required."""

import pulumi
import pulumi_aws as aws

aws.ec2.Vpc("main", cidr_block="10.0.0.0/16")
data = aws.s3.Bucket("data", bucket="acme-data", opts=pulumi.ResourceOptions(protect=True))
aws.s3.BucketPublicAccessBlock(
    "data-block",
    bucket=data.id,
    block_public_acls=True,
    block_public_policy=True,
    ignore_public_acls=True,
    restrict_public_buckets=True,
)
