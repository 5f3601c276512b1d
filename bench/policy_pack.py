"""The policy pack on synthetic stacks of 1,000, 10,000 and 100,000 resources, in-process.

`python -m bench.policy_pack`: every resource policy on every resource and every
stack policy on the whole stack, as the analyzer calls them, timed without the
gRPC transport. The figure that matters is the time per resource: flat across the
sizes when the pack is linear, so the largest per-resource time over the smallest
is 1 (target: within 1.2).
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any

from pulumi_policy import (
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
)
from pulumi_policy.proxy import unknown_checking_proxy

from policy.pack import POLICIES

SIZES = (1_000, 10_000, 100_000)
TARGET_SECONDS_10K = 1.0
TARGET_SCALING = 1.2  # the largest per-resource time over the smallest
ROUNDS = 3  # blocks timed per size; the median is the figure
DIGEST = "@sha256:" + "a" * 64
IMAGE = "ghcr.io/objectstack-ai/objectstack" + DIGEST
ARTIFACT = "https://artifacts.example.com/objectstack.json#sha256=" + "b" * 64
RELEASE = json.dumps({"id": "1", "image": IMAGE, "artifactUrl": ARTIFACT})


NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
KEY_POLICY = json.dumps(
    {
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": ["kms:Describe*"],
             "Resource": "*"},
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": ["kms:Decrypt"],
             "Resource": "*", "Condition": {"StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}}},
        ]
    }
)  # fmt: skip


def _unit(i: int) -> list[tuple[str, str, dict, dict[str, list[str]], bool]]:
    """One ObjectOS-like slice of a stack: (type, name, props, property deps by name, protect)."""
    env = [
        {"name": "OS_PORT", "value": "8080"},
        {"name": "OS_AUTH_URL", "value": f"https://app{i}.example.com"},
        {"name": "OS_CORS_ORIGIN", "value": f"https://app{i}.example.com"},
        {"name": "OS_ARTIFACT_URL", "value": ARTIFACT},
        {"name": "OS_AUTH_SECRET", "valueFrom": {"secretKeyRef": {"name": "env", "key": "OS_AUTH_SECRET"}}},
    ]
    restricted = {
        "privileged": False,
        "allowPrivilegeEscalation": False,
        "runAsNonRoot": True,
        "readOnlyRootFilesystem": True,
        "capabilities": {"drop": ["ALL"]},
    }
    container = {"name": "objectos", "image": IMAGE, "env": env, "securityContext": restricted}
    pod = {"spec": {"template": {"spec": {"containers": [container]}}}}
    # One pod replaced, never surged: the open edition is single-node.
    deployment = {"spec": {**pod["spec"], "replicas": 1, "strategy": {"type": "Recreate"}}}
    rate = {"limit": 10, "aggregateKeyType": "IP", "evaluationWindowSec": 60}
    auth_scope = {
        "regexMatchStatement": {
            "regexString": "^/api/v1/auth/",
            "fieldToMatch": {"uriPath": {}},
            "textTransformations": [{"type": "NONE", "priority": 0}],
        }
    }
    return [
        ("aws:acm/certificate:Certificate", f"cert{i}", {"domainName": f"app{i}.example.com"}, {}, False),
        ("aws:acm/certificateValidation:CertificateValidation", f"val{i}", {}, {"certificateArn": [f"cert{i}"]}, False),
        (
            "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy",
            f"rhp{i}",
            {
                "securityHeadersConfig": {
                    "contentSecurityPolicy": {"contentSecurityPolicy": "default-src 'self'"},
                    "contentTypeOptions": {"override": True},
                    "frameOptions": {"frameOption": "DENY"},
                    "referrerPolicy": {"referrerPolicy": "no-referrer"},
                    "strictTransportSecurity": {"accessControlMaxAgeSec": 31536000},
                },
                "customHeadersConfig": {
                    "items": [
                        {"header": "Permissions-Policy", "value": "geolocation=()"},
                        {"header": "Cross-Origin-Resource-Policy", "value": "same-origin"},
                    ]
                },
                "corsConfig": {"accessControlAllowOrigins": {"items": [f"https://app{i}.example.com"]}},
            },
            {"securityHeadersConfig": [f"val{i}"]},
            False,
        ),
        (
            "aws:wafv2/webAcl:WebAcl",
            f"acl{i}",
            {
                "scope": "CLOUDFRONT",
                "rules": [
                    {
                        "name": "auth",
                        "action": {"block": {}},
                        "statement": {"rateBasedStatement": {**rate, "scopeDownStatement": auth_scope}},
                    },
                    {"name": "all", "action": {"block": {}}, "statement": {"rateBasedStatement": rate}},
                ],
            },
            {},
            False,
        ),
        (
            "aws:cloudfront/distribution:Distribution",
            f"cdn{i}",
            {
                "aliases": [f"app{i}.example.com"],
                "webAclId": "arn",
                "defaultCacheBehavior": {"viewerProtocolPolicy": "redirect-to-https", "responseHeadersPolicyId": "id"},
                "viewerCertificate": {"acmCertificateArn": "arn", "minimumProtocolVersion": "TLSv1.2_2021"},
                "origins": [{"originId": "alb", "customOriginConfig": {"originProtocolPolicy": "https-only"}}],
                "loggingConfig": {"bucket": f"logs{i}.s3.amazonaws.com"},
            },
            {"defaultCacheBehavior": [f"rhp{i}"], "viewerCertificate": [f"val{i}"], "webAclId": [f"acl{i}"]},
            False,
        ),
        (
            "aws:cloudwatch/logGroup:LogGroup",
            f"waf-logs{i}",
            {"name": f"aws-waf-logs-{i}", "retentionInDays": 365},
            {},
            True,
        ),
        (
            "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
            f"waf-logging{i}",
            {
                "logDestinationConfigs": [f"arn:aws:logs:us-east-1:123456789012:log-group:aws-waf-logs-{i}"],
                "redactedFields": [{"singleHeader": {"name": h}} for h in ("authorization", "cookie")],
            },
            {"resourceArn": [f"acl{i}"], "logDestinationConfigs": [f"waf-logs{i}"]},
            False,
        ),
        ("aws:kms/key:Key", f"key{i}", {"enableKeyRotation": True, "policy": KEY_POLICY}, {}, True),
        ("aws:secretsmanager/secret:Secret", f"auth{i}", {"name": f"o/{i}/OS_AUTH_SECRET", "kmsKeyId": "k"}, {}, True),
        ("random:index/randomPassword:RandomPassword", f"pw{i}", {"length": 64}, {}, False),
        (
            "aws:secretsmanager/secretVersion:SecretVersion",
            f"auth-v{i}",
            {"secretString": "x"},
            {"secretId": [f"auth{i}"], "secretString": [f"pw{i}"]},
            False,
        ),
        (
            "aws:elasticache/replicationGroup:ReplicationGroup",
            f"redis{i}",
            {
                "description": f"ObjectOS cluster coordination {i}",
                "transitEncryptionEnabled": True,
                "atRestEncryptionEnabled": True,
                "authToken": "t" * 64,
                "kmsKeyId": "k",
            },
            {},
            True,
        ),
        (
            "aws:backup/plan:Plan",
            f"plan{i}",
            {"rules": [{"ruleName": "pitr", "enableContinuousBackup": True}]},
            {},
            True,
        ),
        (
            "aws:backup/selection:Selection",
            f"sel{i}",
            {"resources": [f"arn:aws:rds:eu-west-1:123456789012:cluster:db{i}"]},
            {"planId": [f"plan{i}"]},
            False,
        ),
        (
            "aws:backup/restoreTestingPlan:RestoreTestingPlan",
            f"rtp{i}",
            {"name": f"rtp{i}", "scheduleExpression": "cron(0 5 ? * SAT *)"},
            {},
            False,
        ),
        (
            "aws:backup/restoreTestingSelection:RestoreTestingSelection",
            f"rts{i}",
            {
                "restoreTestingPlanName": f"rtp{i}",
                "iamRoleArn": "arn:aws:iam::123456789012:role/objectos-backups",
                "protectedResourceArns": [f"arn:aws:rds:eu-west-1:123456789012:cluster:db{i}"],
            },
            {"restoreTestingPlanName": [f"rtp{i}"]},
            False,
        ),
        ("aws:s3/bucket:Bucket", f"audit{i}", {"objectLockEnabled": True}, {}, True),
        (
            "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
            f"lock{i}",
            {"rule": {"defaultRetention": {"mode": "COMPLIANCE", "days": 2557}}},
            {"bucket": [f"audit{i}"]},
            False,
        ),
        (
            "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
            f"audit-block{i}",
            dict.fromkeys(("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"), True),
            {"bucket": [f"audit{i}"]},
            False,
        ),
        (
            "aws:s3/bucketLogging:BucketLogging",
            f"audit-logging{i}",
            {"targetBucket": "logs", "targetPrefix": "s3-access/"},
            {"bucket": [f"audit{i}"]},
            False,
        ),
        (
            "aws:ssm/parameter:Parameter",
            f"release{i}",
            {"name": f"/objectos/s{i}/release", "insecureValue": RELEASE},
            {},
            False,
        ),
        # The Secret the pods read, delivered in the stack.
        ("kubernetes:core/v1:Secret", f"env{i}", {"metadata": {"name": "env"}}, {}, False),
        ("kubernetes:apps/v1:Deployment", f"deploy{i}", deployment, {}, False),
        ("kubernetes:batch/v1:Job", f"migrate{i}", pod, {}, False),
        # The namespace denies all traffic, then allows the app's.
        (NETWORK_POLICY, f"deny{i}", {"spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}}, {}, False),
        (
            NETWORK_POLICY,
            f"allow{i}",
            {
                "spec": {
                    "podSelector": {"matchLabels": {"app": "objectos"}},
                    "ingress": [{"ports": [{"port": 8080}]}],
                    "egress": [{"ports": [{"port": 53, "protocol": "UDP"}]}],
                }
            },
            {},
            False,
        ),
    ]


UNIT_SIZE = len(_unit(0))


def synthetic_stack(size: int, unit: Callable[[int], list] = _unit) -> list[PolicyResource]:
    """`size` resources: whole ObjectOS-like slices (`unit`) linked by their dependencies, padded with keys."""
    options = PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], None)
    protected = PolicyResourceOptions(True, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], None)
    resources: list[PolicyResource] = []
    by_name: dict[str, PolicyResource] = {}
    unit_size = len(unit(0))
    units = [unit(i) for i in range(size // unit_size)]
    padding = [("aws:kms/key:Key", f"pad{i}", {"policy": KEY_POLICY}, {}, True) for i in range(size % unit_size)]
    for unit in [*units, padding]:
        for type_, name, props, deps, protect in unit:
            resource = PolicyResource(
                type_,
                unknown_checking_proxy(props),
                f"urn:pulumi:bench::objectos::{type_}::{name}",
                name,
                protected if protect else options,
                None,
                None,
                [],
                {key: [by_name[d] for d in names if d in by_name] for key, names in deps.items()},
            )
            resources.append(resource)
            by_name[name] = resource
    return resources


def run_pack(resources: list[PolicyResource]) -> int:
    """Every policy as the analyzer runs it; returns the number of violations."""
    found = 0

    def report(message: str, urn: Any = None) -> None:
        nonlocal found
        found += 1

    for policy in POLICIES:
        if isinstance(policy, ResourceValidationPolicy):
            for r in resources:
                policy.validate(ResourceValidationArgs(r.resource_type, r.props, r.urn, r.name, r.opts, None), report)
        else:
            policy.validate(StackValidationArgs(resources), report)
    return found


def timed(work: Callable[[], Any]) -> float:
    """The CPU seconds of `work` in this process. Other processes' work does not count (the pack is
    single-threaded, so on an idle machine this is its wall time). The garbage collector is off
    while timing, as in timeit, so the figure is the policies' own cost and not the collector
    walking the stack's objects."""
    gc.collect()
    gc.disable()
    try:
        started = time.process_time()
        work()
        return time.process_time() - started
    finally:
        gc.enable()


