"""Judgements of the live verifier over AWS resources: observations in, Findings out.

Pure: aws.py reads the account into the observation types below; everything
that decides pass or fail is here and is tested from literals.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Optional

from golive.results import Finding
from golive.verify.checks import FAIL, NOT_JUDGED, PASS, WARN, outcome, same_value
from objectos_core.limits import CONTINUOUS_BACKUP_MAX_DAYS, RESTORE_TEST_MAX_GAP_DAYS, WEB_ACL_CAPACITY_LIMIT

CREDENTIAL_HEADERS = ("authorization", "cookie")
AUTH_SECRET = "OS_AUTH_SECRET"


# --- observations -------------------------------------------------------------


@dataclass(frozen=True)
class RateRule:
    name: str
    buckets: tuple[
        str, ...
    ]  # auth, write, read: the traffic it certainly counts (objectos_core.waf_rules.rule_buckets)
    limit: int
    window_seconds: int
    action: str  # block | count | captcha | challenge | allow
    response_code: Optional[int] = None
    retry_after: bool = False


@dataclass(frozen=True)
class WebAcl:
    name: str
    arn: str
    scope: str  # REGIONAL | CLOUDFRONT
    capacity: Optional[int] = None
    rate_rules: tuple[RateRule, ...] = ()
    associated: tuple[str, ...] = ()  # ARNs of the load balancers or distributions using it
    log_destinations: tuple[str, ...] = ()
    redacted_headers: tuple[str, ...] = ()  # lower-case header names


@dataclass(frozen=True)
class Secret:
    name: str
    kms_key: Optional[str]  # None: the AWS managed aws/secretsmanager key
    kit_key: bool  # a customer managed key tagged with this stack
    has_value: bool  # an AWSCURRENT version exists


@dataclass(frozen=True)
class Vault:
    name: str
    locked: bool
    min_days: Optional[int] = None
    max_days: Optional[int] = None
    lock_date: Optional[datetime] = None  # after it the lock can no longer be changed


@dataclass(frozen=True)
class PlanRule:
    name: str
    continuous: bool
    delete_after_days: Optional[int] = None
    schedule: Optional[str] = None
    copy_regions: tuple[str, ...] = ()


@dataclass(frozen=True)
class BackupPlan:
    name: str
    rules: tuple[PlanRule, ...] = ()
    selected: tuple[str, ...] = ()  # resource ARNs of all its selections


@dataclass(frozen=True)
class RestoreJob:
    id: str
    status: str  # PENDING | RUNNING | COMPLETED | ABORTED | FAILED
    created: datetime
    validation_status: Optional[str] = None  # SUCCESSFUL | FAILED | TIMED_OUT | VALIDATING
    message: Optional[str] = None


@dataclass(frozen=True)
class RestoreTesting:
    name: str
    schedule: Optional[str]
    protected: tuple[str, ...] = ()  # resource ARNs its selections restore
    jobs: tuple[RestoreJob, ...] = ()


@dataclass(frozen=True)
class LogGroup:
    name: str
    retention_days: Optional[int]  # None: never expire
    kms_key: Optional[str]


@dataclass(frozen=True)
class Bucket:
    name: str
    lock_enabled: bool
    mode: Optional[str] = None
    days: Optional[int] = None  # default retention, years counted as 365 days


@dataclass(frozen=True)
class Redis:
    id: str
    transit: bool
    at_rest: bool
    auth_token: bool
    kms_key: Optional[str] = None


@dataclass(frozen=True)
class EdgePolicy:
    """A CloudFront distribution's response headers policy, as header name -> value."""

    distribution: str
    headers: Mapping[str, str] = field(default_factory=dict)
    not_overriding: tuple[str, ...] = ()  # headers the origin's value would win for
    cors_origins: tuple[str, ...] = ()
    cors_credentials: bool = False
    error: Optional[str] = None  # the policy could not be read


@dataclass(frozen=True)
class AwsExpectations:
    stack: str
    edge_mode: str
    rate_limits: Mapping[str, tuple[int, int]]  # kind -> (limit, window seconds)
    waf_log_retention_days: int
    redis_log_retention_days: int
    audit_retention_days: int
    object_lock_mode: str
    vault_min_days: int
    vault_max_days: int
    database_arn: str
    copy_to_region: Optional[str]
    needs_redis: bool
    headers: Mapping[str, str]  # the edge's promised headers, HSTS included when on
    cors_origins: tuple[str, ...]
    cors_credentials: bool


