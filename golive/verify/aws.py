"""Read the stack's AWS resources (read-only) and judge them with aws_checks.

Resources are found by the tag every kit resource carries, objectos:stack=<stack>:
through the Resource Groups Tagging API, except web ACLs and backup vaults and
plans, which are listed by their own service (WAF needs the scope anyway).
Secret values are never read: DescribeSecret and ListSecretVersionIds only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Optional

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from golive.results import Finding
from golive.verify import aws_checks as judge
from golive.verify.aws_checks import (
    AwsExpectations,
    BackupPlan,
    Bucket,
    EdgePolicy,
    LogGroup,
    PlanRule,
    RateRule,
    Redis,
    RestoreJob,
    RestoreTesting,
    Secret,
    Vault,
    WebAcl,
)
from golive.verify.checks import failed
from objectos_core.checklist import AWS_VERIFIED
from objectos_core.headers import HSTS, format_hsts
from objectos_core.limits import CLOUDFRONT_REGION, DEFAULT_EVALUATION_WINDOW, RESTORE_TEST_MAX_GAP_DAYS
from objectos_core.names import TAG_STACK
from objectos_core.waf_rules import rule_buckets

ClientFactory = Callable[[str, str], Any]
# A stalled endpoint costs at most ATTEMPTS x (CONNECT + READ) seconds per call (30 s), not minutes;
# total_max_attempts counts the first try, unlike max_attempts.
CONNECT_SECONDS, READ_SECONDS, ATTEMPTS = 5, 10, 2
_CONFIG = Config(
    connect_timeout=CONNECT_SECONDS,
    read_timeout=READ_SECONDS,
    retries={"total_max_attempts": ATTEMPTS, "mode": "standard"},
)


class AwsReader:
    """Clients per (service, region), made by `client_factory` (tests inject moto or stubs)."""

    def __init__(
        self,
        stack: str,
        region: str,
        endpoint_url: Optional[str] = None,
        client_factory: Optional[ClientFactory] = None,
    ) -> None:
        self.stack, self.region, self.endpoint_url = stack, region, endpoint_url
        self._factory = client_factory or self._boto3_client
        self._session: Optional[boto3.session.Session] = None
        self._clients: dict[tuple[str, str], Any] = {}
        self._kit_keys: dict[str, bool] = {}

    def client(self, service: str, region: Optional[str] = None) -> Any:
        key = (service, region or self.region)
        if key not in self._clients:
            self._clients[key] = self._factory(*key)
        return self._clients[key]

    def _boto3_client(self, service: str, region: str) -> Any:
        self._session = self._session or boto3.session.Session()
        return self._session.client(service, region_name=region, endpoint_url=self.endpoint_url, config=_CONFIG)

    def _ours(self, tags: Any) -> bool:
        if isinstance(tags, dict):
            return tags.get(TAG_STACK) == self.stack
        return any(t.get("Key") == TAG_STACK and t.get("Value") == self.stack for t in tags or [])

    # --- discovery ------------------------------------------------------------

    def tagged(self, region: str) -> list[str]:
        pages = self.client("resourcegroupstaggingapi", region).get_paginator("get_resources")
        return [
            item["ResourceARN"]
            for page in pages.paginate(TagFilters=[{"Key": TAG_STACK, "Values": [self.stack]}])
            for item in page.get("ResourceTagMappingList", [])
        ]

    # --- WAF ------------------------------------------------------------------

    def web_acl(self, scope: str, region: str, distributions: dict[str, str]) -> Optional[WebAcl]:
        waf = self.client("wafv2", region)
        for summary in _marker_pages(waf.list_web_acls, "WebACLs", Scope=scope, Limit=100):
            tags = waf.list_tags_for_resource(ResourceARN=summary["ARN"]).get("TagInfoForResource", {})
            if self._ours(tags.get("TagList")):
                return self._describe_acl(waf, summary, scope, distributions)
        return None

    def _describe_acl(self, waf: Any, summary: dict, scope: str, distributions: dict[str, str]) -> WebAcl:
        acl = waf.get_web_acl(Name=summary["Name"], Scope=scope, Id=summary["Id"])["WebACL"]
        arn = acl["ARN"]
        try:
            logging = waf.get_logging_configuration(ResourceArn=arn)["LoggingConfiguration"]
        except ClientError as exc:
            if _code(exc) != "WAFNonexistentItemException":
                raise
            logging = {}
        if scope == "CLOUDFRONT":
            associated = tuple(d for d, acl_id in distributions.items() if acl_id == arn)
        else:
            associated = tuple(
                waf.list_resources_for_web_acl(WebACLArn=arn, ResourceType="APPLICATION_LOAD_BALANCER").get(
                    "ResourceArns", []
                )
            )
        return WebAcl(
            name=acl["Name"],
            arn=arn,
            scope=scope,
            capacity=acl.get("Capacity"),
            rate_rules=tuple(r for r in map(rate_rule, acl.get("Rules", [])) if r is not None),
            associated=associated,
            log_destinations=tuple(logging.get("LogDestinationConfigs", [])),
            redacted_headers=tuple(
                f["SingleHeader"]["Name"].lower() for f in logging.get("RedactedFields", []) if "SingleHeader" in f
            ),
        )

    # --- secrets --------------------------------------------------------------

    def secrets(self, arns: list[str]) -> list[Secret]:
        found = []
        for arn in arns:
            manager = self.client("secretsmanager", _region(arn))
            described = manager.describe_secret(SecretId=arn)
            if described.get("DeletedDate"):
                continue  # scheduled for deletion: as good as gone
            versions = manager.list_secret_version_ids(SecretId=arn).get("Versions", [])
            key = described.get("KmsKeyId")
            found.append(
                Secret(
                    name=described["Name"],
                    kms_key=key,
                    kit_key=self._kit_key(key, _region(arn)),
                    has_value=any("AWSCURRENT" in v.get("VersionStages", []) for v in versions),
                )
            )
        return found

    def _kit_key(self, key: Optional[str], region: str) -> bool:
        """A customer managed key tagged with this stack (not the AWS managed default)."""
        if not key:
            return False
        if key not in self._kit_keys:
            kms = self.client("kms", region)
            metadata = kms.describe_key(KeyId=key)["KeyMetadata"]
            tags = kms.list_resource_tags(KeyId=metadata["Arn"]).get("Tags", [])
            self._kit_keys[key] = metadata.get("KeyManager") == "CUSTOMER" and any(
                t.get("TagKey") == TAG_STACK and t.get("TagValue") == self.stack for t in tags
            )
        return self._kit_keys[key]

    # --- backups --------------------------------------------------------------

    def vaults(self) -> list[Vault]:
        backup = self.client("backup")
        return [
            Vault(
                name=v["BackupVaultName"],
                locked=bool(v.get("Locked")),
                min_days=v.get("MinRetentionDays"),
                max_days=v.get("MaxRetentionDays"),
                lock_date=v.get("LockDate"),
            )
            for v in _token_pages(backup.list_backup_vaults, "BackupVaultList")
            if self._ours(backup.list_tags(ResourceArn=v["BackupVaultArn"]).get("Tags", {}))
        ]

    def plans(self) -> list[BackupPlan]:
        backup = self.client("backup")
        found = []
        for summary in _token_pages(backup.list_backup_plans, "BackupPlansList"):
            if not self._ours(backup.list_tags(ResourceArn=summary["BackupPlanArn"]).get("Tags", {})):
                continue
            plan_id = summary["BackupPlanId"]
            rules = backup.get_backup_plan(BackupPlanId=plan_id)["BackupPlan"].get("Rules", [])
            selected = [
                arn
                for selection in _token_pages(
                    backup.list_backup_selections, "BackupSelectionsList", BackupPlanId=plan_id
                )
                for arn in backup.get_backup_selection(BackupPlanId=plan_id, SelectionId=selection["SelectionId"])[
                    "BackupSelection"
                ].get("Resources", [])
            ]
            found.append(
                BackupPlan(name=summary["BackupPlanName"], rules=tuple(map(plan_rule, rules)), selected=tuple(selected))
            )
        return found

    def restore_tests(self, database_arn: str, now: datetime) -> list[RestoreTesting]:
        """Restore testing plans whose selections restore the database, with their recent jobs."""
        backup = self.client("backup")
        found = []
        for plan in _token_pages(backup.list_restore_testing_plans, "RestoreTestingPlans"):
            name = plan["RestoreTestingPlanName"]
            protected = [
                arn
                for selection in _token_pages(
                    backup.list_restore_testing_selections, "RestoreTestingSelections", RestoreTestingPlanName=name
                )
                for arn in backup.get_restore_testing_selection(
                    RestoreTestingPlanName=name, RestoreTestingSelectionName=selection["RestoreTestingSelectionName"]
                )["RestoreTestingSelection"].get("ProtectedResourceArns", [])
            ]
            if database_arn not in protected and "*" not in protected:
                continue
            since = now - timedelta(days=RESTORE_TEST_MAX_GAP_DAYS + 30)
            jobs = _token_pages(
                backup.list_restore_jobs,
                "RestoreJobs",
                ByRestoreTestingPlanArn=plan["RestoreTestingPlanArn"],
                ByCreatedAfter=since,
            )
            found.append(
                RestoreTesting(
                    name=name,
                    schedule=plan.get("ScheduleExpression"),
                    protected=tuple(protected),
                    jobs=tuple(map(restore_job, jobs)),
                )
            )
        return found

    # --- logs, archive, Redis, CloudFront -------------------------------------

    def log_groups(self, arns: list[str]) -> list[LogGroup]:
        found = []
        for arn in arns:
            name = arn.split(":log-group:", 1)[1].removesuffix(":*")
            logs = self.client("logs", _region(arn))
            for group in _token_pages(
                logs.describe_log_groups, "logGroups", token="nextToken", logGroupNamePrefix=name
            ):
                if group["logGroupName"] == name:
                    found.append(
                        LogGroup(name=name, retention_days=group.get("retentionInDays"), kms_key=group.get("kmsKeyId"))
                    )
        return found

    def buckets(self, arns: list[str]) -> list[Bucket]:
        s3 = self.client("s3")
        found = []
        for arn in arns:
            name = arn.rsplit(":", 1)[-1]
            try:
                config = s3.get_object_lock_configuration(Bucket=name)["ObjectLockConfiguration"]
            except ClientError as exc:
                if _code(exc) != "ObjectLockConfigurationNotFoundError":
                    raise
                config = {}
            retention = config.get("Rule", {}).get("DefaultRetention", {})
            days = retention.get("Days") or (retention["Years"] * 365 if retention.get("Years") else None)
            found.append(
                Bucket(
                    name=name,
                    lock_enabled=config.get("ObjectLockEnabled") == "Enabled",
                    mode=retention.get("Mode"),
                    days=days,
                )
            )
        return found

    def redis(self, arns: list[str]) -> list[Redis]:
        found = []
        for arn in arns:
            cache = self.client("elasticache", _region(arn))
            for group in cache.describe_replication_groups(ReplicationGroupId=arn.rsplit(":", 1)[-1])[
                "ReplicationGroups"
            ]:
                found.append(
                    Redis(
                        id=group["ReplicationGroupId"],
                        transit=bool(group.get("TransitEncryptionEnabled")),
                        at_rest=bool(group.get("AtRestEncryptionEnabled")),
                        auth_token=bool(group.get("AuthTokenEnabled")),
                        kms_key=group.get("KmsKeyId"),
                    )
                )
        return found

    def distributions(self, arns: list[str]) -> dict[str, tuple[str, str]]:
        """Distribution ARN -> (web ACL id, response headers policy id)."""
        cloudfront = self.client("cloudfront", CLOUDFRONT_REGION)
        found = {}
        for arn in arns:
            config = cloudfront.get_distribution(Id=arn.rsplit("/", 1)[-1])["Distribution"]["DistributionConfig"]
            found[arn] = (
                config.get("WebACLId", ""),
                config.get("DefaultCacheBehavior", {}).get("ResponseHeadersPolicyId", ""),
            )
        return found

    def edge_policy(self, arn: str, policy_id: str) -> EdgePolicy:
        if not policy_id:
            return EdgePolicy(distribution=arn, error="the default cache behavior has no response headers policy")
        cloudfront = self.client("cloudfront", CLOUDFRONT_REGION)
        policy = cloudfront.get_response_headers_policy(Id=policy_id)["ResponseHeadersPolicy"]
        return edge_policy_from_config(arn, policy["ResponseHeadersPolicyConfig"])


# --- the run ------------------------------------------------------------------


def verify(reader: AwsReader, expected: AwsExpectations, now: datetime) -> list[Finding]:
    """Every AWS check; an API that cannot be read fails its own checks with the reason."""
    cloudfront = expected.edge_mode == "cloudfront"
    regions = [reader.region] + ([CLOUDFRONT_REGION] if cloudfront and reader.region != CLOUDFRONT_REGION else [])
    try:
        arns = [arn for region in regions for arn in reader.tagged(region)]
    except (BotoCoreError, ClientError) as exc:
        return [
            failed(check_id, "AWS resources", f"cannot list tagged resources: {aws_reason(exc)}")
            for check_id in AWS_VERIFIED
        ]

    def of(service: str, marker: str = "") -> list[str]:
        return sorted({a for a in arns if a.split(":")[2] == service and marker in a})

    outcomes: list[Finding] = []

    def read(check_id: str, name: str, observe: Callable[[], Any], judge_it: Callable[[Any], list[Finding]]) -> Any:
        try:
            observed = observe()
        except (BotoCoreError, ClientError) as exc:
            outcomes.append(failed(check_id, name, f"cannot read: {aws_reason(exc)}"))
            return None
        outcomes.extend(judge_it(observed))
        return observed

    distributions: dict[str, tuple[str, str]] = {}
    if cloudfront:
        found = read(
            "security-headers-present",
            "CloudFront distribution",
            lambda: reader.distributions(of("cloudfront", ":distribution/")),
            lambda found: [] if found else judge.edge_policy(None, expected),
        )
        distributions = found or {}
        if distributions:
            arn, (_, policy_id) = next(iter(distributions.items()))
            read(
                "security-headers-present",
                "CloudFront response headers policy",
                lambda: reader.edge_policy(arn, policy_id),
                lambda policy: judge.edge_policy(policy, expected),
            )
    scope, waf_region = ("CLOUDFRONT", CLOUDFRONT_REGION) if cloudfront else ("REGIONAL", reader.region)
    acl_ids = {arn: acl_id for arn, (acl_id, _) in distributions.items()}
    read(
        "rate-limits-auth-write",
        "WAF web ACL",
        lambda: reader.web_acl(scope, waf_region, acl_ids),
        lambda acl: (
            judge.waf_rules(acl, expected) + judge.waf_association(acl, expected) + judge.waf_logging(acl, expected)
        ),
    )
    read(
        "auth-secret-in-secret-store",
        "secrets",
        lambda: reader.secrets(of("secretsmanager")),
        lambda found: judge.secrets(found, expected),
    )
    read(
        "database-backup-restore-tested",
        "AWS Backup",
        lambda: (reader.vaults(), reader.plans(), reader.restore_tests(expected.database_arn, now)),
        lambda found: judge.backups(*found, expected, now),
    )
    read(
        "audit-log-retention",
        "audit logs",
        lambda: (reader.log_groups(of("logs", ":log-group:")), reader.buckets(of("s3"))),
        lambda found: judge.audit_logs(*found, expected),
    )
    read(
        "redis-encrypted-with-auth",
        "Redis",
        lambda: reader.redis(of("elasticache", ":replicationgroup:")),
        lambda found: judge.redis(found, expected),
    )
    return outcomes


def aws_reason(exc: BaseException) -> str:
    if isinstance(exc, NoCredentialsError):
        return "no AWS credentials; set AWS_PROFILE (or run `aws sso login`) with a read-only role"
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        return f"{error.get('Code', 'error')}: {error.get('Message', '')}".rstrip(": ")
    return str(exc)


# --- parsing the API shapes (pure) -------------------------------------------


def rate_rule(rule: dict) -> Optional[RateRule]:
    statement = rule.get("Statement", {}).get("RateBasedStatement")
    if statement is None:
        return None
    action = rule.get("Action", {})
    response = action.get("Block", {}).get("CustomResponse", {})
    return RateRule(
        name=rule.get("Name", ""),
        buckets=rule_buckets(rule),  # judged as the policy pack judges it: by the requests it counts
        limit=int(statement["Limit"]),
        window_seconds=int(statement.get("EvaluationWindowSec", DEFAULT_EVALUATION_WINDOW)),
        action=next(iter(action), "none").lower(),
        response_code=response.get("ResponseCode"),
        retry_after=any(h.get("Name", "").lower() == "retry-after" for h in response.get("ResponseHeaders", [])),
    )


def plan_rule(rule: dict) -> PlanRule:
    return PlanRule(
        name=rule.get("RuleName", ""),
        continuous=bool(rule.get("EnableContinuousBackup")),
        delete_after_days=rule.get("Lifecycle", {}).get("DeleteAfterDays"),
        schedule=rule.get("ScheduleExpression"),
        copy_regions=tuple(_region(c["DestinationBackupVaultArn"]) for c in rule.get("CopyActions", [])),
    )


def restore_job(job: dict) -> RestoreJob:
    return RestoreJob(
        id=job["RestoreJobId"],
        status=job.get("Status", "PENDING"),
        created=job["CreationDate"],
        validation_status=job.get("ValidationStatus"),
        message=job.get("ValidationStatusMessage") or job.get("StatusMessage"),
    )


def edge_policy_from_config(distribution: str, config: dict) -> EdgePolicy:
    """The headers a CloudFront ResponseHeadersPolicyConfig sends, as the browser would see them."""
    security = config.get("SecurityHeadersConfig", {})
    headers: dict[str, str] = {}
    overrides: dict[str, bool] = {}

    def put(name: str, value: str, item: dict) -> None:
        headers[name], overrides[name] = value, bool(item.get("Override"))

    if "ContentSecurityPolicy" in security:
        put(
            "Content-Security-Policy",
            security["ContentSecurityPolicy"]["ContentSecurityPolicy"],
            security["ContentSecurityPolicy"],
        )
    if "ContentTypeOptions" in security:
        put("X-Content-Type-Options", "nosniff", security["ContentTypeOptions"])
    if "FrameOptions" in security:
        put("X-Frame-Options", security["FrameOptions"]["FrameOption"], security["FrameOptions"])
    if "ReferrerPolicy" in security:
        put("Referrer-Policy", security["ReferrerPolicy"]["ReferrerPolicy"], security["ReferrerPolicy"])
    if "StrictTransportSecurity" in security:
        sts = security["StrictTransportSecurity"]
        put(HSTS, format_hsts(sts["AccessControlMaxAgeSec"], sts.get("IncludeSubdomains"), sts.get("Preload")), sts)
    for item in config.get("CustomHeadersConfig", {}).get("Items", []):
        put(item["Header"], item["Value"], item)
    cors = config.get("CorsConfig", {})
    return EdgePolicy(
        distribution=distribution,
        headers=headers,
        not_overriding=tuple(name for name, override in overrides.items() if not override),
        cors_origins=tuple(cors.get("AccessControlAllowOrigins", {}).get("Items", [])),
        cors_credentials=bool(cors.get("AccessControlAllowCredentials")),
    )


# --- small helpers ------------------------------------------------------------


def _region(arn: str) -> str:
    return arn.split(":")[3]


def _code(exc: ClientError) -> str:
    return exc.response.get("Error", {}).get("Code", "")


def _token_pages(call: Callable[..., dict], key: str, token: str = "NextToken", **kwargs: Any) -> list[dict]:
    items, next_token = [], None
    while True:
        page = call(**kwargs, **({token: next_token} if next_token else {}))
        items += page.get(key, [])
        next_token = page.get(token)
        if not next_token:
            return items


def _marker_pages(call: Callable[..., dict], key: str, **kwargs: Any) -> list[dict]:
    items, marker = [], None
    while True:
        page = call(**kwargs, **({"NextMarker": marker} if marker else {}))
        items += page.get(key, [])
        marker = page.get("NextMarker")
        if not marker or not page.get(key):
            return items