def load() -> str:
    """The machine's load while measuring: 1-minute load average over the cores, when the system says."""
    try:
        return f"load {os.getloadavg()[0]:.1f}/{os.cpu_count()} cores"
    except OSError:  # pragma: no cover (no getloadavg on this system)
        return f"{os.cpu_count()} cores"


def measure(rounds: int = ROUNDS, sizes: Sequence[int] = SIZES) -> list[dict]:
    """Each size timed in blocks of equal work, `rounds` blocks each, in rounds that alternate the sizes' order.

    A block is as many runs of the pack as make `max(sizes)` resources judged (100 runs of the
    1,000-resource stack, 10 of the 10,000, one of the 100,000), so every size is timed over the
    same work, for about the same time, beside the same neighbours; the figure is the median block.
    The least of many short runs is no fair figure on a shared machine: a 0.2 s run often falls in
    a quiet moment and a 20 s one never does (single 1,000-resource runs ranged 126-254 us per
    resource in one process, while 10,000-resource runs ranged 213-243).
    """
    run_pack(synthetic_stack(UNIT_SIZE))  # first-use costs (lazy imports, service models) stay out of the figures
    visits = max(sizes)
    stacks = {}
    for size in sizes:
        stacks[size] = synthetic_stack(size)
        violations = run_pack(stacks[size])  # warms this stack's objects as every timed run finds them
        if violations:
            raise SystemExit(f"the synthetic {size}-resource stack should pass; it has {violations} violations")
    per_resource: dict[int, list[float]] = {size: [] for size in sizes}
    before = load()
    for turn in range(rounds):
        for size in sizes if turn % 2 == 0 else list(reversed(sizes)):
            runs = math.ceil(visits / size)
            seconds = timed(lambda stack=stacks[size], runs=runs: [run_pack(stack) for _ in range(runs)])
            per_resource[size].append(seconds / (runs * size))
    median = {size: statistics.median(times) for size, times in per_resource.items()}
    rows = []
    for size in sizes:
        runs = math.ceil(visits / size)
        rows.append(
            {
                "figure": f"policy pack CPU, {size:,} resources",
                "value": f"{median[size] * size:.3f} s",
                "floor": f"{median[size] * 1e6:.1f} us/resource, {rounds}x{runs} runs, {before}",
                "ratio": median[size] * size / TARGET_SECONDS_10K if size == 10_000 else None,
                "target": 1.0 if size == 10_000 else None,
            }
        )
    slowest, fastest = max(median, key=median.get), min(median, key=median.get)
    rows.append(
        {
            "figure": f"policy pack scaling {min(sizes):,} -> {max(sizes):,}",
            "value": f"{median[slowest] / median[fastest]:.2f}x",
            "floor": f"per resource: {slowest:,} slowest, {fastest:,} fastest",
            "ratio": median[slowest] / median[fastest],
            "target": TARGET_SCALING,
        }
    )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.policy_pack")
    parser.add_argument(
        "--rounds", type=int, default=ROUNDS, help="blocks of equal work per size (the median is reported)"
    )
    parser.add_argument(
        "--sizes",
        type=lambda text: tuple(int(n) for n in text.split(",")),
        default=SIZES,
        help="comma-separated stack sizes (default 1000,10000,100000)",
    )
    args = parser.parse_args(argv)
    rows = measure(args.rounds, args.sizes)
    print(f"{'figure':<38} {'value':>10}  {'per resource / floor':<48} {'ratio':>6}  target")
    for row in rows:
        ratio = "-" if row["ratio"] is None else f"{row['ratio']:.2f}x"
        target = "-" if row["target"] is None else f"<={row['target']:g}x"
        print(f"{row['figure']:<38} {row['value']:>10}  {row['floor']:<48} {ratio:>6}  {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
