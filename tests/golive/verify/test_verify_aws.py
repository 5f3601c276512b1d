"""The AWS checks against a local moto server seeded with the prod stack's resources.

APIs moto 5.2.5 lacks (backup selections, restore testing and restore jobs,
CloudFront response headers policies) are answered by botocore's Stubber.
Each broken resource fails exactly the checklist item that guards it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import httpx
import pytest
from botocore.stub import ANY, Stubber
from moto.server import ThreadedMotoServer

from golive.results import Finding
from golive.verify import aws, aws_checks
from golive.verify.command import aws_expectations
from objectos_core import waf_rules
from program.adapters import header_set
from settings.model import TAG_STACK
from tests.conftest import stack_settings

SETTINGS = stack_settings("prod")
HEADERS = header_set(SETTINGS)
EXPECTED = aws_expectations(SETTINGS, HEADERS.as_map())
REGION, ACCOUNT = SETTINGS.region, SETTINGS.database.account_id
NOW = datetime.now(UTC)
TAGS = [{"Key": TAG_STACK, "Value": "prod"}]
POLICY_ID = "rhp-objectos-prod"
RESTORE_PLAN_ARN = f"arn:aws:backup:{REGION}:{ACCOUNT}:restore-testing-plan:objectos_prod_restore_test-1a2b"
BACKUP_STUBBED = {
    "list_backup_selections",
    "get_backup_selection",
    "list_restore_testing_plans",
    "list_restore_testing_selections",
    "get_restore_testing_selection",
    "list_restore_jobs",
}


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def dummy_credentials(monkeypatch, moto_url):
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_EC2_METADATA_DISABLED": "true",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    httpx.post(f"{moto_url}/moto-api/reset", timeout=10)


@functools.cache
def moto_client(url: str, service: str, region: str) -> Any:
    """Clients are costly to build and safe to share; the server is reset between tests."""
    return boto3.client(service, region_name=region, endpoint_url=url)


# --- seeding ------------------------------------------------------------------


def seed(url: str, broken: str = "") -> None:
    """The prod stack's resources as the kit creates them; `broken` spoils one of them."""

    def client(service: str, region: str = REGION) -> Any:
        return moto_client(url, service, region)

    key = client("kms").create_key(Tags=[{"TagKey": TAG_STACK, "TagValue": "prod"}])["KeyMetadata"]["Arn"]
    secrets = client("secretsmanager")
    for name in ("OS_AUTH_SECRET", "OS_SECRET_KEY", "OS_DATABASE_URL"):
        entry: dict[str, Any] = {
            "Name": f"objectos/prod/{name}",
            "KmsKeyId": key,
            "Tags": TAGS,
            "SecretString": "v" * 64,
        }
        if broken == "empty secret" and name == "OS_DATABASE_URL":
            del entry["SecretString"]
        if broken == "default key" and name == "OS_AUTH_SECRET":
            del entry["KmsKeyId"]
        secrets.create_secret(**entry)

    limits = SETTINGS.rate_limits
    auth = limits.auth if broken != "loose auth limit" else waf_rules.RateLimit(100, 60)
    rules = waf_rules.web_acl_rules(auth, limits.write, limits.read, SETTINGS.managed_rule_groups.model_dump())
    waf = client("wafv2", "us-east-1")
    acl = waf.create_web_acl(
        Name="objectos-prod",
        Scope="CLOUDFRONT",
        DefaultAction={"Allow": {}},
        Rules=rules,
        VisibilityConfig=waf_rules.visibility("objectos-prod"),
        Tags=TAGS,
    )["Summary"]
    waf_log = waf_rules.log_group_arn("us-east-1", ACCOUNT, waf_rules.log_group_name("objectos-prod"))
    redacted = [
        {"SingleHeader": {"Name": h}} for h in waf_rules.REDACTED_HEADERS if broken != "cookies logged" or h != "cookie"
    ]
    waf.put_logging_configuration(
        LoggingConfiguration={"ResourceArn": acl["ARN"], "LogDestinationConfigs": [waf_log], "RedactedFields": redacted}
    )
    client("cloudfront", "us-east-1").create_distribution_with_tags(
        DistributionConfigWithTags={"DistributionConfig": distribution(acl["ARN"]), "Tags": {"Items": TAGS}}
    )

    retention = {
        "/objectos/prod/workload": 30 if broken == "short audit retention" else SETTINGS.audit_log.retention_days
    }
    retention["/objectos/prod/redis/slow-log"] = SETTINGS.redis.log_retention_days
    for region, names in (
        (REGION, retention),
        ("us-east-1", {"aws-waf-logs-objectos-prod": SETTINGS.waf.log_retention_days}),
    ):
        logs = client("logs", region)
        for name, days in names.items():
            logs.create_log_group(logGroupName=name, kmsKeyId=key, tags={TAG_STACK: "prod"})
            logs.put_retention_policy(logGroupName=name, retentionInDays=days)

    s3, bucket = client("s3"), f"objectos-prod-audit-{ACCOUNT}-{REGION}"
    s3.create_bucket(
        Bucket=bucket,
        CreateBucketConfiguration={"LocationConstraint": REGION},
        ObjectLockEnabledForBucket=broken != "archive unlocked",
    )
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": TAGS})
    if broken != "archive unlocked":
        s3.put_object_lock_configuration(
            Bucket=bucket,
            ObjectLockConfiguration={
                "ObjectLockEnabled": "Enabled",
                "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": SETTINGS.audit_log.retention_days}},
            },
        )

    redis: dict[str, Any] = {"TransitEncryptionEnabled": True, "AtRestEncryptionEnabled": True, "AuthToken": "t" * 64}
    if broken == "redis without auth":
        redis = {"AtRestEncryptionEnabled": True}
    client("elasticache").create_replication_group(
        ReplicationGroupId="objectos-prod",
        ReplicationGroupDescription="ObjectOS cluster driver",
        Engine="valkey",
        CacheNodeType="cache.t4g.small",
        NumCacheClusters=2,
        KmsKeyId=key,
        Tags=TAGS,
        **redis,
    )

    backup, vault = client("backup"), "objectos-prod-database"
    backup.create_backup_vault(BackupVaultName=vault, EncryptionKeyArn=key, BackupVaultTags={TAG_STACK: "prod"})
    lock = SETTINGS.backup.vault_lock
    if broken != "vault unlocked":
        backup.put_backup_vault_lock_configuration(
            BackupVaultName=vault,
            MinRetentionDays=lock.min_retention_days,
            MaxRetentionDays=lock.max_retention_days,
            ChangeableForDays=lock.changeable_for_days,
        )
    copy = [{"DestinationBackupVaultArn": f"arn:aws:backup:eu-central-1:{ACCOUNT}:backup-vault:{vault}-copy"}]
    plan_rules = [
        {
            "RuleName": "daily",
            "TargetBackupVaultName": vault,
            "ScheduleExpression": "cron(0 3 * * ? *)",
            "CopyActions": copy,
        },
    ]
    if broken != "no continuous backup":
        plan_rules.insert(
            0,
            {
                "RuleName": "continuous",
                "TargetBackupVaultName": vault,
                "ScheduleExpression": "cron(0 * * * ? *)",
                "EnableContinuousBackup": True,
                "Lifecycle": {"DeleteAfterDays": 35},
            },
        )
    backup.create_backup_plan(
        BackupPlan={"BackupPlanName": "objectos-prod-database", "Rules": plan_rules}, BackupPlanTags={TAG_STACK: "prod"}
    )


