"""A bucket whose access block is in place but whose bucket policy lets anyone ('*', no condition) read it."""

import json

import pulumi
import pulumi_aws as aws

site = aws.s3.Bucket("site", bucket="acme-site", opts=pulumi.ResourceOptions(protect=True))
aws.s3.BucketPublicAccessBlock(
    "site-block",
    bucket=site.id,
    block_public_acls=True,
    block_public_policy=True,
    ignore_public_acls=True,
    restrict_public_buckets=True,
)
aws.s3.BucketPolicy(
    "site-policy",
    bucket="acme-site",
    policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-site/*"}
            ],
        }
    ),
)
