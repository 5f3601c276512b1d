"""Validation rules shared by the settings model, the release tool and the policies.

Pure functions and patterns; no pydantic model lives here.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Union
from urllib.parse import urlsplit

from pydantic_core import PydanticCustomError

if TYPE_CHECKING:
    from settings.model import Settings

SubLoc = Union[str, int, tuple]

HOST_NAME = re.compile(r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
CORS_ORIGIN = re.compile(r"https://([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(:\d{1,5})?")
REGION = re.compile(r"[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d")
HOSTED_ZONE_ID = re.compile(r"Z[A-Z0-9]{5,31}")
ACM_ARN = re.compile(r"arn:aws[a-z-]*:acm:(?P<region>[a-z0-9-]+):\d{12}:certificate/[0-9a-f-]{36}")
RDS_ARN = re.compile(r"arn:aws[a-z-]*:rds:[a-z0-9-]+:\d{12}:(db|cluster):[a-zA-Z][a-zA-Z0-9-]{0,62}")
OIDC_PROVIDER_ARN = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:oidc-provider/[a-z0-9.-]+(/[A-Za-z0-9/]+)?")
ENV_NAME = re.compile(r"[A-Z][A-Z0-9_]{0,127}")
RELEASE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
IMAGE_REF = re.compile(r"[a-z0-9.-]+(:\d+)?(/[a-z0-9._-]+)+(:[A-Za-z0-9._-]{1,128})?(@sha256:[0-9a-f]{64})?")
PINNED_IMAGE = re.compile(r".+@sha256:[0-9a-f]{64}")
ARTIFACT_PIN = re.compile(r"#sha256=[0-9a-f]{64}$")
AWS_ID = {
    "vpc": re.compile(r"vpc-[0-9a-f]{8}([0-9a-f]{9})?"),
    "subnet": re.compile(r"subnet-[0-9a-f]{8}([0-9a-f]{9})?"),
    "sg": re.compile(r"sg-[0-9a-f]{8}([0-9a-f]{9})?"),
}

WAF_MIN_LIMIT = 10
WAF_MAX_LIMIT = 2_000_000_000
HSTS_PRELOAD_MIN_AGE = 31536000
CLOUDWATCH_RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
    1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip
CLOUDFRONT_CERT_REGION = "us-east-1"
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


def check_log_retention(days: int) -> int:
    if days not in CLOUDWATCH_RETENTION_DAYS:
        higher = [d for d in CLOUDWATCH_RETENTION_DAYS if d >= days]
        nearest = f"; the nearest allowed value at or above it is {higher[0]}" if higher else ""
        raise ValueError(f"{days} is not a retention CloudWatch Logs accepts{nearest}")
    return days


def check_region(value: str) -> str:
    if not REGION.fullmatch(value):
        raise ValueError(f"'{value}' is not an AWS region such as eu-west-1")
    return value


def check_aws_id(value: str, kind: str) -> str:
    if not AWS_ID[kind].fullmatch(value):
        raise ValueError(f"'{value}' is not a {kind} id ({kind}-<8 or 17 hex>)")
    return value


def pinned_image(image: str) -> bool:
    return bool(PINNED_IMAGE.fullmatch(image))


def pinned_artifact(url: str) -> bool:
    return url.startswith("https://") and bool(ARTIFACT_PIN.search(url))


def image_digest(image: str) -> str | None:
    return image.rsplit("@", 1)[1] if pinned_image(image) else None


def artifact_checksum(url: str) -> str | None:
    match = ARTIFACT_PIN.search(url)
    return match.group(0)[1:] if match else None


def release_pin_problems(image: str, artifact_url: str) -> list[tuple[str, str]]:
    """(field, message) for each part of a release that is not pinned."""
    problems = []
    if not pinned_image(image):
        problems.append(
            ("image", f"'{image}' is not pinned by digest; use <repo>@sha256:<64 hex> (a tag can move)")
        )
    if not pinned_artifact(artifact_url):
        problems.append(
            (
                "artifactUrl",
                f"'{artifact_url}' is not pinned; use an https URL ending in #sha256=<64 hex> of objectstack.json",
            )
        )
    return problems


_CRON_FIELD = re.compile(r"[0-9A-Za-z*?/,\-#L W]+")


def check_schedule(expression: str) -> str:
    """Accept AWS `cron(m h dom mon dow year)` and `rate(n unit)` expressions."""
    rate = re.fullmatch(r"rate\((\d+) (minute|minutes|hour|hours|day|days)\)", expression)
    if rate:
        value, unit = int(rate.group(1)), rate.group(2)
        if value < 1 or (value == 1) != (not unit.endswith("s")):
            raise ValueError(f"'{expression}': use rate(1 day) for one unit and rate(N days) for more")
        return expression
    cron = re.fullmatch(r"cron\((.+)\)", expression)
    if not cron:
        raise ValueError(f"'{expression}' is not an AWS schedule; use cron(0 5 ? * SAT *) or rate(7 days)")
    fields = cron.group(1).split()
    if len(fields) != 6 or not all(_CRON_FIELD.fullmatch(f) for f in fields):
        raise ValueError(
            f"'{expression}' needs six cron fields (minutes hours day-of-month month day-of-week year), "
            "e.g. cron(0 5 ? * SAT *)"
        )
    day_of_month, day_of_week = fields[2], fields[4]
    if (day_of_month == "?") == (day_of_week == "?"):
        raise ValueError(f"'{expression}': exactly one of day-of-month and day-of-week must be '?'")
    return expression


def nearest(word: str, choices: list[str]) -> str | None:
    import difflib

    found = difflib.get_close_matches(word, choices, n=1, cutoff=0.5)
    if found:
        return found[0]
    lowered = {c.lower(): c for c in choices}
    return lowered.get(word.lower())


# --- rules that span fields --------------------------------------------------


def cross_field_problems(s: "Settings") -> list[tuple[tuple, str]]:
    problems: list[tuple[tuple, str]] = []
    problems += _certificate_problems(s)
    problems += _environment_problems(s)
    problems += _oidc_problems(s)
    if s.kubernetes.max_replicas is not None and s.kubernetes.max_replicas < s.kubernetes.replicas:
        problems.append(
            (("kubernetes", "maxReplicas"), f"{s.kubernetes.max_replicas} is below replicas ({s.kubernetes.replicas}); raise it")
        )
    if s.backup.copy_to_region == s.region:
        problems.append((("backup", "copyToRegion"), "is the stack's own region; name a second region or remove it"))
    return problems


def _certificate_problems(s: "Settings") -> list[tuple[tuple, str]]:
    cert = s.edge.certificate
    loc = ("edge", "certificate")
    given = cert.arn is not None or cert.cloudfront_arn is not None
    if cert.hosted_zone_id and given:
        return [(loc, "set either hostedZoneId (the kit requests certificates) or existing certificate ARNs, not both")]
    if not cert.hosted_zone_id and not given:
        return [(loc, "set hostedZoneId so the kit requests and validates certificates, or give arn (and cloudfrontArn)")]
    if cert.hosted_zone_id:
        return []
    problems = []
    if cert.arn is None:
        problems.append(((*loc, "arn"), "is required with existing certificates: the ALB's certificate in the stack's region"))
    else:
        match = ACM_ARN.fullmatch(cert.arn)
        if not match:
            problems.append(((*loc, "arn"), f"'{cert.arn}' is not an ACM certificate ARN"))
        elif match.group("region") != s.region:
            problems.append(
                ((*loc, "arn"), f"is in {match.group('region')}, but the ALB needs a certificate in {s.region}")
            )
    if s.edge.mode == "cloudfront":
        if cert.cloudfront_arn is None:
            problems.append(((*loc, "cloudfrontArn"), "is required in cloudfront mode: a certificate in us-east-1"))
        else:
            match = ACM_ARN.fullmatch(cert.cloudfront_arn)
            if not match:
                problems.append(((*loc, "cloudfrontArn"), f"'{cert.cloudfront_arn}' is not an ACM certificate ARN"))
            elif match.group("region") != CLOUDFRONT_CERT_REGION:
                problems.append(
                    ((*loc, "cloudfrontArn"), f"is in {match.group('region')}; CloudFront only uses certificates in us-east-1")
                )
    elif cert.cloudfront_arn is not None:
        problems.append(((*loc, "cloudfrontArn"), "is only used in cloudfront mode; remove it or set edge.mode: cloudfront"))
    return problems


def _environment_problems(s: "Settings") -> list[tuple[tuple, str]]:
    problems = []
    if s.environment == "prod" and "*" in s.cors.origins:
        problems.append((("cors", "origins", s.cors.origins.index("*")), "'*' is never allowed in prod; list the explicit origins"))
    if s.environment == "prod" and s.redis.replicas_per_shard < 1:
        problems.append((("redis", "replicasPerShard"), "prod needs at least 1 replica per shard for failover"))
    if s.environment == "prod" and s.kubernetes.replicas < 2:
        problems.append((("kubernetes", "replicas"), f"prod needs at least 2 replicas, got {s.kubernetes.replicas}"))
    if s.environment in ("staging", "prod"):
        for field, message in release_pin_problems(s.release.image, s.release.artifact_url):
            problems.append((("release", field), f"{message} ({s.environment} requires pins)"))
        if s.kubernetes.oidc_provider_arn is None:
            problems.append(
                (("kubernetes", "oidcProviderArn"), f"is required in {s.environment}: the workload reads its secrets through IRSA")
            )
    return problems


def _oidc_problems(s: "Settings") -> list[tuple[tuple, str]]:
    problems = []
    seen: set[str] = set()
    for index, provider in enumerate(s.oidc):
        loc = ("oidc", index)
        if provider.provider_id in seen:
            problems.append(((*loc, "providerId"), f"'{provider.provider_id}' is listed twice"))
        seen.add(provider.provider_id)
        expected = f"https://{s.domain}{OIDC_CALLBACK_PATH.format(provider_id=provider.provider_id)}"
        parts = urlsplit(provider.callback_url)
        if (parts.scheme, parts.netloc, parts.path) != ("https", s.domain, OIDC_CALLBACK_PATH.format(provider_id=provider.provider_id)) or parts.query or parts.fragment:
            problems.append(((*loc, "callbackUrl"), f"'{provider.callback_url}' must be {expected}"))
    return problems
