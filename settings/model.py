"""Typed stack settings: the kit's public configuration contract.

Every field's alias is the key an operator writes in `stacks/Pulumi.<stack>.yaml`
(camelCase). Rules that span fields live in model validators; each error message
says what is wrong and what to do, and `settings.errors` adds the key path.
"""

from __future__ import annotations

import re
import types
import typing
from typing import Literal, Optional

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

from objectos_core import editions, limits, urls
from objectos_core.headers import DEFAULT_CORS_HEADERS, DEFAULT_CORS_MAX_AGE, DEFAULT_CORS_METHODS
from objectos_core.names import TAG_ENVIRONMENT, TAG_RELEASE, TAG_STACK  # noqa: F401 (re-exported)
from settings import files, rules

Environment = Literal["dev", "staging", "prod"]


class Model(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        frozen=True,
    )

    @field_validator("*", mode="before")
    @classmethod
    def _setting_type(cls, value: object, info: ValidationInfo) -> object:
        """One reading per type for every field: whole numbers and one-line text (see rules)."""
        kind = _scalar_kind(cls.model_fields[info.field_name].annotation) if info.field_name else None
        if kind == "int":
            return rules.whole_number(value)
        if kind == "str":
            texts = [*value, *value.values()] if isinstance(value, dict) else value
            for text in texts if isinstance(texts, (list, tuple)) else [texts]:
                if isinstance(text, str):
                    rules.one_line(text)
        return value