def distribution(acl_arn: str) -> dict:
    return {
        "CallerReference": "objectos-prod",
        "Comment": "ObjectOS prod",
        "Enabled": True,
        "WebACLId": acl_arn,
        "Origins": {
            "Quantity": 1,
            "Items": [
                {
                    "Id": "alb",
                    "DomainName": SETTINGS.origin_domain,
                    "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only"},
                }
            ],
        },
        "DefaultCacheBehavior": {
            "TargetOriginId": "alb",
            "ViewerProtocolPolicy": "redirect-to-https",
            "ResponseHeadersPolicyId": POLICY_ID,
            "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
        },
    }


# --- what moto lacks, answered by Stubber -------------------------------------


def headers_policy(broken: str) -> dict:
    """The response headers policy CloudFront would return for the prod header set."""
    csp = {"Override": True, "ContentSecurityPolicy": HEADERS.content_security_policy}
    security: dict[str, Any] = {
        "ContentSecurityPolicy": csp,
        "ContentTypeOptions": {"Override": True},
        "FrameOptions": {"Override": True, "FrameOption": HEADERS.frame_options},
        "ReferrerPolicy": {"Override": True, "ReferrerPolicy": HEADERS.referrer_policy},
        "StrictTransportSecurity": {
            "Override": True,
            "AccessControlMaxAgeSec": SETTINGS.hsts.max_age_seconds,
            "IncludeSubdomains": SETTINGS.hsts.include_sub_domains,
            "Preload": SETTINGS.hsts.preload,
        },
    }
    if broken == "csp missing at the edge":
        del security["ContentSecurityPolicy"]
    custom = [
        {"Header": "Permissions-Policy", "Value": HEADERS.permissions_policy, "Override": True},
        {"Header": "Cross-Origin-Resource-Policy", "Value": HEADERS.cross_origin_resource_policy, "Override": True},
    ]
    origins = ["*"] if broken == "wildcard cors at the edge" else list(HEADERS.cors.origins)
    config = {
        "Name": "objectos-prod-headers",
        "SecurityHeadersConfig": security,
        "CustomHeadersConfig": {"Quantity": len(custom), "Items": custom},
        "CorsConfig": {
            "AccessControlAllowOrigins": {"Quantity": len(origins), "Items": origins},
            "AccessControlAllowHeaders": {"Quantity": 1, "Items": ["Content-Type"]},
            "AccessControlAllowMethods": {"Quantity": 1, "Items": ["GET"]},
            "AccessControlAllowCredentials": HEADERS.cors.allow_credentials,
            "OriginOverride": True,
        },
    }
    return {"ResponseHeadersPolicy": {"Id": POLICY_ID, "LastModifiedTime": NOW, "ResponseHeadersPolicyConfig": config}}


