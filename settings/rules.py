"""Validation rules shared by the settings model, the release tool and the policies.

Pure functions and patterns; no pydantic model lives here.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Union
from urllib.parse import urlsplit

from pydantic_core import PydanticCustomError

from components.backup_schedule import monthly_retention_days as monthly_snapshot_days  # noqa: F401 (re-exported for the model)
from objectos_core import limits, schedule
from objectos_core.limits import CLOUDFRONT_REGION as CLOUDFRONT_CERT_REGION

# One source of truth for the pins: PinnedRelease and the policy pack apply the same rules.
from objectos_core.pins import (  # noqa: F401 (re-exported for the settings and the release tool)
    ARTIFACT_PIN,
    IMAGE_REF,
    artifact_checksum,
    image_digest,
    pinned_artifact,
    pinned_image,
    release_pin_problems,
)
from settings.files import shorten

if TYPE_CHECKING:
    from settings.model import Settings

SubLoc = Union[str, int, tuple]

HOST_NAME = re.compile(r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
CORS_ORIGIN = re.compile(
    r"https://([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(:\d{1,5})?"
)
REGION = re.compile(r"[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d")
HOSTED_ZONE_ID = re.compile(r"Z[A-Z0-9]{5,31}")
ACM_ARN = re.compile(r"arn:aws[a-z-]*:acm:(?P<region>[a-z0-9-]+):\d{12}:certificate/[0-9a-f-]{36}")
RDS_ARN = re.compile(r"arn:aws[a-z-]*:rds:[a-z0-9-]+:\d{12}:(db|cluster):[a-zA-Z][a-zA-Z0-9-]{0,62}")
OIDC_PROVIDER_ARN = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:oidc-provider/[a-z0-9.-]+(/[A-Za-z0-9/]+)?")
ENV_NAME = re.compile(r"[A-Z][A-Z0-9_]{0,127}")
IAM_ROLE_ARN_PATTERN = re.compile(
    r"arn:(?P<partition>aws[a-z-]*):iam::(?P<account>\d{12}):role/(?P<role>[A-Za-z0-9+=,.@_/*?-]{1,512})"
)
RELEASE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
AWS_ID = {
    "vpc": re.compile(r"vpc-[0-9a-f]{8}([0-9a-f]{9})?"),
    "subnet": re.compile(r"subnet-[0-9a-f]{8}([0-9a-f]{9})?"),
    "sg": re.compile(r"sg-[0-9a-f]{8}([0-9a-f]{9})?"),
}

ACM_ARN_HINT = "copy it from ACM: arn:aws:acm:<region>:<account>:certificate/<uuid>"
OIDC_CALLBACK_PATH = "/api/v1/auth/sso/callback/{provider_id}"


class Problems(Exception):
    """Several (sub-location, message) problems found by a cross-field rule."""

    def __init__(self, problems: list[tuple[tuple, str]]):
        super().__init__("; ".join(message for _, message in problems))
        self.problems = problems


def located(subloc: SubLoc, message: str) -> PydanticCustomError:
    """A validation error that points below the field being validated."""
    if not isinstance(subloc, tuple):
        subloc = (subloc,)
    return PydanticCustomError("located", "{message}", {"subloc": subloc, "message": message})


def valid_port(url: str) -> bool:
    """False when the URL names a port outside 1..65535."""
    try:
        port = urlsplit(url).port
    except ValueError:
        return False
    return port is None or port > 0


# --- how each setting type reads a value (stack file and `pulumi up` alike) ----------------

_DECIMAL = re.compile(r"-?[0-9]{1,18}")
_LINE_BREAK = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")  # a tab is allowed; CR, LF and other controls are not


def whole_number(value: object) -> object:
    """An integer setting: a YAML integer, or a string of decimal digits (`pulumi up` hands the
    program every value as text, so "3" and 3 must mean the same). Refused: true/false, any
    decimal point (3.0, 3.5), and any other text ("lots", "1:30" is never 90, "٣")."""
    if isinstance(value, bool):
        raise ValueError(f"must be a whole number, got {value!r} (a YAML true/false is not a number)")
    if isinstance(value, float):
        raise ValueError(f"must be a whole number, got {value!r}; write it without a decimal point")
    if isinstance(value, str):
        if not _DECIMAL.fullmatch(value):
            raise ValueError(f"must be a whole number (digits 0-9 only), got {shorten(repr(value))}")
        return int(value)
    return value


def one_line(value: str) -> str:
    """A text setting holds no line break or control character: a header value with CR/LF
    would add a header of its own at the edge."""
    found = _LINE_BREAK.search(value)
    if found:
        kind = {"\r": "a carriage return", "\n": "a line break"}.get(found.group(), "a control character")
        raise ValueError(f"holds {kind}; a setting is one line of text")
    return value


# A Kubernetes quantity (apimachinery resource.Quantity): a decimal number and an optional suffix.
QUANTITY = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?[0-9]+)?")


def check_quantity(value: str, kind: str) -> str:
    if not QUANTITY.fullmatch(value):
        example = "500m or 2" if kind == "cpu" else "512Mi or 2Gi"
        raise ValueError(f"{shorten(repr(value))} is not a Kubernetes quantity; write {kind} as e.g. {example}")
    return value


def check_log_retention(days: int) -> int:
    problem = limits.log_retention_problem(days)
    if problem:
        raise ValueError(problem)
    return days


def check_region(value: str) -> str:
    if not REGION.fullmatch(value):
        raise ValueError(f"'{value}' is not an AWS region such as eu-west-1")
    return value


def check_aws_id(value: str, kind: str) -> str:
    if not AWS_ID[kind].fullmatch(value):
        raise ValueError(f"'{value}' is not a {kind} id ({kind}-<8 or 17 hex>)")
    return value


@functools.lru_cache(maxsize=1)
def kubernetes_versions() -> tuple[str, ...]:
    """Minor versions kubernetes-validate has schemas for (imported only when a version is checked)."""
    from kubernetes_validate.utils import all_versions, major_minor

    minors = {major_minor(version) for version in all_versions()}
    return tuple(sorted(minors, key=lambda v: tuple(int(part) for part in v.split("."))))


def check_kubernetes_version(value: str) -> str:
    supported = kubernetes_versions()
    if value not in supported:
        raise ValueError(
            f"Kubernetes {value} has no manifest schemas in this kit; "
            f"use your cluster's minor version between {supported[0]} and {supported[-1]}"
        )
    return value


UTC_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


def check_utc_time(value: object) -> object:
    """A UTC time as YYYY-MM-DDTHH:MM:SSZ; YAML reads an unquoted one as a datetime, so accept that too."""
    import datetime

    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.UTC).replace(tzinfo=None)
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if value is not None and not (isinstance(value, str) and UTC_TIME.fullmatch(value) and _real_time(value)):
        raise ValueError(
            f'{shorten(repr(value))} is not a UTC time; write it as "2026-11-29T09:30:00Z" (set by golive release)'
        )
    return value


def _real_time(value: str) -> bool:
    import datetime

    try:
        datetime.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return False
    return True


def check_schedule(expression: str) -> str:
    """Accept AWS `cron(m h dom mon dow year)` and `rate(n unit)` expressions (objectos_core.schedule)."""
    problem = schedule.problem(expression)
    if problem:
        raise ValueError(problem)
    return expression


def restore_test_rarity(expression: str) -> str | None:
    """Why a restore testing plan's cron(...) schedule is not one AWS Backup and ObjectOS accept, or None."""
    if not expression.startswith("cron("):
        return "is not a cron(...) expression, the only schedule restore testing plans take; e.g. cron(0 5 ? * SAT *)"
    if schedule.problem(expression):
        return None  # check_schedule reports the syntax
    year_field = expression[len("cron(") : -1].split()[5]
    if year_field != "*":
        return f"pins the year to '{year_field}', so the restore test would stop; use * for the year"
    cadence = schedule.cadence(expression)
    if cadence.longest_gap_minutes == float("inf"):
        return cadence.describe()
    gap_days = cadence.longest_gap_minutes / schedule.DAY
    if gap_days > limits.RESTORE_TEST_MAX_GAP_DAYS:
        return f"leaves {gap_days:g} days between restore tests; test at least quarterly (every {limits.RESTORE_TEST_MAX_GAP_DAYS} days)"
    return None