def _scalar_kind(annotation: object) -> Optional[str]:
    """'int' for int, Optional[int] and Literal[ints]; 'str' for str, Optional[str], list[str], Literal[strs]."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if annotation is int:
        return "int"
    if annotation is str:
        return "str"
    if origin is Literal:
        if all(isinstance(a, int) and not isinstance(a, bool) for a in args):
            return "int"
        return "str" if all(isinstance(a, str) for a in args) else None
    if origin in (typing.Union, types.UnionType):
        kinds = {_scalar_kind(a) for a in args if a is not type(None)}
        return kinds.pop() if len(kinds) == 1 else None
    if origin in (list, tuple, dict) and args and all(a is str or a is Ellipsis for a in args):
        return "str"
    return None


# --- edge ------------------------------------------------------------------


class Certificate(Model):
    hosted_zone_id: Optional[str] = Field(
        None, description="Route 53 zone in which the kit requests and DNS-validates ACM certificates."
    )
    arn: Optional[str] = Field(None, description="Existing ACM certificate for the ALB, in the stack's region.")
    cloudfront_arn: Optional[str] = Field(
        None, description="Existing ACM certificate for CloudFront, in us-east-1 (cloudfront mode only)."
    )

    @field_validator("hosted_zone_id")
    @classmethod
    def _zone(cls, value: Optional[str]) -> Optional[str]:
        if value is not None and not rules.HOSTED_ZONE_ID.fullmatch(value):
            raise ValueError(
                f"'{value}' is not a Route 53 hosted zone id; copy the id (Z...) from the Route 53 console"
            )
        return value

    @property
    def kit_managed(self) -> bool:
        return self.hosted_zone_id is not None


class Edge(Model):
    mode: Literal["cloudfront", "alb"] = Field(
        description="cloudfront: CloudFront in front of the ALB; alb: the ALB is the edge."
    )
    certificate: Certificate
    origin_domain: Optional[str] = Field(
        None,
        description="Host name CloudFront uses to reach the ALB (cloudfront mode); default origin.<domain>.",
    )


# --- headers, HSTS, CORS ---------------------------------------------------


class Hsts(Model):
    enabled: bool = Field(description="Send Strict-Transport-Security; only once TLS is validated.")
    max_age_seconds: int = Field(limits.HSTS_PRELOAD_MIN_AGE, description="HSTS max-age in seconds.")
    include_sub_domains: bool = Field(True, description="Add includeSubDomains: every subdomain must serve HTTPS.")
    preload: bool = Field(
        False, description="Add preload (needs includeSubDomains and a year); submit to the browsers' list after."
    )

    @field_validator("max_age_seconds")
    @classmethod
    def _positive(cls, value: int) -> int:
        if value <= 0:
            raise ValueError("must be a positive number of seconds; start with 300 and grow to 31536000")
        return value

    @model_validator(mode="after")
    def _preload_rules(self) -> Hsts:
        if self.preload and not self.include_sub_domains:
            raise rules.located("preload", "preload needs includeSubDomains: true; set it or turn preload off")
        if self.preload and self.max_age_seconds < limits.HSTS_PRELOAD_MIN_AGE:
            raise rules.located(
                "preload",
                f"preload needs maxAgeSeconds >= {limits.HSTS_PRELOAD_MIN_AGE} (one year); "
                "raise maxAgeSeconds or turn preload off",
            )
        return self


class HeaderOverrides(Model):
    """Single-value overrides of the default edge response headers."""

    content_security_policy: Optional[str] = Field(
        None, description="Content-Security-Policy instead of the console-safe default."
    )
    frame_options: Optional[Literal["DENY", "SAMEORIGIN"]] = Field(
        None, description="X-Frame-Options: DENY (default) or SAMEORIGIN."
    )
    referrer_policy: Optional[
        Literal[
            "no-referrer",
            "same-origin",
            "strict-origin",
            "strict-origin-when-cross-origin",
            "no-referrer-when-downgrade",
            "origin",
            "origin-when-cross-origin",
        ]
    ] = Field(None, description="Referrer-Policy value.")
    permissions_policy: Optional[str] = Field(None, description="Permissions-Policy value.")
    cross_origin_resource_policy: Optional[Literal["same-origin", "same-site", "cross-origin"]] = Field(
        None, description="Cross-Origin-Resource-Policy value."
    )


class Cors(Model):
    origins: list[str] = Field(description="Explicit https origins allowed to call the API with CORS.")
    allow_credentials: bool = Field(
        True, description="Allow cookies/credentials on cross-origin calls (never with '*')."
    )
    allowed_methods: list[Literal["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]] = Field(
        default_factory=lambda: list(DEFAULT_CORS_METHODS),
        description="Methods allowed on cross-origin calls.",
    )
    allowed_headers: list[str] = Field(
        default_factory=lambda: list(DEFAULT_CORS_HEADERS),
        description="Request headers allowed on cross-origin calls.",
    )
    max_age_seconds: int = Field(
        DEFAULT_CORS_MAX_AGE, ge=0, le=86400, description="How long browsers cache a preflight answer."
    )

    @field_validator("origins")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("is empty; list the https origins that may call the API, e.g. [https://app.example.com]")
        for index, origin in enumerate(value):
            if origin == "*":
                continue  # judged with allowCredentials and environment below
            if not rules.CORS_ORIGIN.fullmatch(origin) or not rules.valid_port(origin):
                raise rules.located(
                    index,
                    f"'{origin}' is not an origin; write a lowercase https://host[:port] "
                    "with no path or trailing slash",
                )
        return value

    @model_validator(mode="after")
    def _no_wildcard_with_credentials(self) -> Cors:
        if "*" in self.origins and self.allow_credentials:
            raise rules.located(
                ("origins", self.origins.index("*")),
                "'*' is never allowed with allowCredentials: true; list the explicit origins instead",
            )
        return self


# --- rate limits and WAF ---------------------------------------------------


class RateLimit(Model):
    limit: int = Field(description="Requests per client IP per window (>= 10, the WAF minimum).")
    window_seconds: Literal[limits.EVALUATION_WINDOWS] = Field(
        60, description="Evaluation window: 60, 120, 300 or 600 s."
    )

    @field_validator("limit", mode="before")
    @classmethod
    def _integer(cls, value: object) -> object:
        value = rules.whole_number(value)
        if not isinstance(value, int):
            raise ValueError(f"must be a whole number of requests, got {files.shorten(repr(value))}")
        if value < limits.RATE_LIMIT_MIN or value > limits.RATE_LIMIT_MAX:
            raise ValueError(
                f"must be between {limits.RATE_LIMIT_MIN} and {limits.RATE_LIMIT_MAX:,} (AWS WAF limits), got {value}"
            )
        return value


class RateLimits(Model):
    auth: RateLimit = RateLimit(limit=10, window_seconds=60)
    write: RateLimit = RateLimit(limit=60, window_seconds=60)
    read: RateLimit = RateLimit(limit=600, window_seconds=60)


ManagedRuleMode = Literal["off", "count", "block"]


class ManagedRuleGroups(Model):
    common_rule_set: ManagedRuleMode = Field("block", description="AWSManagedRulesCommonRuleSet: off, count or block.")
    known_bad_inputs: ManagedRuleMode = Field(
        "block", description="AWSManagedRulesKnownBadInputsRuleSet: off, count or block."
    )
    ip_reputation: ManagedRuleMode = Field(
        "block", description="AWSManagedRulesAmazonIpReputationList: off, count or block."
    )


class Waf(Model):
    managed_rule_groups: Optional[ManagedRuleGroups] = Field(
        None, description="AWS managed rule groups: off | count | block each; default off in dev, block elsewhere."
    )
    log_retention_days: int = Field(365, description="Retention of the WAF log group (a CloudWatch Logs value).")

    @field_validator("log_retention_days")
    @classmethod
    def _retention(cls, value: int) -> int:
        return rules.check_log_retention(value)


# --- network, redis, secrets -----------------------------------------------


class Network(Model):
    vpc_id: str = Field(description="VPC of the EKS cluster and the database.")
    private_subnet_ids: list[str] = Field(
        min_length=2, description="Private subnets in two or more zones (Redis, restore tests)."
    )
    app_security_group_id: str = Field(
        description="Security group of the ObjectOS pods; the only source admitted to Redis."
    )

    @field_validator("vpc_id")
    @classmethod
    def _vpc(cls, value: str) -> str:
        return rules.check_aws_id(value, "vpc")

    @field_validator("private_subnet_ids")
    @classmethod
    def _subnets(cls, value: list[str]) -> list[str]:
        for index, subnet in enumerate(value):
            if not rules.AWS_ID["subnet"].fullmatch(subnet):
                raise rules.located(index, f"'{subnet}' is not a subnet id (subnet-...)")
        return value

    @field_validator("app_security_group_id")
    @classmethod
    def _sg(cls, value: str) -> str:
        return rules.check_aws_id(value, "sg")


class Redis(Model):
    engine: Literal["valkey", "redis"] = Field("valkey", description="ElastiCache engine: valkey or redis.")
    engine_version: Optional[str] = Field(None, description="Engine version; default 8.0 for valkey, 7.1 for redis.")
    node_type: str = Field("cache.t4g.small", description="ElastiCache node type.")
    replicas_per_shard: int = Field(
        1, ge=0, le=5, description="Replicas per shard; >= 1 turns on failover and Multi-AZ (required in prod)."
    )
    snapshot_retention_days: int = Field(7, ge=0, le=35, description="Days of automatic Redis snapshots (0..35).")
    log_retention_days: int = Field(30, description="Retention of the Redis slow-log group (a CloudWatch Logs value).")

    @field_validator("node_type")
    @classmethod
    def _node_type(cls, value: str) -> str:
        if not re.fullmatch(r"cache\.[a-z0-9]+\.[a-z0-9]+", value):
            raise ValueError(f"'{value}' is not an ElastiCache node type such as cache.t4g.small")
        return value

    @field_validator("log_retention_days")
    @classmethod
    def _retention(cls, value: int) -> int:
        return rules.check_log_retention(value)

    @model_validator(mode="after")
    def _supported_version(self) -> Redis:
        major = self.version.split(".")[0]
        oldest = 7 if self.engine == "valkey" else 6
        if not major.isdigit() or int(major) < oldest:
            raise rules.located(
                "engineVersion",
                f"{self.engine} '{self.version}' is not supported; use {self.engine} {oldest} or later "
                "(transit encryption with AUTH and the parameter group family need it)",
            )
        return self

    @property
    def version(self) -> str:
        return self.engine_version or ("8.0" if self.engine == "valkey" else "7.1")


class Secrets(Model):
    recovery_window_days: int = Field(30, description="Days a deleted secret can be restored (7..30).")
    provider_keys: list[str] = Field(default_factory=list, description="Extra secret names, one entry each.")
    admin_role_arns: list[str] = Field(
        default_factory=list,
        description="IAM role ARNs (wildcards allowed) that may read the secrets besides the workload: "
        "administrators and the role that runs `pulumi up`. Required in staging and prod; "
        "empty in dev means every role of the account.",
    )

    @field_validator("admin_role_arns")
    @classmethod
    def _admins(cls, value: list[str]) -> list[str]:
        for index, arn in enumerate(value):
            match = rules.IAM_ROLE_ARN_PATTERN.fullmatch(arn)
            if not match:
                raise rules.located(
                    index, f"'{arn}' is not an IAM role ARN; write arn:aws:iam::<account>:role/<name or path/*>"
                )
            if not match.group("role").strip("*?/"):
                raise rules.located(
                    index, f"'{arn}' would let every role read the secrets; name the admin and deployer roles"
                )
        return value

    @field_validator("recovery_window_days")
    @classmethod
    def _window(cls, value: int) -> int:
        if not 7 <= value <= 30:
            raise ValueError(f"must be between 7 and 30 days (Secrets Manager), got {value}")
        return value

    @field_validator("provider_keys")
    @classmethod
    def _names(cls, value: list[str]) -> list[str]:
        for index, name in enumerate(value):
            if not rules.ENV_NAME.fullmatch(name):
                raise rules.located(
                    index, f"'{name}' is not an environment-variable name; use UPPER_SNAKE_CASE such as SMTP_PASSWORD"
                )
        if len(set(value)) != len(value):
            raise ValueError("lists a name twice; keep each provider key once")
        return value


class Database(Model):
    arn: str = Field(description="ARN of the RDS instance or Aurora cluster the kit backs up.")

    @field_validator("arn")
    @classmethod
    def _arn(cls, value: str) -> str:
        if not rules.RDS_ARN.fullmatch(value):
            raise ValueError(
                f"'{value}' is not an RDS instance or cluster ARN; "
                "use arn:aws:rds:<region>:<account>:db:<name> or ...:cluster:<name>"
            )
        return value

    @property
    def is_cluster(self) -> bool:
        return ":cluster:" in self.arn

    @property
    def identifier(self) -> str:
        return self.arn.rsplit(":", 1)[1]

    @property
    def account_id(self) -> str:
        return self.arn.split(":")[4]


# --- backups and audit -----------------------------------------------------


class VaultLock(Model):
    min_retention_days: int = Field(7, ge=1, description="Shortest retention the vault accepts for a recovery point.")
    max_retention_days: int = Field(400, ge=1, description="Longest retention the vault accepts for a recovery point.")
    changeable_for_days: int = Field(
        3, description="Days before the lock becomes immutable (compliance mode; at least 3)."
    )

    @field_validator("changeable_for_days")
    @classmethod
    def _cooling_off(cls, value: int) -> int:
        if value < 3:
            raise ValueError(f"must be at least 3 days (the compliance-mode grace period), got {value}")
        return value

    @model_validator(mode="after")
    def _ordered(self) -> VaultLock:
        if self.min_retention_days > self.max_retention_days:
            raise rules.located(
                "minRetentionDays",
                f"minRetentionDays {self.min_retention_days} is above maxRetentionDays "
                f"{self.max_retention_days}; lower the minimum or raise the maximum",
            )
        return self


class RestoreTest(Model):
    schedule: str = Field("cron(0 5 ? * SAT *)", description="AWS cron(...) expression (UTC); at least quarterly.")
    validation_window_hours: int = Field(4, description="Hours the restored copy is kept for validation (1..168).")

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, value: str) -> str:
        rules.check_schedule(value)
        problem = rules.restore_test_rarity(value)
        if problem:
            raise ValueError(f"'{value}' {problem} (database-backup-restore-tested)")
        return value

    @field_validator("validation_window_hours")
    @classmethod
    def _window(cls, value: int) -> int:
        if not 1 <= value <= 168:
            raise ValueError(f"must be between 1 and 168 hours, got {value}")
        return value


class Backup(Model):
    retention_days: int = Field(35, ge=1, description="Days each daily snapshot is kept.")
    continuous_retention_days: int = Field(
        35, ge=1, le=35, description="Point-in-time recovery window (AWS allows at most 35 days)."
    )
    vault_lock: VaultLock = VaultLock()
    restore_test: RestoreTest = RestoreTest()
    copy_to_region: Optional[str] = Field(None, description="Optional second region for a copy of each snapshot.")
    monthly_retention_days: Optional[int] = Field(
        None,
        ge=0,
        description="Days each monthly snapshot is kept; default auditLog.retentionDays when that is longer "
        "than retentionDays (the audit trail lives in the database); 0 turns monthly snapshots off.",
    )

    @field_validator("copy_to_region")
    @classmethod
    def _region(cls, value: Optional[str]) -> Optional[str]:
        return rules.check_region(value) if value is not None else None

    @model_validator(mode="after")
    def _within_lock(self) -> Backup:
        lock = self.vault_lock
        if self.retention_days < lock.min_retention_days:
            raise rules.located(
                "retentionDays",
                f"{self.retention_days} days is shorter than vaultLock.minRetentionDays "
                f"({lock.min_retention_days}); the vault would refuse the backups",
            )
        if self.retention_days > lock.max_retention_days:
            raise rules.located(
                "retentionDays",
                f"{self.retention_days} days is longer than vaultLock.maxRetentionDays "
                f"({lock.max_retention_days}); the vault would refuse the backups",
            )
        if not lock.min_retention_days <= self.continuous_retention_days <= lock.max_retention_days:
            raise rules.located(
                "continuousRetentionDays",
                f"{self.continuous_retention_days} days is outside the vault lock's "
                f"{lock.min_retention_days}..{lock.max_retention_days} days; the vault would refuse "
                "the point-in-time recovery points",
            )
        return self


class AuditLog(Model):
    retention_days: int = Field(description="How long audit logs are kept: the customer's policy, in days.")
    object_lock_mode: Literal["COMPLIANCE", "GOVERNANCE"] = Field(
        "COMPLIANCE",
        description="Object Lock mode of the audit archive; GOVERNANCE lets privileged users delete early (not in prod).",
    )

    @field_validator("retention_days")
    @classmethod
    def _retention(cls, value: int) -> int:
        return rules.check_log_retention(value)


# --- release, OIDC, kubernetes ---------------------------------------------


class Release(Model):
    id: str = Field(description="Release id, e.g. 2026.11.29-1.")
    image: str = Field(description="ObjectOS image, pinned by digest: <repo>@sha256:<64 hex>.")
    artifact_url: str = Field(description="Artifact URL with its integrity pin: ...objectstack.json#sha256=<64 hex>.")
    pinned_at: Optional[str] = Field(
        None,
        description="UTC time (YYYY-MM-DDTHH:MM:SSZ) `golive release` or `golive rollback` set this pin; "
        "names the pre-migration snapshot and is recorded as deployedAt.",
    )

    @field_validator("pinned_at", mode="before")
    @classmethod
    def _pinned_at(cls, value: object) -> object:
        return rules.check_utc_time(value)

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not rules.RELEASE_ID.fullmatch(value):
            raise ValueError(f"'{value}' is not a release id; use letters, digits, '.', '_' or '-' (max 64)")
        return value

    @field_validator("image")
    @classmethod
    def _image(cls, value: str) -> str:
        if not rules.IMAGE_REF.fullmatch(value):
            raise ValueError(
                f"'{value}' is not an image reference such as ghcr.io/objectstack-ai/objectstack@sha256:<hex>"
            )
        return value

    @field_validator("artifact_url")
    @classmethod
    def _url(cls, value: str) -> str:
        found = urls.problems(value)
        if found:
            raise ValueError(f"'{urls.shown(value)}' " + "; ".join(found))
        return value

    @property
    def image_pinned(self) -> bool:
        return rules.pinned_image(self.image)

    @property
    def artifact_pinned(self) -> bool:
        return rules.pinned_artifact(self.artifact_url)


class OidcProvider(Model):
    provider_id: str
    issuer: str
    client_id: str
    callback_url: str

    @field_validator("provider_id")
    @classmethod
    def _provider(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,62}", value):
            raise ValueError(f"'{value}' must be lowercase letters, digits and '-'")
        return value

    @field_validator("issuer")
    @classmethod
    def _issuer(cls, value: str) -> str:
        if not value.startswith("https://"):
            raise ValueError(f"'{value}' must be the provider's https issuer URL")
        return value


class ResourceAmounts(Model):
    cpu: str
    memory: str

    @field_validator("cpu", "memory")
    @classmethod
    def _quantity(cls, value: str, info: ValidationInfo) -> str:
        return rules.check_quantity(value, info.field_name or "cpu")


class Resources(Model):
    requests: ResourceAmounts = Field(
        ResourceAmounts(cpu="500m", memory="1Gi"), description="Container requests {cpu, memory}."
    )
    limits: ResourceAmounts = Field(
        ResourceAmounts(cpu="2", memory="2Gi"), description="Container limits {cpu, memory}."
    )


class Kubernetes(Model):
    namespace: str = Field("objectos", description="Namespace the kit creates for ObjectOS (restricted Pod Security).")
    replicas: int = Field(3, description="Minimum replicas (the autoscaler's floor).")
    max_replicas: Optional[int] = Field(None, description="Autoscaler ceiling; default 3 x replicas.")
    version: str = Field("1.31", description="Kubernetes version whose schemas validate the manifests.")
    oidc_provider_arn: Optional[str] = Field(
        None, description="EKS cluster OIDC provider ARN, for the workload's IAM role (IRSA)."
    )
    resources: Resources = Resources()

    @field_validator("namespace")
    @classmethod
    def _namespace(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?", value):
            raise ValueError(f"'{value}' is not a Kubernetes namespace name (lowercase, digits, '-')")
        return value

    @field_validator("replicas")
    @classmethod
    def _replicas(cls, value: int) -> int:
        if value < 1:
            raise ValueError(f"must be at least 1, got {value}")
        return value

    @field_validator("version", mode="before")
    @classmethod
    def _version(cls, value: object) -> object:
        if isinstance(value, float):  # YAML reads 1.31 as a number
            value = f"{value:.2f}".rstrip("0") if value * 100 % 10 else str(value)
        if not isinstance(value, str) or not re.fullmatch(r"1\.\d{2}", value):
            raise ValueError(
                f'{files.shorten(repr(value))} is not a Kubernetes minor version; write your cluster\'s, quoted, e.g. "1.31"'
            )
        return rules.check_kubernetes_version(value)

    @field_validator("oidc_provider_arn")
    @classmethod
    def _oidc(cls, value: Optional[str]) -> Optional[str]:
        if value is not None and not rules.OIDC_PROVIDER_ARN.fullmatch(value):
            raise ValueError(
                f"'{value}' is not an IAM OIDC provider ARN (arn:aws:iam::<account>:oidc-provider/oidc.eks...)"
            )
        return value

    @property
    def autoscaler_ceiling(self) -> int:
        return self.max_replicas or self.replicas * 3

    @property
    def oidc_issuer_host(self) -> Optional[str]:
        return self.oidc_provider_arn.split("oidc-provider/", 1)[1] if self.oidc_provider_arn else None


# --- the whole stack -------------------------------------------------------


class Settings(Model):
    """Validated settings for one stack."""

    stack: str = Field(description="Pulumi stack name (from the file or the engine, not a config key).")
    region: str = Field(description="AWS region (aws:region).")
    environment: Environment = Field(description="dev, staging or prod; prod makes the go-live checklist mandatory.")
    domain: str = Field(description="Public host name, lowercase, no scheme (app.example.com).")
    edge: Edge
    hsts: Hsts
    headers: HeaderOverrides = HeaderOverrides()
    cors: Cors
    rate_limits: RateLimits = RateLimits()
    waf: Waf = Waf()
    network: Network
    redis: Redis = Redis()
    secrets: Secrets = Secrets()
    secret_values: dict[str, SecretStr] = Field(
        default_factory=dict, description="Secret values by name; each must be `secure:` in the stack file."
    )
    database: Database
    backup: Backup = Backup()
    audit_log: AuditLog
    release: Release
    edition: Optional[Literal["open", "licensed"]] = Field(
        None,
        description="Runtime edition of release.image: open (one pod, single-org) or licensed (multi-node, "
        "multi-org); default open for the open image ghcr.io/objectstack-ai/objectstack, required for any other.",
    )
    oidc: list[OidcProvider] = Field(
        default_factory=list,
        description="OIDC providers: {providerId, issuer, clientId, callbackUrl on https://<domain>/api/v1/auth/sso/callback/<providerId>}.",
    )
    kubernetes: Kubernetes = Kubernetes()
    tags: dict[str, str] = Field(default_factory=dict, description="Extra tags on every AWS resource.")

    @field_validator("stack")
    @classmethod
    def _stack(cls, value: str) -> str:
        if not rules.STACK_NAME.fullmatch(value):
            raise ValueError(
                f"'{value}' cannot name AWS resources (WAF, log groups, snapshots); "
                "use letters, digits and '-', starting with a letter, at most 32 characters"
            )
        return value

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: dict[str, str]) -> dict[str, str]:
        for key, tag in value.items():
            problem = rules.tag_problem(key, tag)
            if problem:
                raise rules.located(key, problem)
        return value

    @field_validator("region")
    @classmethod
    def _region(cls, value: str) -> str:
        return rules.check_region(value)

    @field_validator("domain")
    @classmethod
    def _domain(cls, value: str) -> str:
        if "://" in value:
            raise ValueError(f"'{value}' has a scheme; write the host name only, e.g. app.example.com")
        if not rules.HOST_NAME.fullmatch(value):
            raise ValueError(f"'{value}' is not a lowercase host name such as app.example.com")
        return value

    @field_validator("secret_values")
    @classmethod
    def _secret_names(cls, value: dict[str, SecretStr]) -> dict[str, SecretStr]:
        for name in value:
            if not rules.ENV_NAME.fullmatch(name):
                raise rules.located(name, f"'{name}' is not a secret name; use UPPER_SNAKE_CASE")
        return value

    @model_validator(mode="after")
    def _cross_field(self) -> Settings:
        problems = rules.cross_field_problems(self)
        if problems:
            raise rules.Problems(problems)
        return self

    # Names the rest of the kit uses.
    @property
    def is_prod(self) -> bool:
        return self.environment == "prod"

    @property
    def public_url(self) -> str:
        return f"https://{self.domain}"

    @property
    def origin_domain(self) -> str:
        return self.edge.origin_domain or f"origin.{self.domain}"

    @property
    def managed_rule_groups(self) -> ManagedRuleGroups:
        if self.waf.managed_rule_groups is not None:
            return self.waf.managed_rule_groups
        if self.environment == "dev":
            return ManagedRuleGroups(common_rule_set="off", known_bad_inputs="off", ip_reputation="off")
        return ManagedRuleGroups()

    @property
    def runtime_edition(self) -> Optional[str]:
        """The edition the release's image runs: stated, or inferred from the open image's name."""
        return self.edition or editions.inferred_edition(self.release.image)

    @property
    def multi_pod(self) -> bool:
        return self.kubernetes.replicas > 1 or self.kubernetes.autoscaler_ceiling > 1

    @property
    def resource_prefix(self) -> str:
        return f"objectos-{self.stack}"

    @property
    def monthly_snapshot_days(self) -> int:
        """Days each monthly database snapshot is kept (0: none), following the audit policy."""
        return rules.monthly_snapshot_days(
            self.backup.retention_days, self.audit_log.retention_days, self.backup.monthly_retention_days
        )


def aws_tags(settings: Settings) -> dict[str, str]:
    """Tags on every AWS resource; the live verifier finds the stack's resources by them."""
    return {
        **settings.tags,
        TAG_STACK: settings.stack,
        TAG_ENVIRONMENT: settings.environment,
        "managed-by": "pulumi-objectos-kit",
    }