def _o(check_id: str, name: str, status: str, reason: str) -> Finding:
    return outcome(check_id, name, status, reason)


# --- WAF ----------------------------------------------------------------------


def waf_rules(acl: Optional[WebAcl], expected: AwsExpectations) -> list[Finding]:
    """One rate-based rule per traffic kind, at or below the promised limit, blocking."""
    if acl is None:
        return [_o("rate-limits-auth-write", "WAF web ACL", FAIL, _no_acl(expected))]
    outcomes = []
    for kind, (limit, window) in expected.rate_limits.items():
        name = f"WAF {kind} rate rule"
        rules = [r for r in acl.rate_rules if kind in r.buckets]
        if not rules:
            outcomes.append(
                _o("rate-limits-auth-write", name, FAIL, f"{acl.name} has no rate-based rule for {kind} traffic")
            )
            continue
        rule = min(rules, key=lambda r: r.limit / r.window_seconds)
        problems = []
        if rule.limit > limit or rule.window_seconds != window:
            problems.append(f"limit {rule.limit}/{rule.window_seconds} s, the stack promises {limit}/{window} s")
        if rule.action != "block":
            problems.append(f"action is {rule.action}, not block")
        if problems:
            outcomes.append(_o("rate-limits-auth-write", name, FAIL, f"{rule.name}: " + "; ".join(problems)))
        elif rule.response_code not in (None, 429) or (rule.response_code == 429 and not rule.retry_after):
            outcomes.append(
                _o("rate-limits-auth-write", name, WARN, f"{rule.name} blocks without a 429 and Retry-After response")
            )
        else:
            outcomes.append(
                _o(
                    "rate-limits-auth-write",
                    name,
                    PASS,
                    f"{rule.name}: {rule.limit} per {rule.window_seconds} s, blocks",
                )
            )
    return outcomes


def waf_association(acl: Optional[WebAcl], expected: AwsExpectations) -> list[Finding]:
    if acl is None:
        return []
    kind = "distribution" if expected.edge_mode == "cloudfront" else "load balancer"
    outcomes = []
    if acl.associated:
        outcomes.append(
            _o("rate-limits-auth-write", "WAF association", PASS, f"{acl.name} guards {len(acl.associated)} {kind}(s)")
        )
    else:
        outcomes.append(
            _o(
                "rate-limits-auth-write",
                "WAF association",
                FAIL,
                f"{acl.name} is associated with no {kind}, so no rule applies to traffic",
            )
        )
    if acl.capacity is not None and acl.capacity > WEB_ACL_CAPACITY_LIMIT:
        outcomes.append(
            _o(
                "rate-limits-auth-write",
                "WAF capacity",
                WARN,
                f"{acl.capacity} WCU is over the {WEB_ACL_CAPACITY_LIMIT} included; AWS charges for the excess",
            )
        )
    return outcomes


def waf_logging(acl: Optional[WebAcl], expected: AwsExpectations) -> list[Finding]:
    """Logs go to an aws-waf-logs- destination with the credential headers redacted."""
    name = "WAF logging"
    if acl is None:
        return [_o("waf-logging-redacted", name, FAIL, _no_acl(expected))]
    if not acl.log_destinations:
        return [_o("waf-logging-redacted", name, FAIL, f"{acl.name} has no logging configuration")]
    wrong = [d for d in acl.log_destinations if not _waf_log_name(d).startswith("aws-waf-logs-")]
    if wrong:
        return [_o("waf-logging-redacted", name, FAIL, f"destination {wrong[0]} is not named aws-waf-logs-...")]
    exposed = [h for h in CREDENTIAL_HEADERS if h not in acl.redacted_headers]
    if exposed:
        return [
            _o(
                "waf-logging-redacted",
                name,
                FAIL,
                f"the {' and '.join(exposed)} header(s) are logged in clear; redact them",
            )
        ]
    return [
        _o("waf-logging-redacted", name, PASS, f"to {_waf_log_name(acl.log_destinations[0])}, credentials redacted")
    ]


def _waf_log_name(arn: str) -> str:
    # arn:aws:logs:...:log-group:NAME[:*], arn:aws:s3:::NAME, arn:aws:firehose:...:deliverystream/NAME
    tail = arn.split(":log-group:", 1)[1] if ":log-group:" in arn else arn.rsplit(":", 1)[-1].rsplit("/", 1)[-1]
    return tail.split(":", 1)[0]