def nearest(word: str, choices: list[str]) -> str | None:
    import difflib

    found = difflib.get_close_matches(word, choices, n=1, cutoff=0.5)
    if found:
        return found[0]
    lowered = {c.lower(): c for c in choices}
    return lowered.get(word.lower())


# --- rules that span fields --------------------------------------------------


STACK_NAME = re.compile(r"[a-zA-Z][a-zA-Z0-9-]{0,31}")
# AWS tags: 128/256 characters; the ALB annotation also reads them as k=v,k=v.
TAG_KEY = re.compile(r"[\w .:/+\-@]{1,128}")
TAG_VALUE = re.compile(r"[\w .:/=+\-@]{0,256}")


def tag_problem(key: str, value: str) -> str | None:
    """Why AWS (or the load balancer controller's annotation) would refuse this tag, if it would."""
    if key.lower().startswith("aws:"):
        return f"'{key}': keys starting with aws: are reserved by AWS; choose another prefix"
    if not TAG_KEY.fullmatch(key) or not TAG_VALUE.fullmatch(value) or "," in value:
        return (
            f"'{key}: {value}' is not a tag AWS accepts everywhere: keys up to 128 and values up to 256 of "
            "letters, digits, spaces and _ . : / + - @ (= in values; no commas)"
        )
    return None


