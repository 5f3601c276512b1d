"""The BucketV2 token (pulumi-aws 6 programs) with forceDestroy."""

import pulumi
import pulumi_aws as aws

aws.s3.BucketV2("exports", bucket="acme-exports", force_destroy=True, opts=pulumi.ResourceOptions(protect=True))
