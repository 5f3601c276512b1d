"""Partitions, service names and the log-group key policy, decided once for every component (pure)."""

from __future__ import annotations

import json

import pytest

from components import backup_schedule, secret_catalog
from objectos_core import names as aws_names
from objectos_core import waf_rules

ACCOUNT = "123456789012"


@pytest.mark.parametrize(
    "region, partition, suffix",
    [
        ("eu-west-1", "aws", "amazonaws.com"),
        ("cn-north-1", "aws-cn", "amazonaws.com.cn"),
        ("us-gov-west-1", "aws-us-gov", "amazonaws.com"),
    ],
)
def test_the_region_decides_the_partition_and_the_service_dns_suffix(region, partition, suffix):
    assert aws_names.partition(region) == partition
    assert aws_names.dns_suffix(partition) == suffix
    assert aws_names.service_principal("logs", region) == f"logs.{region}.{suffix}"


def test_global_service_principals_are_spelled_the_same_in_every_partition():
    assert aws_names.service_principal("backup") == "backup.amazonaws.com"
    assert aws_names.service_principal("delivery.logs") == "delivery.logs.amazonaws.com"


def test_the_partition_of_an_arn_is_its_second_field():
    assert aws_names.partition_of("arn:aws-cn:rds:cn-north-1:123456789012:db:objectos") == "aws-cn"
    with pytest.raises(ValueError, match="not an ARN"):
        aws_names.partition_of("objectos-db")


def logs_statement(policy: str | dict) -> dict:
    statements = (json.loads(policy) if isinstance(policy, str) else policy)["Statement"]
    (logs,) = [s for s in statements if "Service" in s["Principal"]]
    return logs


def test_cloudwatch_logs_may_use_the_key_for_the_one_log_group_only():
    logs = logs_statement(aws_names.log_group_key_policy("aws", ACCOUNT, "eu-west-1", "/objectos/prod/workload"))
    assert logs["Principal"] == {"Service": "logs.eu-west-1.amazonaws.com"}
    assert logs["Condition"] == {
        "ArnEquals": {
            "kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:/objectos/prod/workload"
        }
    }


def test_the_china_key_policy_names_china_arns_and_the_china_logs_principal():
    policy = json.loads(aws_names.log_group_key_policy("aws-cn", ACCOUNT, "cn-north-1", "aws-waf-logs-x"))
    admin, logs = policy["Statement"]
    assert admin["Principal"] == {"AWS": f"arn:aws-cn:iam::{ACCOUNT}:root"}
    assert logs["Principal"] == {"Service": "logs.cn-north-1.amazonaws.com.cn"}
    assert logs["Condition"]["ArnEquals"]["kms:EncryptionContext:aws:logs:arn"].startswith("arn:aws-cn:logs:")


def test_a_partition_that_does_not_hold_the_region_is_refused():
    with pytest.raises(ValueError, match="does not hold region cn-north-1"):
        aws_names.log_group_key_policy("aws", ACCOUNT, "cn-north-1", "/objectos/prod/workload")


def test_a_log_group_prefix_is_matched_with_arn_like():
    statement = aws_names.logs_key_statement(ACCOUNT, "eu-west-1", "/objectos/prod/*", "Stack")
    assert list(statement["Condition"]) == ["ArnLike"]


# --- every policy document takes its names from here -------------------------------------------------


def test_the_secrets_key_policy_uses_the_shared_logs_statement_and_china_service_names():
    policy = secret_catalog.key_policy(ACCOUNT, "cn-north-1", "prod", partition="aws-cn")
    assert logs_statement(policy) == aws_names.logs_key_statement(
        ACCOUNT, "cn-north-1", "/objectos/prod/*", "CloudWatchLogsForStackLogGroups"
    )
    conditions = [s.get("Condition", {}) for s in policy["Statement"]]
    via = {c["StringEquals"]["kms:ViaService"] for c in conditions if "StringEquals" in c}
    assert via == {"secretsmanager.cn-north-1.amazonaws.com.cn", "elasticache.cn-north-1.amazonaws.com.cn"}


def test_the_workload_decrypts_through_the_regional_secrets_manager_name():
    policy = secret_catalog.workload_read_policy(["arn:aws-cn:secretsmanager:x"], "arn:aws-cn:kms:k", "cn-north-1")
    decrypt = policy["Statement"][1]
    assert decrypt["Condition"] == {"StringEquals": {"kms:ViaService": "secretsmanager.cn-north-1.amazonaws.com.cn"}}


def test_the_waf_log_delivery_and_the_backup_role_use_the_global_principals():
    (delivery,) = json.loads(waf_rules.log_delivery_policy("cn-north-1", ACCOUNT, "aws-waf-logs-x"))["Statement"]
    (trust,) = json.loads(backup_schedule.backup_role_trust_policy())["Statement"]
    assert delivery["Principal"] == {"Service": "delivery.logs.amazonaws.com"}
    assert trust["Principal"] == {"Service": "backup.amazonaws.com"}