def cross_field_problems(s: Settings) -> list[tuple[tuple, str]]:
    problems: list[tuple[tuple, str]] = []
    problems += _region_problems(s)
    problems += _certificate_problems(s)
    problems += _environment_problems(s)
    problems += _oidc_problems(s)
    problems += edition_problems(s)
    if s.kubernetes.max_replicas is not None and s.kubernetes.max_replicas < s.kubernetes.replicas:
        problems.append(
            (
                ("kubernetes", "maxReplicas"),
                f"{s.kubernetes.max_replicas} is below replicas ({s.kubernetes.replicas}); raise it",
            )
        )
    if s.backup.copy_to_region == s.region:
        problems.append((("backup", "copyToRegion"), "is the stack's own region; name a second region or remove it"))
    problems += _backup_problems(s)
    problems += _secret_problems(s)
    problems += _waf_capacity_problems(s)
    problems += _edge_header_problems(s)
    return problems


def _region_problems(s: Settings) -> list[tuple[tuple, str]]:
    """The database, its backups and its snapshots live in the stack's region."""
    problems = []
    db_region = s.database.arn.split(":")[3]
    if db_region != s.region:
        problems.append(
            (
                ("database", "arn"),
                f"is in {db_region} but the stack deploys to {s.region} (aws:region); backups, restore tests and "
                "release snapshots are made in the stack's region: point at the database in that region",
            )
        )
    origin = s.edge.origin_domain
    if origin is not None:
        loc = ("edge", "originDomain")
        if not HOST_NAME.fullmatch(origin):
            problems.append((loc, f"'{origin}' is not a lowercase host name such as origin.app.example.com"))
        elif origin == s.domain:
            problems.append((loc, "must differ from domain: it is the ALB's own name behind CloudFront"))
        elif (
            s.edge.certificate.kit_managed
            and origin.split(".", 1)[1] != s.domain.split(".", 1)[1]
            and not origin.endswith("." + s.domain)
        ):
            problems.append(
                (loc, f"must be in the same hosted zone as {s.domain} (e.g. origin.{s.domain}) for DNS validation")
            )
    return problems


def _edge_header_problems(s: Settings) -> list[tuple[tuple, str]]:
    csp = s.headers.content_security_policy
    if csp is None:
        return []
    loc = ("headers", "contentSecurityPolicy")
    if s.edge.mode == "alb" and "," in csp:
        return [(loc, "holds ',', which the ALB controller's listener-attributes annotation cannot carry; remove it")]
    if s.edge.mode == "cloudfront" and len(csp) > limits.CLOUDFRONT_CSP_MAX_LENGTH:
        return [(loc, f"is {len(csp)} characters; CloudFront accepts at most {limits.CLOUDFRONT_CSP_MAX_LENGTH}")]
    return []


def _waf_capacity_problems(s: Settings) -> list[tuple[tuple, str]]:
    from objectos_core import waf_rules  # standard library only; imported late to keep settings light

    limits = s.rate_limits
    rules = waf_rules.web_acl_rules(limits.auth, limits.write, limits.read, s.managed_rule_groups.model_dump())
    problem = waf_rules.capacity_problem(rules)
    return [(("waf",), f"{problem} (rate-limits-auth-write)")] if problem else []


