"""AWS names: partitions and what follows from them, and the tag keys the kit puts on resources.

Standard library only. The partition comes from the region (`cn-*` is aws-cn,
`us-gov-*` aws-us-gov), and with it the ARN prefix and the DNS suffix of
regional service names. Also the KMS key policy statement that lets CloudWatch
Logs use a key for given log groups, shared by every encrypted log group.
"""

import json
from typing import Any, Optional

# --- tags ----------------------------------------------------------------------
# The live verifier finds a stack's resources by TAG_STACK.
TAG_STACK = "objectos:stack"
TAG_ENVIRONMENT = "objectos:environment"
TAG_RELEASE = "objectos:release"
# On the pre-migration snapshot: which pair ran on the schema it holds.
TAG_IMAGE_DIGEST = "objectos:image-digest"
TAG_ARTIFACT_CHECKSUM = "objectos:artifact-checksum"

# --- partitions -------------------------------------------------------------------

PARTITIONS_BY_REGION_PREFIX = (("cn-", "aws-cn"), ("us-gov-", "aws-us-gov"))
DNS_SUFFIXES = {"aws-cn": "amazonaws.com.cn"}
DEFAULT_DNS_SUFFIX = "amazonaws.com"
# What CloudWatch Logs does with a key it encrypts a log group with.
LOGS_KEY_ACTIONS = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]


def partition(region: str) -> str:
    """The partition a region belongs to: aws, aws-cn or aws-us-gov."""
    for prefix, name in PARTITIONS_BY_REGION_PREFIX:
        if region.startswith(prefix):
            return name
    return "aws"


def partition_of(arn: str) -> str:
    """The partition an ARN names (its second field)."""
    parts = arn.split(":")
    if len(parts) < 6 or parts[0] != "arn" or not parts[1]:
        raise ValueError(f"'{arn}' is not an ARN (arn:<partition>:<service>:<region>:<account>:<resource>)")
    return parts[1]


def dns_suffix(partition_name: str) -> str:
    """Domain of the partition's service endpoints: amazonaws.com, amazonaws.com.cn in China."""
    return DNS_SUFFIXES.get(partition_name, DEFAULT_DNS_SUFFIX)


def service_host(service: str, region: str) -> str:
    """`<service>.<region>.<dns suffix>`: a regional service principal (logs) and its kms:ViaService value."""
    return f"{service}.{region}.{dns_suffix(partition(region))}"


def service_principal(service: str, region: Optional[str] = None) -> str:
    """A service principal: regional (`logs.<region>...`) when a region is given, else global (`backup.amazonaws.com`).

    Global principals are spelled the same in every partition.
    """
    return service_host(service, region) if region else f"{service}.{DEFAULT_DNS_SUFFIX}"


def account_root(partition_name: str, account_id: str) -> str:
    return f"arn:{partition_name}:iam::{account_id}:root"


def log_group_arn(region: str, account_id: str, name: str) -> str:
    """ARN of a log group; `name` may end in `*` to name a prefix."""
    return f"arn:{partition(region)}:logs:{region}:{account_id}:log-group:{name}"


def logs_key_statement(account_id: str, region: str, log_group_name: str, sid: str) -> dict[str, Any]:
    """Lets CloudWatch Logs in `region` use the key for the named log group (or prefix ending in `*`) only."""
    match = "ArnLike" if log_group_name.endswith("*") else "ArnEquals"
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": {"Service": service_principal("logs", region)},
        "Action": LOGS_KEY_ACTIONS,
        "Resource": "*",
        "Condition": {match: {"kms:EncryptionContext:aws:logs:arn": log_group_arn(region, account_id, log_group_name)}},
    }


def log_group_key_policy(partition_name: str, account_id: str, region: str, log_group_name: str) -> str:
    """Key policy: the account administers the key; CloudWatch Logs uses it for this log group only.

    In a key policy "Resource": "*" means this key.
    """
    if partition_name != partition(region):
        raise ValueError(f"partition {partition_name} does not hold region {region} (it is in {partition(region)})")
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "AccountAdministersKey",
                    "Effect": "Allow",
                    "Principal": {"AWS": account_root(partition_name, account_id)},
                    "Action": "kms:*",
                    "Resource": "*",
                },
                logs_key_statement(account_id, region, log_group_name, "CloudWatchLogsEncryptsThisLogGroup"),
            ],
        },
        indent=2,
    )
