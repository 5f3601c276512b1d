"""Access logging: who reached the edge and who read the audit archive leaves a record.

Reads any program's edge (a CloudFront distribution, an application load balancer of
either type token, an Ingress the AWS Load Balancer Controller serves) and its audit
archive (an Object Lock bucket holding audit records, as audit-log-retention finds it).
"""

from __future__ import annotations

import re
from typing import Any

from pulumi_policy import Severity

from policy.policies._base import Config, Report, stack_policy
from policy.policies._edge import ALB, DISTRIBUTION, is_alb_ingress
from policy.policies._graph import Graph
from policy.policies._k8s import INGRESS, annotations
from policy.policies._props import UNKNOWN, elements, get, is_mapping, text, truthy
from policy.policies.data import _archives, _holds_audit

LOAD_BALANCERS = ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")
LOG_DELIVERY_SOURCE = "aws:cloudwatch/logDeliverySource:LogDeliverySource"
BUCKET_LOGGING = ("aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketLoggingV2:BucketLoggingV2")
LB_ATTRIBUTES = ALB + "load-balancer-attributes"
GROUP = ALB + "group.name"
_PAIR = re.compile(r"\s*([A-Za-z0-9_.]+)\s*=\s*([^,]*)")


def _distribution(graph: Graph, distribution: Any, report: Report) -> None:
    config = get(distribution.props, "loggingConfig")
    if not report.known(config, f"{distribution.name}.loggingConfig"):
        return
    if config is not None and not is_mapping(config):
        raise ValueError("loggingConfig must be an object with a bucket")
    bucket = get(config, "bucket")
    if not report.known(bucket, f"{distribution.name}.loggingConfig.bucket"):
        return
    sources = graph.dependents(distribution, [LOG_DELIVERY_SOURCE], "resourceArn")
    if not bucket and not sources:
        report(
            f"CloudFront distribution '{distribution.name}' keeps no access logs. Fix: set loggingConfig.bucket "
            "(a log bucket's domain name) or deliver its ACCESS_LOGS through CloudWatch Logs",
            distribution.urn,
        )


def _load_balancer(balancer: Any, report: Report) -> None:
    kind = get(balancer.props, "loadBalancerType")
    if not report.known(kind, f"{balancer.name}.loadBalancerType") or kind not in (None, "application"):
        return  # network and gateway balancers keep no HTTP access logs
    logs = get(balancer.props, "accessLogs")
    if not report.known(logs, f"{balancer.name}.accessLogs"):
        return
    if logs is not None and not is_mapping(logs):
        raise ValueError("accessLogs must be an object with bucket and enabled")
    enabled, bucket = get(logs, "enabled"), get(logs, "bucket")
    if not report.known(enabled, f"{balancer.name}.accessLogs.enabled"):
        return
    if not (truthy(enabled) and (bucket or bucket is UNKNOWN)):
        report(
            f"load balancer '{balancer.name}' keeps no access logs. Fix: accessLogs with enabled true and a bucket",
            balancer.urn,
        )


def _attributes(raw: Any) -> dict[str, str]:
    """The controller's load-balancer-attributes annotation: key=value pairs separated by commas."""
    if not isinstance(raw, str):
        raise ValueError(f"the {LB_ATTRIBUTES} annotation must be a string of key=value pairs")
    found = {}
    for part in raw.split(","):
        if not part.strip():
            continue
        match = _PAIR.fullmatch(part)
        if match is None:
            raise ValueError(f"the {LB_ATTRIBUTES} annotation has {part.strip()!r}, not key=value")
        found[match.group(1)] = match.group(2).strip()
    return found


def _ingresses(graph: Graph, report: Report) -> None:
    groups: dict[str, list[tuple[Any, bool]]] = {}
    for ingress in graph.of_type(INGRESS, "kubernetes:extensions/v1beta1:Ingress"):
        if not is_alb_ingress(ingress.props):
            continue
        notes = annotations(ingress.props)
        raw = get(notes, LB_ATTRIBUTES)
        if not report.known(raw, f"{ingress.name} annotation {LB_ATTRIBUTES}"):
            continue
        attributes = _attributes(raw) if raw is not None else {}
        logged = attributes.get("access_logs.s3.enabled", "").lower() == "true" and bool(
            attributes.get("access_logs.s3.bucket")
        )
        group = text(get(notes, GROUP)) or f"ingress {ingress.urn}"
        groups.setdefault(group, []).append((ingress, logged))
    for members in groups.values():
        if any(logged for _, logged in members):
            continue  # one ALB per group: an attribute any member sets applies to it
        for ingress, _ in members:
            report(
                f"Ingress '{ingress.name}' gets an ALB that keeps no access logs. Fix: annotate {LB_ATTRIBUTES} "
                "with access_logs.s3.enabled=true,access_logs.s3.bucket=<log bucket>",
                ingress.urn,
            )


def _archive_logging(graph: Graph, report: Report) -> None:
    for holder, _, buckets in _archives(graph, report):
        if not (report.objectos or any(_holds_audit(r) for r in (holder, *buckets))):
            continue
        for bucket in buckets:
            inline = get(bucket.props, "logging")
            if not report.known(inline, f"{bucket.name}.logging"):
                continue
            logged = is_mapping(inline) and bool(get(inline, "targetBucket"))
            logged = logged or any(
                bool(get(entry, "targetBucket")) for entry in elements(get(bucket.props, "loggings"))
            )
            if not logged and not graph.dependents(bucket, BUCKET_LOGGING, "bucket"):
                name = text(get(bucket.props, "bucket")) or bucket.name
                report(
                    f"audit archive bucket '{name}' keeps no server access logs, so reads of the records leave no "
                    "trace. Fix: a BucketLogging to a log bucket",
                    bucket.urn,
                )


def _access_logging(graph: Graph, config: Config, report: Report) -> None:
    for distribution in graph.of_type(DISTRIBUTION):
        _distribution(graph, distribution, report)
    for balancer in graph.of_type(*LOAD_BALANCERS):
        _load_balancer(balancer, report)
    _ingresses(graph, report)
    _archive_logging(graph, report)


access_logging_enabled = stack_policy(
    "access-logging-enabled",
    "The edge and the audit archive must keep access logs: every CloudFront distribution (loggingConfig or "
    "CloudWatch Logs delivery), application load balancer (accessLogs, or the Load Balancer Controller's "
    "load-balancer-attributes annotation), and the audit archive bucket (server access logging).",
    Severity.MEDIUM,
    _access_logging,
    tags=["aws", "logging"],
)

POLICIES = [access_logging_enabled]
