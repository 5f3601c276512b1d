"""A protected bucket that forceDestroy would still empty on deletion."""

import pulumi
import pulumi_aws as aws

aws.s3.Bucket("uploads", bucket="acme-uploads", force_destroy=True, opts=pulumi.ResourceOptions(protect=True))