def _no_acl(expected: AwsExpectations) -> str:
    scope = "CLOUDFRONT in us-east-1" if expected.edge_mode == "cloudfront" else "REGIONAL"
    return f"no web ACL ({scope}) is tagged objectos:stack={expected.stack}"


# --- secrets ------------------------------------------------------------------


def secrets(found: Sequence[Secret], expected: AwsExpectations) -> list[Finding]:
    """OS_AUTH_SECRET exists under the kit's key with a value; no entry is left empty."""
    check = "auth-secret-in-secret-store"
    auth = [s for s in found if s.name.rstrip("/").rsplit("/", 1)[-1].upper() == AUTH_SECRET]
    outcomes = []
    if not auth:
        outcomes.append(
            _o(
                check,
                "OS_AUTH_SECRET entry",
                FAIL,
                f"no secret named .../{AUTH_SECRET} is tagged objectos:stack={expected.stack}",
            )
        )
    else:
        secret = auth[0]
        if not secret.kit_key:
            outcomes.append(
                _o(
                    check,
                    "OS_AUTH_SECRET entry",
                    FAIL,
                    f"{secret.name} is encrypted with {secret.kms_key or 'aws/secretsmanager'}, not the kit's key",
                )
            )
        elif not secret.has_value:
            outcomes.append(_o(check, "OS_AUTH_SECRET entry", FAIL, f"{secret.name} has no current value"))
        else:
            outcomes.append(_o(check, "OS_AUTH_SECRET entry", PASS, f"{secret.name}: kit key, current value present"))
    empty = sorted(s.name for s in found if not s.has_value)
    foreign = sorted(s.name for s in found if not s.kit_key)
    if empty or foreign:
        parts = ([f"no value yet: {', '.join(empty)} (see the stack's secrets_to_fill output)"] if empty else []) + (
            [f"not under the kit's key: {', '.join(foreign)}"] if foreign else []
        )
        outcomes.append(_o(check, "secret entries", FAIL, "; ".join(parts)))
    elif found:
        outcomes.append(
            _o(check, "secret entries", PASS, f"{len(found)} entries, each with a value under the kit's key")
        )
    return outcomes


# --- backups ------------------------------------------------------------------


def backups(
    vaults: Sequence[Vault],
    plans: Sequence[BackupPlan],
    restore_tests: Sequence[RestoreTesting],
    expected: AwsExpectations,
    now: datetime,
) -> list[Finding]:
    return [_vault_lock(vaults, expected, now), _plan(plans, expected), *_restore_testing(restore_tests, expected, now)]


def _vault_lock(vaults: Sequence[Vault], expected: AwsExpectations, now: datetime) -> Finding:
    check, name = "database-backup-restore-tested", "backup vault lock"
    if not vaults:
        return _o(check, name, FAIL, f"no backup vault is tagged objectos:stack={expected.stack}")
    locked = [v for v in vaults if v.locked]
    if not locked:
        return _o(check, name, FAIL, f"{vaults[0].name} has no vault lock; backups can be deleted early")
    vault = locked[0]
    if (vault.min_days, vault.max_days) != (expected.vault_min_days, expected.vault_max_days):
        return _o(
            check,
            name,
            FAIL,
            f"{vault.name} keeps backups {vault.min_days}..{vault.max_days} days, "
            f"the stack promises {expected.vault_min_days}..{expected.vault_max_days}",
        )
    if vault.lock_date is not None and vault.lock_date > now:
        return _o(
            check, name, PASS, f"{vault.name} locked; compliance mode becomes immutable on {vault.lock_date:%Y-%m-%d}"
        )
    return _o(check, name, PASS, f"{vault.name} locked, {vault.min_days}..{vault.max_days} days")