def stub_backup(stubber: Stubber, broken: str) -> None:
    db = SETTINGS.database.arn
    role = f"arn:aws:iam::{ACCOUNT}:role/objectos-prod-backup"
    stubber.add_response(
        "list_backup_selections", {"BackupSelectionsList": [{"SelectionId": "sel-1"}]}, {"BackupPlanId": ANY}
    )
    stubber.add_response(
        "get_backup_selection",
        {
            "BackupSelection": {"SelectionName": "database", "IamRoleArn": role, "Resources": [db]},
            "SelectionId": "sel-1",
        },
        {"BackupPlanId": ANY, "SelectionId": "sel-1"},
    )
    plan = {
        "RestoreTestingPlanName": "objectos_prod_restore_test",
        "RestoreTestingPlanArn": RESTORE_PLAN_ARN,
        "ScheduleExpression": SETTINGS.backup.restore_test.schedule,
        "CreationTime": NOW - timedelta(days=60),
    }
    stubber.add_response("list_restore_testing_plans", {"RestoreTestingPlans": [plan]}, {})
    selection = {
        "CreationTime": NOW - timedelta(days=60),
        "IamRoleArn": role,
        "ProtectedResourceType": "Aurora",
        "RestoreTestingPlanName": plan["RestoreTestingPlanName"],
        "RestoreTestingSelectionName": "database",
    }
    stubber.add_response(
        "list_restore_testing_selections", {"RestoreTestingSelections": [selection]}, {"RestoreTestingPlanName": ANY}
    )
    stubber.add_response(
        "get_restore_testing_selection",
        {"RestoreTestingSelection": {**selection, "ProtectedResourceArns": [db]}},
        {"RestoreTestingPlanName": ANY, "RestoreTestingSelectionName": "database"},
    )
    job = {
        "RestoreJobId": "job-7",
        "Status": "COMPLETED",
        "ValidationStatus": "SUCCESSFUL",
        "CreationDate": NOW - timedelta(days=6),
    }
    if broken == "restore test failed":
        job = {**job, "Status": "FAILED", "StatusMessage": "DB subnet group not found"}
    stubber.add_response(
        "list_restore_jobs",
        {"RestoreJobs": [job]},
        {"ByRestoreTestingPlanArn": RESTORE_PLAN_ARN, "ByCreatedAfter": ANY},
    )


