"""A KMS key with a scoped key policy, an IAM policy reading one bucket, and that bucket private."""

import json

import pulumi
import pulumi_aws as aws

ACCOUNT_ROOT = {"AWS": "arn:aws:iam::123456789012:root"}

aws.kms.Key(
    "data-key",
    description="data",
    enable_key_rotation=True,
    policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": ACCOUNT_ROOT,
                    "Action": ["kms:Describe*", "kms:Put*", "kms:ScheduleKeyDeletion"],
                    "Resource": "*",
                },
                {
                    "Effect": "Allow",
                    "Principal": ACCOUNT_ROOT,
                    "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                    "Resource": "*",
                    "Condition": {"StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}},
                },
            ],
        }
    ),
    opts=pulumi.ResourceOptions(protect=True),
)
aws.iam.Policy(
    "reader",
    policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::acme-reports/*"}],
        }
    ),
)
reports = aws.s3.BucketV2("reports", bucket="acme-reports", opts=pulumi.ResourceOptions(protect=True))
aws.s3.BucketPublicAccessBlock(
    "reports-block",
    bucket=reports.id,
    block_public_acls=True,
    block_public_policy=True,
    ignore_public_acls=True,
    restrict_public_buckets=True,
)
