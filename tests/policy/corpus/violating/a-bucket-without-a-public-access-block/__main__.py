"""A protected BucketV2 with no public access block, for the bucket or the account."""

import pulumi
import pulumi_aws as aws

aws.s3.BucketV2("uploads", bucket="acme-uploads", opts=pulumi.ResourceOptions(protect=True))
