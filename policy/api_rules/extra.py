"""Rules AWS documents for a member but its model shape does not carry.

Each one names the member whose model documentation states it and a phrase of that
documentation (tests/policy/test_api_rules.py checks the phrase is still there), so a rule
here is sourced from the same model file, never invented.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Extra:
    service: str
    structure: str  # the model shape that has the member, wherever it is used
    member: str
    kind: str  # pattern | enum | range | length
    spec: Any
    evidence: str  # a phrase of the member's documentation in the model (HTML tags removed)


_EC2_DESCRIPTION = r"[a-zA-Z0-9 ._\-:/()#,@\[\]+=&;{}!$*]*"  # "a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=&;{}!$*"
_EC2_DESCRIPTION_NO_AMP = r"[a-zA-Z0-9 ._\-:/()#,@\[\]+=;{}!$*]*"  # the prefix-list and group-pair docs omit '&'
_EC2_RULE_EVIDENCE = "Allowed characters are a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=&;{}!$*"
_EC2_RULE_EVIDENCE_NO_AMP = "Allowed characters are a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=;{}!$*"
_LOG_RETENTION = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)

EXTRAS: tuple[Extra, ...] = (
    # EC2: security group and rule descriptions (an apostrophe fails the API call)
    Extra(
        "ec2",
        "CreateSecurityGroupRequest",
        "Description",
        "pattern",
        _EC2_DESCRIPTION,
        "Valid characters: a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=&;{}!$*",
    ),
    Extra("ec2", "CreateSecurityGroupRequest", "Description", "length", (0, 255), "Up to 255 characters in length"),
    *(
        Extra("ec2", structure, "Description", kind, spec, evidence)
        for structure, charset, charset_evidence in (
            ("IpRange", _EC2_DESCRIPTION, _EC2_RULE_EVIDENCE),
            ("Ipv6Range", _EC2_DESCRIPTION, _EC2_RULE_EVIDENCE),
            ("PrefixListId", _EC2_DESCRIPTION_NO_AMP, _EC2_RULE_EVIDENCE_NO_AMP),
            ("UserIdGroupPair", _EC2_DESCRIPTION_NO_AMP, _EC2_RULE_EVIDENCE_NO_AMP),
        )
        for kind, spec, evidence in (
            ("pattern", charset, charset_evidence),
            ("length", (0, 255), "Up to 255 characters in length"),
        )
    ),
    # CloudWatch Logs: retention is one of a fixed set of days
    Extra(
        "logs",
        "PutRetentionPolicyRequest",
        "retentionInDays",
        "enum",
        _LOG_RETENTION,
        "Possible values are: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, "
        "2557, 2922, 3288, and 3653",
    ),
    # ElastiCache: the AUTH token and the replication group id
    Extra(
        "elasticache",
        "CreateReplicationGroupMessage",
        "AuthToken",
        "pattern",
        r"[A-Za-z0-9!&#$^<>\-]{16,128}",
        "The only permitted printable special characters are !, &, #, $, ^, <, >, and -",
    ),
    Extra(
        "elasticache",
        "CreateReplicationGroupMessage",
        "ReplicationGroupId",
        "pattern",
        r"[A-Za-z](?:[A-Za-z0-9]|-(?!-)){0,39}(?<!-)",
        "A name must contain from 1 to 40 alphanumeric characters or hyphens",
    ),
    # AWS Backup: restore testing names and windows
    Extra(
        "backup",
        "RestoreTestingPlanForCreate",
        "RestoreTestingPlanName",
        "pattern",
        r"[A-Za-z0-9_]+",
        "it must consist of only alphanumeric characters and underscores",
    ),
    Extra(
        "backup",
        "RestoreTestingPlanForCreate",
        "StartWindowHours",
        "range",
        (1, 168),
        "this parameter has a maximum value of 168 hours",
    ),
    # WAFv2: the rate-based rule's evaluation window
    Extra(
        "wafv2",
        "RateBasedStatement",
        "EvaluationWindowSec",
        "enum",
        (60, 120, 300, 600),
        "Valid settings are 60, 120, 300, and 600",
    ),
    # KMS and Secrets Manager: the deletion waiting period
    Extra(
        "kms",
        "ScheduleKeyDeletionRequest",
        "PendingWindowInDays",
        "range",
        (7, 30),
        "it must be between 7 and 30, inclusive",
    ),
    Extra(
        "secretsmanager",
        "DeleteSecretRequest",
        "RecoveryWindowInDays",
        "range",
        (7, 30),
        "The number of days from 7 to 30",
    ),
)


def doc_text(html: str) -> str:
    """Model documentation as plain text: tags dropped, entities decoded, spaces collapsed."""
    import html as html_lib
    import re

    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", html)).split())