def _certificate_problems(s: Settings) -> list[tuple[tuple, str]]:
    cert = s.edge.certificate
    loc = ("edge", "certificate")
    given = cert.arn is not None or cert.cloudfront_arn is not None
    if cert.hosted_zone_id and given:
        return [(loc, "set either hostedZoneId (the kit requests certificates) or existing certificate ARNs, not both")]
    if not cert.hosted_zone_id and not given:
        return [
            (loc, "set hostedZoneId so the kit requests and validates certificates, or give arn (and cloudfrontArn)")
        ]
    if cert.hosted_zone_id:
        return []
    problems = []
    if cert.arn is None:
        problems.append(
            ((*loc, "arn"), "is required with existing certificates: the ALB's certificate in the stack's region")
        )
    else:
        match = ACM_ARN.fullmatch(cert.arn)
        if not match:
            problems.append(((*loc, "arn"), f"'{cert.arn}' is not an ACM certificate ARN; {ACM_ARN_HINT}"))
        elif match.group("region") != s.region:
            problems.append(
                (
                    (*loc, "arn"),
                    f"is in {match.group('region')}, but the ALB needs a certificate in {s.region}; request or import one there",
                )
            )
    if s.edge.mode == "cloudfront":
        if cert.cloudfront_arn is None:
            problems.append(((*loc, "cloudfrontArn"), "is required in cloudfront mode: a certificate in us-east-1"))
        else:
            match = ACM_ARN.fullmatch(cert.cloudfront_arn)
            if not match:
                problems.append(
                    ((*loc, "cloudfrontArn"), f"'{cert.cloudfront_arn}' is not an ACM certificate ARN; {ACM_ARN_HINT}")
                )
            elif match.group("region") != CLOUDFRONT_CERT_REGION:
                problems.append(
                    (
                        (*loc, "cloudfrontArn"),
                        f"is in {match.group('region')}; CloudFront only uses certificates in us-east-1",
                    )
                )
    elif cert.cloudfront_arn is not None:
        problems.append(
            ((*loc, "cloudfrontArn"), "is only used in cloudfront mode; remove it or set edge.mode: cloudfront")
        )
    return problems


def _environment_problems(s: Settings) -> list[tuple[tuple, str]]:
    problems = []
    if s.environment == "prod" and "*" in s.cors.origins:
        problems.append(
            (("cors", "origins", s.cors.origins.index("*")), "'*' is never allowed in prod; list the explicit origins")
        )
    if s.environment == "prod" and s.redis.replicas_per_shard < 1:
        problems.append((("redis", "replicasPerShard"), "prod needs at least 1 replica per shard for failover"))
    if s.environment == "prod" and s.runtime_edition == "licensed" and s.kubernetes.replicas < 2:
        problems.append(
            (
                ("kubernetes", "replicas"),
                f"prod on the licensed edition needs at least 2 replicas to stay up through a pod's loss, "
                f"got {s.kubernetes.replicas}",
            )
        )
    if s.environment in ("staging", "prod"):
        for field, message in release_pin_problems(s.release.image, s.release.artifact_url):
            problems.append((("release", field), f"{message} ({s.environment} requires pins)"))
        if s.kubernetes.oidc_provider_arn is None:
            problems.append(
                (
                    ("kubernetes", "oidcProviderArn"),
                    f"is required in {s.environment}: the workload reads its secrets through IRSA",
                )
            )
    return problems


def edition_problems(s: Settings) -> list[tuple[tuple, str]]:
    """The edition the image runs, and a pod topology that edition boots without split brain."""
    from objectos_core import editions

    repository = editions.image_repository(s.release.image)
    if s.edition is None and s.runtime_edition is None:
        return [
            (
                ("edition",),
                f"is required: the image repository '{repository}' is not the open runtime's "
                f"{editions.OPEN_IMAGE_REPOSITORY}, so the kit cannot tell what it may run; set edition: licensed "
                f"for an ObjectOS enterprise image (it ships {' or '.join(editions.LICENSED_PACKAGES)}), "
                "or edition: open for an image built from the open runtime",
            )
        ]
    if s.edition == editions.LICENSED and repository == editions.OPEN_IMAGE_REPOSITORY:
        return [
            (
                ("edition",),
                f"is licensed, but release.image is the open runtime ({repository}), which has neither "
                f"{' nor '.join(editions.LICENSED_PACKAGES)}: it boots single-node only. Pin the licensed image in "
                "release.image, or set edition: open with one pod",
            )
        ]
    if s.runtime_edition != editions.OPEN:
        return []
    k8s, problems = s.kubernetes, []
    why = "the open edition runs one pod: multi-node is licensed, and the open runtime refuses a multi-node boot"
    if k8s.replicas > 1:
        problems.append(
            (
                ("kubernetes", "replicas"),
                f"is {k8s.replicas}, but {why}; set replicas: 1 and maxReplicas: 1, or run a licensed image "
                "(release.image) and set edition: licensed",
            )
        )
    elif k8s.autoscaler_ceiling > 1:
        given = (
            f"is {k8s.max_replicas}"
            if k8s.max_replicas is not None
            else f"defaults to {k8s.autoscaler_ceiling} (3 x replicas)"
        )
        problems.append(
            (
                ("kubernetes", "maxReplicas"),
                f"{given}, so the autoscaler would start a second pod, but {why}; set maxReplicas: 1, or run a "
                "licensed image and set edition: licensed",
            )
        )
    return problems


