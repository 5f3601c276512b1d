"""The numbers AWS, browsers and ObjectOS hold the kit to, each defined once.

Settings validate against them, components build within them, the policy pack
and the live verifier judge by them. Sources: the AWS WAF developer guide
(rate-based rules, WCU costs), CloudWatch Logs PutRetentionPolicy, AWS Backup,
CloudFront quotas, hstspreload.org, and the ObjectOS backup page.
"""

from __future__ import annotations

from typing import Optional

# --- AWS WAF rate-based rules ------------------------------------------------------

RATE_LIMIT_MIN, RATE_LIMIT_MAX = 10, 2_000_000_000  # requests per window per aggregation key
EVALUATION_WINDOWS = (60, 120, 300, 600)  # seconds
DEFAULT_EVALUATION_WINDOW = 300  # what AWS uses when a rule names none

# --- AWS WAF capacity (WCU) ----------------------------------------------------------

WEB_ACL_CAPACITY_LIMIT = 1500  # WCU included in the web ACL's base price; more costs extra
TEXT_TRANSFORMATION_WCU = 10
RATE_BASED_WCU, CUSTOM_KEY_WCU = 2, 30
BYTE_MATCH_WCU = {"EXACTLY": 2, "STARTS_WITH": 2, "ENDS_WITH": 2, "CONTAINS": 10, "CONTAINS_WORD": 10}
FIELD_STATEMENT_WCU = {  # base cost of the statements that inspect a request component
    "RegexMatchStatement": 3,
    "RegexPatternSetReferenceStatement": 25,
    "SizeConstraintStatement": 1,
    "SqliMatchStatement": 20,
    "XssMatchStatement": 40,
}
ORIGIN_STATEMENT_WCU = {
    "GeoMatchStatement": 1,
    "AsnMatchStatement": 1,
    "IPSetReferenceStatement": 1,
    "LabelMatchStatement": 1,
}

# --- CloudWatch Logs ---------------------------------------------------------------

CLOUDWATCH_RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
    1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip


def log_retention_problem(days: int) -> Optional[str]:
    """Why CloudWatch Logs would refuse this retention, with the nearest value it takes; None when it takes it."""
    if days in CLOUDWATCH_RETENTION_DAYS:
        return None
    higher = [d for d in CLOUDWATCH_RETENTION_DAYS if d >= days]
    nearest = f"; the nearest allowed value at or above it is {higher[0]}" if higher else ""
    return f"{days} is not a retention CloudWatch Logs accepts{nearest}"


# --- HSTS --------------------------------------------------------------------------

HSTS_PRELOAD_MIN_AGE = 31_536_000  # hstspreload.org: at least one year, with includeSubDomains

# --- CloudFront ----------------------------------------------------------------------

CLOUDFRONT_CSP_MAX_LENGTH = 1783  # CloudFront's limit on a response headers policy's CSP value
CLOUDFRONT_REGION = "us-east-1"  # CloudFront's certificates and web ACLs live here

# --- AWS Backup and the ObjectOS backup page -----------------------------------------

CONTINUOUS_BACKUP_MAX_DAYS = 35  # point-in-time (continuous) recovery points
COMPLIANCE_MIN_CHANGEABLE_DAYS = 3  # a vault lock with a grace period of 3 days or more is compliance mode
RESTORE_TEST_MAX_GAP_DAYS = 92  # ObjectOS: test a restore at least quarterly (a quarter has at most 92 days)
