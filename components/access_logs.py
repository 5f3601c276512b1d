"""AccessLogBucket: where the edge and the audit archive write their access logs.

One private bucket in the stack's region: the ALB (the Load Balancer Controller's
access_logs attributes) writes under `alb/`, S3 server access logging of the
audit archive under `s3-access/`, and CloudFront standard logging under
`cloudfront/`. Log delivery cannot write to an SSE-KMS bucket, so objects are
encrypted with S3-managed keys; public access is blocked, requests must use
TLS 1.2+, and logs expire after `retention_days`.
"""

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Optional

import pulumi
import pulumi_aws as aws

from objectos_core.names import account_root, dns_suffix, partition

from . import backup_schedule as schedule
from .inputs import args_of, fill_defaults, filled

ALB_PREFIX = "alb"
S3_ACCESS_PREFIX = "s3-access/"
CLOUDFRONT_PREFIX = "cloudfront/"
S3_LOG_DELIVERY = "logging.s3.amazonaws.com"
ELB_LOG_DELIVERY = "logdelivery.elasticloadbalancing.amazonaws.com"
# Regions opened before August 2022 deliver ALB logs from this Elastic Load Balancing account;
# later regions through ELB_LOG_DELIVERY (docs: "Enable access logs for your Application Load Balancer").
ELB_LOG_ACCOUNTS = {
    "us-east-1": "127311923021", "us-east-2": "033677994240", "us-west-1": "027434742980",
    "us-west-2": "797873946194", "af-south-1": "098369216593", "ap-east-1": "754344448648",
    "ap-southeast-3": "589379963580", "ap-south-1": "718504428378", "ap-northeast-3": "383597477331",
    "ap-northeast-2": "600734575887", "ap-southeast-1": "114774131450", "ap-southeast-2": "783225319266",
    "ap-northeast-1": "582318560864", "ca-central-1": "985666609251", "eu-central-1": "054676820928",
    "eu-west-1": "156460612806", "eu-west-2": "652711504416", "eu-south-1": "635631232127",
    "eu-west-3": "009996457667", "eu-north-1": "897822967062", "me-south-1": "076674570225",
    "sa-east-1": "507241528517", "us-gov-west-1": "048591011584", "us-gov-east-1": "190560391635",
    "cn-north-1": "638102146993", "cn-northwest-1": "037604701340",
}  # fmt: skip


@dataclass
class AccessLogBucketArgs:
    """Inputs of AccessLogBucket."""

    name_prefix: str
    """Prefix of the bucket name, e.g. objectos-prod."""
    account_id: str
    """AWS account that owns the bucket (its name, and the only account whose resources may deliver logs)."""
    region: str
    """The stack's region: an ALB delivers logs only to a bucket in its own region."""
    retention_days: Optional[int] = 400
    """Days access logs are kept before they expire."""
    cloudfront: Optional[bool] = False
    """CloudFront standard logging writes here: it delivers with an ACL grant, so ACLs stay enabled (owner preferred)."""
    tags: Optional[Mapping[str, str]] = field(default_factory=dict)
    """Tags on the bucket."""

    def __post_init__(self) -> None:
        fill_defaults(self)
        if filled(self.retention_days) < 1:
            raise ValueError(f"AccessLogBucketArgs.retention_days must be at least 1, got {self.retention_days}")


def log_bucket_name(prefix: str, account_id: str, region: str) -> str:
    """Globally unique by account and region; S3's 63-character limit trims the prefix."""
    suffix = f"-access-logs-{account_id}-{region}"
    head = re.sub(r"[^a-z0-9-]+", "-", prefix.lower())[: schedule.BUCKET_NAME_MAX - len(suffix)].strip("-")
    return f"{head}{suffix}"


def elb_log_principal(region: str) -> dict[str, str]:
    """Who delivers ALB access logs in `region`: its ELB account, or the log delivery service in newer regions."""
    account = ELB_LOG_ACCOUNTS.get(region)
    if account is not None:
        return {"AWS": account_root(partition(region), account)}
    return {"Service": ELB_LOG_DELIVERY}