def _oidc_problems(s: Settings) -> list[tuple[tuple, str]]:
    problems = []
    seen: set[str] = set()
    for index, provider in enumerate(s.oidc):
        loc = ("oidc", index)
        if provider.provider_id in seen:
            problems.append(((*loc, "providerId"), f"'{provider.provider_id}' is listed twice"))
        seen.add(provider.provider_id)
        expected = f"https://{s.domain}{OIDC_CALLBACK_PATH.format(provider_id=provider.provider_id)}"
        parts = urlsplit(provider.callback_url)
        if (
            (parts.scheme, parts.netloc, parts.path)
            != ("https", s.domain, OIDC_CALLBACK_PATH.format(provider_id=provider.provider_id))
            or parts.query
            or parts.fragment
        ):
            problems.append(((*loc, "callbackUrl"), f"'{provider.callback_url}' must be {expected}"))
    return problems


def _backup_problems(s: Settings) -> list[tuple[tuple, str]]:
    """Monthly snapshots against the vault lock, and the audit archive's lock mode in prod."""
    problems = []
    backup, lock, audit = s.backup, s.backup.vault_lock, s.audit_log
    monthly = s.monthly_snapshot_days
    explicit = backup.monthly_retention_days is not None
    if explicit and 0 < monthly <= backup.retention_days:
        problems.append(
            (
                ("backup", "monthlyRetentionDays"),
                f"{monthly} days is not longer than retentionDays ({backup.retention_days}), so monthly "
                "snapshots would add nothing; raise it or set 0",
            )
        )
    elif monthly > lock.max_retention_days:
        source = "monthlyRetentionDays" if explicit else f"auditLog.retentionDays ({audit.retention_days})"
        problems.append(
            (
                ("backup", "monthlyRetentionDays") if explicit else ("backup", "vaultLock", "maxRetentionDays"),
                f"monthly snapshots are kept {monthly} days ({source}) but vaultLock.maxRetentionDays is "
                f"{lock.max_retention_days}; the vault would refuse them (database-backup-restore-tested): raise "
                "vaultLock.maxRetentionDays, or set backup.monthlyRetentionDays (0 turns monthly snapshots off)",
            )
        )
    if s.environment == "prod" and audit.object_lock_mode != "COMPLIANCE":
        problems.append(
            (
                ("auditLog", "objectLockMode"),
                f"is {audit.object_lock_mode} in prod, which lets privileged users delete audit records early "
                "(audit-log-retention); use COMPLIANCE",
            )
        )
    return problems


def _secret_problems(s: Settings) -> list[tuple[tuple, str]]:
    """Secret names against the entries the kit creates, and who may read them."""
    from components import secret_catalog as catalog

    problems = []
    provider_ids = [p.provider_id for p in s.oidc]
    kit_names = catalog.kit_names(provider_ids)
    for index, key in enumerate(s.secrets.provider_keys):
        if key in kit_names:
            problems.append(
                (("secrets", "providerKeys", index), f"'{key}' is an entry the kit defines itself; remove it here")
            )
    givable = [*catalog.GIVABLE_GENERATED, *catalog.OPERATOR_FILLED, *s.secrets.provider_keys]
    givable += [catalog.oidc_client_secret_name(p) for p in provider_ids]
    for name in s.secret_values:
        if name in catalog.KIT_WRITTEN:
            problems.append((("secretValues", name), "is generated and written by the kit; remove it"))
        elif name not in givable:
            guess = nearest(name, givable)
            hint = f"did you mean {guess}, or " if guess else ""
            problems.append(
                (("secretValues", name), f"is not one of the stack's secrets; {hint}add it to secrets.providerKeys")
            )
    admins = s.secrets.admin_role_arns
    if s.environment in ("staging", "prod") and not admins:
        problems.append(
            (
                ("secrets", "adminRoleArns"),
                f"is required in {s.environment}: the secrets deny reads to all but the workload and these roles; "
                "list the administrators' role and the role that runs `pulumi up`",
            )
        )
    for index, arn in enumerate(admins):
        match = IAM_ROLE_ARN_PATTERN.fullmatch(arn)
        if match and match.group("account") != s.database.account_id:
            problems.append(
                (
                    ("secrets", "adminRoleArns", index),
                    f"is in account {match.group('account')}, but the stack's account (database.arn) is "
                    f"{s.database.account_id}; name a role of that account",
                )
            )
    return problems
