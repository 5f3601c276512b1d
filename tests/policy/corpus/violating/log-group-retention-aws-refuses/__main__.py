"""A log group kept 42 days: CloudWatch Logs accepts only its listed retention periods."""

import pulumi
import pulumi_aws as aws

aws.cloudwatch.LogGroup("app", name="/shop/app", retention_in_days=42, opts=pulumi.ResourceOptions(protect=True))