def log_bucket_policy(bucket_arn: str, account_id: str, region: str) -> str:
    """TLS-only, plus delivery of the ALB's logs and S3 server access logs from this account's buckets only."""
    tls_only: list[dict[str, Any]] = json.loads(schedule.tls_only_bucket_policy(bucket_arn))["Statement"]
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                *tls_only,
                {
                    "Sid": "AlbAccessLogDelivery",
                    "Effect": "Allow",
                    "Principal": elb_log_principal(region),
                    "Action": "s3:PutObject",
                    "Resource": f"{bucket_arn}/{ALB_PREFIX}/AWSLogs/{account_id}/*",
                },
                {
                    "Sid": "S3ServerAccessLogDelivery",
                    "Effect": "Allow",
                    "Principal": {"Service": S3_LOG_DELIVERY},
                    "Action": "s3:PutObject",
                    "Resource": f"{bucket_arn}/{S3_ACCESS_PREFIX}*",
                    "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
                },
            ],
        }
    )


class AccessLogBucket(pulumi.ComponentResource):
    """A private, TLS-only, expiring S3 bucket receiving ALB, CloudFront and S3 server access logs."""

    name: str
    """The bucket's name, known before it exists (the Ingress annotation takes a plain string)."""
    bucket_name: pulumi.Output[str]
    """The bucket's name, once it exists (wait on it, or on the component)."""
    domain_name: pulumi.Output[str]
    """`<bucket>.s3.amazonaws.com`: what CloudFront's logging_config takes."""

    def __init__(self, name: str, args: AccessLogBucketArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("objectos:index:AccessLogBucket", name, None, opts)
        args = args_of(AccessLogBucketArgs, args)
        child = pulumi.ResourceOptions(parent=self)
        region_partition = partition(args.region)
        bucket_name = log_bucket_name(args.name_prefix, args.account_id, args.region)
        bucket_arn = f"arn:{region_partition}:s3:::{bucket_name}"

        bucket = aws.s3.Bucket(
            f"{name}-bucket",
            bucket=bucket_name,
            force_destroy=False,
            tags=dict(filled(args.tags)),
            opts=pulumi.ResourceOptions(parent=self, protect=True),
        )
        ownership = aws.s3.BucketOwnershipControls(
            f"{name}-ownership",
            bucket=bucket.id,
            rule=aws.s3.BucketOwnershipControlsRuleArgs(
                object_ownership="BucketOwnerPreferred" if args.cloudfront else "BucketOwnerEnforced"
            ),
            opts=child,
        )
        public_access = aws.s3.BucketPublicAccessBlock(
            f"{name}-public-access",
            bucket=bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption",
            bucket=bucket.id,
            rules=[
                aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                    apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                        sse_algorithm="AES256"
                    )
                )
            ],
            opts=child,
        )
        policy = aws.s3.BucketPolicy(
            f"{name}-policy",
            bucket=bucket.id,
            policy=log_bucket_policy(bucket_arn, args.account_id, args.region),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[public_access, ownership]),
        )
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-lifecycle",
            bucket=bucket.id,
            rules=[
                aws.s3.BucketLifecycleConfigurationRuleArgs(
                    id="expire-access-logs",
                    status="Enabled",
                    filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                    expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(days=args.retention_days),
                    abort_incomplete_multipart_upload=aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                        days_after_initiation=schedule.ABORT_INCOMPLETE_UPLOAD_DAYS
                    ),
                )
            ],
            opts=child,
        )

        suffix = dns_suffix(region_partition)
        self.name = bucket_name
        # Through the policy: a delivery configured before it exists is refused.
        self.bucket_name = pulumi.Output.all(bucket.bucket, policy.id).apply(lambda values: values[0])
        self.domain_name = self.bucket_name.apply(lambda value: f"{value}.s3.{suffix}")
        self.register_outputs({"bucket_name": self.bucket_name, "domain_name": self.domain_name})
