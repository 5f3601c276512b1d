"""AccessLogBucket, the workload's NetworkPolicies and the scoped key policies, under mocks.

Checklist: access-logging-enabled, s3-public-access-blocked, app-network-default-deny, kms-key-policy-scoped.
"""

from __future__ import annotations

import json

import pytest

from components.access_logs import AccessLogBucket, AccessLogBucketArgs, elb_log_principal, log_bucket_policy
from components.audit_log_retention import AuditLogRetention, AuditLogRetentionArgs
from testing.runner import RunResult
from tests.conftest import by_type, one, run_components

NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
ARGS = AccessLogBucketArgs(name_prefix="objectos-prod", account_id="123456789012", region="eu-west-1")


@pytest.fixture(scope="module")
def logs() -> RunResult:
    return run_components(lambda: AccessLogBucket("objectos-access-logs", ARGS))


def test_the_log_bucket_is_private_protected_and_encrypted_with_s3_keys(logs):
    bucket = one(logs, "aws:s3/bucket:Bucket")
    assert bucket.protect and not bucket.inputs.get("forceDestroy")
    block = one(logs, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs
    assert all(
        block[f] is True for f in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    )
    rule = one(logs, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
    assert rule.inputs["rules"][0]["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "AES256"  # log delivery
    expiry = one(logs, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs["rules"][0]
    assert expiry["expiration"]["days"] == 400


def test_only_the_alb_and_this_account_s_s3_logging_may_write():
    statements = json.loads(log_bucket_policy("arn:aws:s3:::logs", "123456789012", "eu-west-1"))["Statement"]
    allows = [s for s in statements if s["Effect"] == "Allow"]
    assert {json.dumps(s["Principal"]) for s in allows} == {
        json.dumps({"AWS": "arn:aws:iam::156460612806:root"}),
        json.dumps({"Service": "logging.s3.amazonaws.com"}),
    }
    assert all(s["Action"] == "s3:PutObject" and s["Resource"].startswith("arn:aws:s3:::logs/") for s in allows)
    s3 = next(s for s in allows if s["Principal"] == {"Service": "logging.s3.amazonaws.com"})
    assert s3["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}


def test_a_newer_region_delivers_alb_logs_through_the_service_principal():
    assert elb_log_principal("eu-south-2") == {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"}


def test_cloudfront_logging_keeps_acls_enabled():
    result = run_components(lambda: AccessLogBucket("logs", AccessLogBucketArgs(**{**vars(ARGS), "cloudfront": True})))
    ownership = one(result, "aws:s3/bucketOwnershipControls:BucketOwnershipControls").inputs
    assert ownership["rule"]["objectOwnership"] == "BucketOwnerPreferred"


def test_the_audit_archive_logs_to_the_given_bucket_and_its_key_serves_s3_only():
    args = AuditLogRetentionArgs(
        name_prefix="objectos-prod", account_id="123456789012", region="eu-west-1", retention_days=2557,
        log_group_name="/objectos/prod/workload", access_logs_bucket="acme-logs",
    )  # fmt: skip
    result = run_components(lambda: AuditLogRetention("objectos-audit", args))
    logging = one(result, "aws:s3/bucketLogging:BucketLogging").inputs
    assert logging["targetBucket"] == "acme-logs" and logging["targetPrefix"].startswith("s3-access/")
    key = next(r for r in by_type(result, "aws:kms/key:Key") if r.name == "objectos-audit-key")
    statements = json.loads(key.inputs["policy"])["Statement"]
    assert "kms:*" not in json.dumps(statements)
    used = next(s for s in statements if s["Sid"] == "UseThroughS3")
    assert used["Condition"]["StringEquals"]["kms:ViaService"] == "s3.eu-west-1.amazonaws.com"


def test_the_workload_denies_all_traffic_then_allows_the_edge_dns_database_redis_and_https(previews):
    prod = previews("prod")
    policies = {r.name: r.inputs["spec"] for r in prod.result.resources if r.type == NETWORK_POLICY}
    deny = policies["objectos-default-deny"]
    assert deny["policyTypes"] == ["Ingress", "Egress"] and not deny.get("podSelector", {}).get("matchLabels")
    assert "ingress" not in deny and "egress" not in deny
    allow = policies["objectos-allow"]
    assert allow["ingress"][0]["ports"] == [{"protocol": "TCP", "port": 8080}]
    ports = sorted({p["port"] for rule in allow["egress"] for p in rule["ports"]})
    assert ports == [53, 443, 5432, 6379]  # prod runs several pods: Redis