def _plan(plans: Sequence[BackupPlan], expected: AwsExpectations) -> Finding:
    check, name = "database-backup-restore-tested", "backup plan"
    if not plans:
        return _o(check, name, FAIL, f"no backup plan is tagged objectos:stack={expected.stack}")
    covering = [p for p in plans if expected.database_arn in p.selected]
    if not covering:
        return _o(check, name, FAIL, f"no plan's selection includes the database {expected.database_arn}")
    plan = covering[0]
    continuous = [r for r in plan.rules if r.continuous]
    snapshots = [r for r in plan.rules if not r.continuous and r.schedule]
    problems = []
    if not continuous:
        problems.append("no continuous (point-in-time) rule")
    elif any((r.delete_after_days or 0) > CONTINUOUS_BACKUP_MAX_DAYS for r in continuous):
        problems.append(f"continuous retention over {CONTINUOUS_BACKUP_MAX_DAYS} days, which AWS rejects")
    if not snapshots:
        problems.append("no scheduled snapshot rule")
    if expected.copy_to_region and not any(expected.copy_to_region in r.copy_regions for r in plan.rules):
        problems.append(f"no rule copies to {expected.copy_to_region}")
    if problems:
        return _o(check, name, FAIL, f"{plan.name}: " + "; ".join(problems))
    return _o(check, name, PASS, f"{plan.name}: continuous and {len(snapshots)} scheduled rule(s) cover the database")


def _restore_testing(tests: Sequence[RestoreTesting], expected: AwsExpectations, now: datetime) -> list[Finding]:
    check = "database-backup-restore-tested"
    covering = [t for t in tests if expected.database_arn in t.protected or "*" in t.protected]
    if not covering:
        return [_o(check, "restore testing plan", FAIL, f"no restore testing plan selects {expected.database_arn}")]
    plan = covering[0]
    outcomes = [_o(check, "restore testing plan", PASS, f"{plan.name} ({plan.schedule}) restores the database")]
    finished = sorted((j for j in plan.jobs if j.status in ("COMPLETED", "FAILED", "ABORTED")), key=lambda j: j.created)
    running = [j for j in plan.jobs if j.status in ("PENDING", "RUNNING")]
    name = "latest restore test"
    if not finished:
        detail = "one is running now" if running else f"the first runs on schedule {plan.schedule}"
        outcomes.append(_o(check, name, WARN, f"no restore test has finished yet; {detail}"))
        return outcomes
    job = finished[-1]
    age = (now - job.created).days
    if job.status != "COMPLETED":
        outcomes.append(
            _o(check, name, FAIL, f"{job.id} {job.status.lower()} {age} days ago: {job.message or 'no message'}")
        )
    elif job.validation_status in ("FAILED", "TIMED_OUT"):
        outcomes.append(
            _o(
                check,
                name,
                FAIL,
                f"{job.id} restored but validation {job.validation_status.lower()}: {job.message or 'no message'}",
            )
        )
    elif age > RESTORE_TEST_MAX_GAP_DAYS:
        outcomes.append(
            _o(check, name, FAIL, f"the last successful restore test is {age} days old; test at least quarterly")
        )
    elif job.validation_status == "VALIDATING":
        outcomes.append(_o(check, name, WARN, f"{job.id} restored {age} days ago; validation still running"))
    else:
        outcomes.append(
            _o(
                check,
                name,
                PASS,
                f"{job.id} restored {age} days ago, validation {(job.validation_status or 'not reported').lower()}",
            )
        )
    return outcomes


# --- audit logs ---------------------------------------------------------------


def _expected_retention(group: LogGroup, expected: AwsExpectations) -> tuple[str, int]:
    lowered = group.name.lower()
    if lowered.startswith("aws-waf-logs-"):
        return "WAF", expected.waf_log_retention_days
    if "redis" in lowered or "valkey" in lowered:
        return "Redis", expected.redis_log_retention_days
    return "audit", expected.audit_retention_days


def audit_logs(groups: Sequence[LogGroup], buckets: Sequence[Bucket], expected: AwsExpectations) -> list[Finding]:
    """Log groups keep at least what the stack promises, encrypted; the archive bucket is locked."""
    check = "audit-log-retention"
    outcomes = []
    audit = [g for g in groups if _expected_retention(g, expected)[0] == "audit"]
    if not audit:
        outcomes.append(
            _o(check, "audit log group", FAIL, f"no audit log group is tagged objectos:stack={expected.stack}")
        )
    problems = []
    for group in groups:
        kind, days = _expected_retention(group, expected)
        if group.retention_days is not None and group.retention_days < days:
            problems.append(f"{group.name} keeps {group.retention_days} days, the {kind} policy is {days}")
        if not group.kms_key:
            problems.append(f"{group.name} is not encrypted with a KMS key")
    if problems:
        outcomes.append(_o(check, "log group retention", FAIL, "; ".join(problems)))
    elif groups:
        outcomes.append(
            _o(check, "log group retention", PASS, f"{len(groups)} log group(s) keep their policy, KMS encrypted")
        )
    outcomes.append(_archive(buckets, expected))
    return outcomes