class Split:
    """A moto client whose calls named in `stubbed` go to a Stubber-backed client instead."""

    def __init__(self, real: Any, stubbed: Any, names: set[str]) -> None:
        self._real, self._stubbed, self._names = real, stubbed, names

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stubbed if name in self._names else self._real, name)


def verify(url: str, broken: str = "", expected: aws_checks.AwsExpectations = EXPECTED) -> list[Finding]:
    backup_stub = boto3.client("backup", region_name=REGION)
    cloudfront_stub = boto3.client("cloudfront", region_name="us-east-1")
    with Stubber(backup_stub) as backup_stubber, Stubber(cloudfront_stub) as cloudfront_stubber:
        stub_backup(backup_stubber, broken)
        cloudfront_stubber.add_response("get_response_headers_policy", headers_policy(broken), {"Id": POLICY_ID})

        def factory(service: str, region: str) -> Any:
            real = moto_client(url, service, region)
            if service == "backup":
                return Split(real, backup_stub, BACKUP_STUBBED)
            if service == "cloudfront":
                return Split(real, cloudfront_stub, {"get_response_headers_policy"})
            return real

        outcomes = aws.verify(aws.AwsReader("prod", REGION, client_factory=factory), expected, NOW)
        backup_stubber.assert_no_pending_responses()
        cloudfront_stubber.assert_no_pending_responses()
    return outcomes


def failing(outcomes: list[Finding]) -> dict[str, str]:
    return {f"{o.rule} / {o.name}": o.reason for o in outcomes if o.status == "fail"}


# --- the tests ----------------------------------------------------------------


def test_a_compliant_account_passes_every_aws_check(moto_url):
    seed(moto_url)
    outcomes = verify(moto_url)
    assert failing(outcomes) == {}
    assert {o.status for o in outcomes} == {"pass"}
    assert {o.rule for o in outcomes} == {
        "security-headers-present",
        "cors-explicit-origins",
        "rate-limits-auth-write",
        "waf-logging-redacted",
        "auth-secret-in-secret-store",
        "database-backup-restore-tested",
        "audit-log-retention",
        "redis-encrypted-with-auth",
    }


@pytest.mark.parametrize(
    "broken, check_id, words",
    [
        ("loose auth limit", "rate-limits-auth-write", "limit 100/60 s"),
        ("cookies logged", "waf-logging-redacted", "cookie header(s) are logged in clear"),
        ("empty secret", "auth-secret-in-secret-store", "no value yet: objectos/prod/OS_DATABASE_URL"),
        ("default key", "auth-secret-in-secret-store", "not the kit's key"),
        ("vault unlocked", "database-backup-restore-tested", "has no vault lock"),
        ("no continuous backup", "database-backup-restore-tested", "no continuous (point-in-time) rule"),
        ("restore test failed", "database-backup-restore-tested", "DB subnet group not found"),
        ("short audit retention", "audit-log-retention", "keeps 30 days, the audit policy is 2557"),
        ("archive unlocked", "audit-log-retention", "has Object Lock"),
        ("redis without auth", "redis-encrypted-with-auth", "lacks transit encryption, AUTH token"),
        ("csp missing at the edge", "security-headers-present", "Content-Security-Policy is missing"),
        ("wildcard cors at the edge", "cors-explicit-origins", "allows origin '*'"),
    ],
)
def test_each_broken_resource_fails_only_its_checklist_item(moto_url, broken, check_id, words):
    seed(moto_url, broken)
    failed = failing(verify(moto_url, broken))
    assert {key.split(" / ")[0] for key in failed} == {check_id}, failed
    assert any(words in reason for reason in failed.values()), failed


