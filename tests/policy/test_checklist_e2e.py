"""End to end: break the prod stack once per checklist item and see exactly that policy fail.

Each case breaks the real program either through a component's Args (written past
the settings validation, as another program reusing the components could) or
through its resources (a stack transformation registered as the program starts),
runs the offline preview with the policy pack, and expects exit 1 with that one
item failing. The untouched prod stack passes with exit 0.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from typing import Any

import pulumi
import pytest

import components.audit_log_retention
import components.database_backups
import components.header_policy
import components.workload
import program.stack
import settings.engine
from golive.preview import EXIT_NOT_READY, EXIT_READY, run_preview
from objectos_core.checklist import ITEMS
from settings.load import validate
from tests.conftest import stack_config

LIVE_ONLY = {"cross-org-access-denied"}
TAG = "ghcr.io/objectstack-ai/objectstack:1.4.2"


def failing(preview) -> set[str]:
    return {check.id for check in preview.checks if check.status == "fail"}


def break_args(module: Any, component: str, **changes: Any) -> Callable:
    """Patch a component so the program builds it with these Args fields changed."""
    original = getattr(module, component)

    def patched(name, args, opts=None):
        return original(name, dataclasses.replace(args, **changes), opts)

    def apply(monkeypatch) -> None:
        monkeypatch.setattr(module, component, patched)
        monkeypatch.setattr(program.stack, component, patched)  # the name the program builds it by

    return apply


def break_resources(type_: str, change: Callable[[dict], None], protect: bool | None = None) -> Callable:
    """Register a stack transformation that edits every resource of `type_` as it is declared."""

    def transformation(args: pulumi.ResourceTransformationArgs):
        if args.type_ != type_:
            return None
        props = dict(args.props)
        change(props)
        opts = (
            args.opts
            if protect is None
            else pulumi.ResourceOptions.merge(args.opts, pulumi.ResourceOptions(protect=protect))
        )
        return pulumi.ResourceTransformationResult(props, opts)

    original = settings.engine.engine_settings

    def with_transformation():
        pulumi.runtime.register_stack_transformation(transformation)
        return original()

    return lambda monkeypatch: monkeypatch.setattr(settings.engine, "engine_settings", with_transformation)


def set_input(obj: Any, name: str, value: Any) -> None:
    pulumi.set(obj, name, value)


def drop_rule(name: str) -> Callable[[dict], None]:
    def change(props: dict) -> None:
        props["rules"] = [rule for rule in props["rules"] if pulumi.get(rule, "name") != name]

    return change


def make_privileged(props: dict) -> None:
    pod = pulumi.get(pulumi.get(props["spec"], "template"), "spec")
    for container in pulumi.get(pod, "containers"):
        set_input(pulumi.get(container, "security_context"), "privileged", True)


def relax_pod_security(props: dict) -> None:
    labels = dict(pulumi.get(props["metadata"], "labels"))
    labels["pod-security.kubernetes.io/enforce"] = "privileged"
    set_input(props["metadata"], "labels", labels)


def open_to_internet(props: dict) -> None:
    for rule in props.get("ingress") or ():
        set_input(rule, "cidr_blocks", ["0.0.0.0/0"])


ADMIN_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})


def only_ingress_denied(props: dict) -> None:
    if str(pulumi.get(props["metadata"], "name")).endswith("default-deny"):
        set_input(props["spec"], "policy_types", ["Ingress"])


def redact_only_authorization(props: dict) -> None:
    props["redacted_fields"] = [field for field in props["redacted_fields"] if "authorization" in str(vars(field))]


BREAKS: dict[str, Callable] = {
    "tls-at-edge": break_resources(
        "aws:cloudfront/distribution:Distribution",
        lambda p: set_input(p["default_cache_behavior"], "viewer_protocol_policy", "allow-all"),
    ),
    "security-headers-present": break_resources(
        "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy", lambda p: p.update(custom_headers_config=None)
    ),
    "hsts-after-tls": break_args(components.header_policy, "HeaderPolicy", tls_ready="assumed-valid"),
    "cors-explicit-origins": break_args(components.workload, "ObjectOsWorkload", cors_origins=["*"]),
    "rate-limits-auth-write": break_resources("aws:wafv2/webAcl:WebAcl", drop_rule("auth-rate-limit")),
    "auth-secret-in-secret-store": lambda monkeypatch: break_args(
        components.workload,
        "ObjectOsWorkload",
        secret_env={
            "OS_SECRET_KEY": "OS_SECRET_KEY",
            "OS_DATABASE_URL": "OS_DATABASE_URL",
            "OS_REDIS_URL": "OS_REDIS_URL",
        },
    )(monkeypatch),
    "no-baked-secrets": break_args(
        components.workload, "ObjectOsWorkload", extra_env={"SMTP_PASSWORD": "in-the-manifest"}
    ),
    "oidc-callback-on-domain": break_args(
        components.workload, "ObjectOsWorkload", public_url="https://login.other.example"
    ),
    "database-backup-restore-tested": break_args(
        components.database_backups, "DatabaseBackups", restore_test_schedule="rate(180 days)"
    ),
    "audit-log-retention": break_args(components.audit_log_retention, "AuditLogRetention", retention_days=365),
    "release-pins-image-and-artifact": break_args(components.workload, "ObjectOsWorkload", image=TAG),
    "redis-encrypted-with-auth": break_resources(
        "aws:elasticache/replicationGroup:ReplicationGroup", lambda p: p.update(transit_encryption_enabled=False)
    ),
    "stateful-resources-protected": break_resources("aws:backup/vault:Vault", lambda p: None, protect=False),
    "waf-logging-redacted": break_resources(
        "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration", redact_only_authorization
    ),
    # The pods name a Secret nothing delivers: they would never start.
    "pods-can-start": break_args(components.workload, "ObjectOsWorkload", secret_name="objectos-env-typo"),
    "runtime-edition-topology": break_args(
        components.workload, "ObjectOsWorkload", extra_env={"OS_ALLOW_MEMORY_CLUSTER_MULTINODE": "true"}
    ),
    "aws-inputs-valid": break_resources(
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        lambda p: p.update(description="HTTPS from the CDN's origin-facing servers"),  # EC2 refuses the apostrophe
    ),
    # The workload's container made privileged.
    "pods-run-restricted": break_resources("kubernetes:apps/v1:Deployment", make_privileged),
    # The Redis security group opened to the internet on 6379.
    "network-exposure-limited": break_resources("aws:ec2/securityGroup:SecurityGroup", open_to_internet),
    # The audit writer's inline policy widened to every action on every resource.
    "iam-no-wildcard-admin": break_resources("aws:iam/rolePolicy:RolePolicy", lambda p: p.update(policy=ADMIN_POLICY)),
    # A bucket's public access block no longer restricts public buckets.
    "s3-public-access-blocked": break_resources(
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", lambda p: p.update(restrict_public_buckets=False)
    ),
    # The namespace's default deny covers ingress only: egress is open.
    "app-network-default-deny": break_resources("kubernetes:networking.k8s.io/v1:NetworkPolicy", only_ingress_denied),
    # The keys left on AWS's default key policy.
    "kms-key-policy-scoped": break_resources("aws:kms/key:Key", lambda p: p.update(policy=None)),
    # CloudFront's access logs turned off.
    "access-logging-enabled": break_resources(
        "aws:cloudfront/distribution:Distribution", lambda p: p.update(logging_config=None)
    ),
}

# Further breaks of one item, each failing exactly that policy too.
MORE_BREAKS: dict[str, tuple[str, Callable]] = {
    "namespace-relaxed-to-privileged": (
        "pods-run-restricted",
        break_resources("kubernetes:core/v1:Namespace", relax_pod_security),
    ),
    "audit-archive-access-logging-off": (
        "access-logging-enabled",
        break_resources("aws:s3/bucketLogging:BucketLogging", lambda p: p.update(bucket="another-bucket")),
    ),
}


def test_every_policy_item_has_a_break():
    assert set(BREAKS) == {item.id for item in ITEMS} - LIVE_ONLY


def test_the_untouched_prod_stack_is_ready(previews):
    preview = previews("prod")
    assert failing(preview) == set()
    assert preview.exit_code == EXIT_READY


@pytest.mark.parametrize("check_id", sorted(BREAKS))
def test_breaking_one_item_fails_exactly_that_policy(check_id, monkeypatch):
    BREAKS[check_id](monkeypatch)
    config = stack_config("prod")
    preview = run_preview(config, validate(config))
    assert failing(preview) == {check_id}
    assert all(c.mandatory for c in preview.checks if c.status == "fail")
    assert preview.exit_code == EXIT_NOT_READY


@pytest.mark.parametrize("case", sorted(MORE_BREAKS))
def test_a_further_break_fails_exactly_its_policy(case, monkeypatch):
    check_id, apply = MORE_BREAKS[case]
    apply(monkeypatch)
    config = stack_config("prod")
    preview = run_preview(config, validate(config))
    assert failing(preview) == {check_id}
    assert preview.exit_code == EXIT_NOT_READY