def _archive(buckets: Sequence[Bucket], expected: AwsExpectations) -> Finding:
    check, name = "audit-log-retention", "audit archive Object Lock"
    locked = [b for b in buckets if b.lock_enabled]
    if not locked:
        where = f" ({', '.join(b.name for b in buckets)} have none)" if buckets else ""
        return _o(check, name, FAIL, f"no bucket tagged objectos:stack={expected.stack} has Object Lock{where}")
    bucket = locked[0]
    if bucket.mode != expected.object_lock_mode:
        return _o(
            check,
            name,
            FAIL,
            f"{bucket.name} locks in {bucket.mode or 'no default'} mode; the stack says {expected.object_lock_mode}",
        )
    if (bucket.days or 0) < expected.audit_retention_days:
        return _o(
            check,
            name,
            FAIL,
            f"{bucket.name} retains {bucket.days} days, the policy is {expected.audit_retention_days}",
        )
    return _o(check, name, PASS, f"{bucket.name}: {bucket.mode} for {bucket.days} days")


# --- Redis --------------------------------------------------------------------


def redis(groups: Sequence[Redis], expected: AwsExpectations) -> list[Finding]:
    check, name = "redis-encrypted-with-auth", "Redis encryption and AUTH"
    if not groups:
        if expected.needs_redis:
            return [
                _o(
                    check,
                    name,
                    FAIL,
                    f"no replication group is tagged objectos:stack={expected.stack}, yet the stack runs several pods",
                )
            ]
        return [_o(check, name, NOT_JUDGED, "the stack runs one pod and needs no Redis")]
    outcomes = []
    for group in groups:
        missing = [
            label
            for label, ok in (
                ("transit encryption", group.transit),
                ("at-rest encryption", group.at_rest),
                ("AUTH token", group.auth_token),
            )
            if not ok
        ]
        if missing:
            outcomes.append(_o(check, f"Redis {group.id}", FAIL, f"{group.id} lacks {', '.join(missing)}"))
        else:
            outcomes.append(_o(check, f"Redis {group.id}", PASS, "encrypted in transit and at rest, AUTH required"))
    return outcomes


# --- CloudFront response headers policy --------------------------------------


def edge_policy(policy: Optional[EdgePolicy], expected: AwsExpectations) -> list[Finding]:
    """The distribution's response headers policy holds the promised headers and CORS, overriding the origin."""
    if expected.edge_mode != "cloudfront":
        return []
    name = "CloudFront response headers policy"
    if policy is None:
        return [
            _o(
                "security-headers-present",
                name,
                FAIL,
                f"no CloudFront distribution is tagged objectos:stack={expected.stack}",
            )
        ]
    if policy.error:
        return [_o("security-headers-present", name, FAIL, f"{policy.distribution}: {policy.error}")]
    seen = {k.lower(): v for k, v in policy.headers.items()}
    problems = []
    for header, value in expected.headers.items():
        got = seen.get(header.lower())
        if got is None:
            problems.append(f"{header} is missing")
        elif not same_value(header, got, value):
            problems.append(f"{header} is '{got}', the stack promises '{value}'")
    weak = [h for h in policy.not_overriding if h in expected.headers]
    if weak:
        problems.append(f"{', '.join(weak)} do not override the origin's value")
    outcomes = [
        _o(
            "security-headers-present",
            name,
            FAIL if problems else PASS,
            "; ".join(problems) or f"{len(expected.headers)} headers, origin values overridden",
        )
    ]
    cors_problems = []
    if "*" in policy.cors_origins:
        cors_problems.append("allows origin '*'")
    if set(policy.cors_origins) != set(expected.cors_origins):
        cors_problems.append(
            f"allows {', '.join(policy.cors_origins) or 'no origin'}; the stack: {', '.join(expected.cors_origins)}"
        )
    if policy.cors_credentials != expected.cors_credentials:
        cors_problems.append("Access-Control-Allow-Credentials differs from objectos:cors.allowCredentials")
    outcomes.append(
        _o(
            "cors-explicit-origins",
            "CloudFront CORS configuration",
            FAIL if cors_problems else PASS,
            "; ".join(cors_problems) or f"{len(policy.cors_origins)} explicit origin(s)",
        )
    )
    return outcomes