def test_resources_of_another_stack_are_not_taken_for_this_one(moto_url):
    seed(moto_url)
    outcomes = aws.verify(
        aws.AwsReader("staging", REGION, client_factory=lambda s, r: moto_client(moto_url, s, r)),
        replace(EXPECTED, stack="staging"),
        NOW,
    )
    reasons = " ".join(o.reason for o in outcomes if o.status == "fail")
    assert "objectos:stack=staging" in reasons
    assert {o.status for o in outcomes if o.rule == "auth-secret-in-secret-store"} == {"fail"}


def test_an_api_that_cannot_be_read_fails_its_own_checks_with_the_reason(moto_url):
    seed(moto_url)
    plain = aws.AwsReader("prod", REGION, client_factory=lambda s, r: moto_client(moto_url, s, r))
    outcomes = aws.verify(plain, EXPECTED, NOW)  # moto answers no backup selections nor restore tests
    backup = [o for o in outcomes if o.rule == "database-backup-restore-tested"]
    assert [o.status for o in backup] == ["fail"] and backup[0].reason.startswith("cannot read:")
    assert {o.status for o in outcomes if o.rule == "redis-encrypted-with-auth"} == {"pass"}


def test_without_credentials_every_aws_item_fails_and_nothing_leaves_loopback(monkeypatch, tmp_path):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    reader = aws.AwsReader("prod", REGION, endpoint_url="http://127.0.0.1:9")
    outcomes = aws.verify(reader, EXPECTED, NOW)
    assert {o.status for o in outcomes} == {"fail"}
    assert all("no AWS credentials" in o.reason for o in outcomes)


def test_a_stalled_aws_endpoint_costs_at_most_30_seconds_per_call(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    config = aws.AwsReader("prod", REGION).client("sts").meta.config
    attempts = config.retries["total_max_attempts"]  # the first try included
    assert (config.connect_timeout + config.read_timeout) * attempts <= 30


# --- pure parts -----------------------------------------------------------------


def test_the_kits_own_rules_are_recognised_by_what_they_match():
    rules = waf_rules.rate_limit_rules(SETTINGS.rate_limits.auth, SETTINGS.rate_limits.write, SETTINGS.rate_limits.read)
    renamed = [{**rule, "Name": f"rule-{index}"} for index, rule in enumerate(rules)]
    assert [aws.rate_rule(rule).buckets for rule in renamed] == [("auth",), ("write",), ("read",)]


def test_an_alb_web_acl_without_a_load_balancer_fails_the_association():
    acl = aws_checks.WebAcl(name="objectos-dev", arn="arn:aws:wafv2:eu-west-1:1:regional/webacl/x/1", scope="REGIONAL")
    dev = replace(EXPECTED, edge_mode="alb")
    outcome = aws_checks.waf_association(acl, dev)[0]
    assert outcome.status == "fail" and "no load balancer" in outcome.reason


def test_a_restore_test_older_than_a_quarter_fails():
    job = aws_checks.RestoreJob("job-1", "COMPLETED", NOW - timedelta(days=120), "SUCCESSFUL")
    tests = [aws_checks.RestoreTesting("plan", "rate(30 days)", (SETTINGS.database.arn,), (job,))]
    outcome = aws_checks.backups([], [], tests, EXPECTED, NOW)[-1]
    assert outcome.status == "fail" and "120 days old" in outcome.reason


def test_a_restore_testing_plan_that_never_ran_warns():
    tests = [aws_checks.RestoreTesting("plan", "cron(0 5 ? * SAT *)", (SETTINGS.database.arn,), ())]
    assert aws_checks.backups([], [], tests, EXPECTED, NOW)[-1].status == "warn"


def test_no_redis_is_fine_for_a_single_pod_stack_only():
    assert aws_checks.redis([], replace(EXPECTED, needs_redis=False))[0].status == "not_judged"
    assert aws_checks.redis([], EXPECTED)[0].status == "fail"
