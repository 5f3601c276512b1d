"""WAF policies: rate limits on auth and write traffic, and redacted WAF logs."""

from __future__ import annotations

from typing import Any

from pulumi_policy import Severity

from policy.policies import _edge as e
from policy.policies import _waf as w
from policy.policies._base import OBJECTOS_STACK, Config, Report, stack_policy
from policy.policies._graph import Graph
from policy.policies._k8s import INGRESS, annotations
from policy.policies._props import UNKNOWN, get

WAF_LOG_DESTINATIONS = {
    "aws:cloudwatch/logGroup:LogGroup": "name",
    "aws:s3/bucket:Bucket": "bucket",
    "aws:s3/bucketV2:BucketV2": "bucket",
    "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": "name",
}
WAF_LOG_PREFIX = "aws-waf-logs-"
ACL_ANNOTATION = e.ALB + "wafv2-acl-arn"


# --- rate-limits-auth-write ----------------------------------------------------------


def _rate_limits(graph: Graph, config: Config, report: Report) -> None:
    if not report.objectos:
        return  # the buckets are ObjectOS's auth, write and read routes
    acls = graph.of_type(w.WEB_ACL)
    if not acls:
        report.missing(
            "the stack has no WAF web ACL: nothing limits auth or write requests per client IP; add the WAF component"
        )
        return
    for acl in acls:
        _buckets(graph, acl, config, report)
    _edge_uses_acl(graph, report)


def _buckets(graph: Graph, acl: Any, config: Config, report: Report) -> None:
    rules = list(w.rate_rules(acl.props)) + list(w.group_rate_rules(graph, acl))
    limiting = [r for r in rules if r.action == "block" and r.aggregate in ("IP", "FORWARDED_IP")]
    # A blocking rule whose aggregate key is unknown until deploy may or may not count per client IP.
    undecided = [r for r in rules if r.action == "block" and r.aggregate is UNKNOWN]
    for bucket in ("auth", "write", "read"):
        maximum = config[f"{bucket}MaxRequestsPerMinute"]
        for method, path in w.SAMPLES[bucket]:
            applicable = [r for r in limiting if r.counts(method, path) and r.per_minute is not None]
            pending = [r for r in undecided if r.counts(method, path)]
            if pending and (not applicable or min(r.per_minute for r in applicable) > maximum):
                for rule in pending:
                    report.known(UNKNOWN, f"web ACL '{acl.name}' rule '{rule.name}' aggregateKeyType")
                break
            if not applicable:
                passive = [r.name for r in rules if r.counts(method, path) and r not in limiting]
                hint = f"; rule {', '.join(passive)} counts it but does not block per client IP" if passive else ""
                report(
                    f"web ACL '{acl.name}' has no blocking per-IP rate rule for {w.BUCKET_TEXT[bucket]} "
                    f"(e.g. {method} {path}){hint}",
                    acl.urn,
                )
                break
            strictest = min(applicable, key=lambda r: r.per_minute)
            if strictest.per_minute > maximum:
                report(
                    f"web ACL '{acl.name}' lets {method} {path} through at {strictest.per_minute:g}/min per IP "
                    f"(rule '{strictest.name}'); the {bucket} bucket allows at most {maximum:g}/min",
                    acl.urn,
                )
                break


def _edge_uses_acl(graph: Graph, report: Report) -> None:
    """The web ACL only protects what it is associated with: the public edge."""
    acl_types = {w.WEB_ACL}
    distributions = graph.of_type(e.DISTRIBUTION)
    if distributions:
        for distribution in distributions:
            acls = graph.reaches(distribution, acl_types, "webAclId")
            if get(distribution.props, "webAclId") is None or not acls:
                report(
                    "the CloudFront distribution has no web ACL from this stack; pass the WAF's ARN as webAclId",
                    distribution.urn,
                )
            for acl in acls:
                if get(acl.props, "scope") not in ("CLOUDFRONT", UNKNOWN):
                    report(f"web ACL '{acl.name}' protects CloudFront but its scope is not CLOUDFRONT", acl.urn)
        return
    ingresses = [r for r in graph.of_type(INGRESS) if e.is_alb_ingress(r.props)]
    associated = {a.urn for assoc in graph.of_type(w.ASSOCIATION) for a in graph.reaches(assoc, acl_types, "webAclArn")}
    for ingress in ingresses:
        annotated = get(annotations(ingress.props), ACL_ANNOTATION) is not None
        if not annotated:
            report(
                f"the ALB Ingress has no {ACL_ANNOTATION} annotation: the web ACL does not see its traffic", ingress.urn
            )
        elif not graph.reaches(ingress, acl_types, "metadata") and not associated:
            report(
                "the ALB Ingress names a web ACL this stack does not define; use the WAF component's ARN", ingress.urn
            )
    if not ingresses and not associated:
        report("no edge is associated with the web ACL; associate it with the CloudFront distribution or the ALB")


rate_limits_auth_write = stack_policy(
    "rate-limits-auth-write",
    "A WAF web ACL associated with the edge must block, per client IP, more than the checklist's "
    "auth (10/min), write (60/min) and read (600/min) request rates.",
    Severity.CRITICAL,
    _rate_limits,
    kind=OBJECTOS_STACK,
    config={
        "authMaxRequestsPerMinute": {
            "type": "number",
            "minimum": 1,
            "default": 10,
            "description": "Most auth requests per IP per minute.",
        },
        "writeMaxRequestsPerMinute": {
            "type": "number",
            "minimum": 1,
            "default": 60,
            "description": "Most write requests per IP per minute.",
        },
        "readMaxRequestsPerMinute": {
            "type": "number",
            "minimum": 1,
            "default": 600,
            "description": "Most other requests per IP per minute.",
        },
    },
    tags=["waf"],
)


# --- waf-logging-redacted --------------------------------------------------------------


def _waf_logging(graph: Graph, config: Config, report: Report) -> None:
    required = {h.lower() for h in config["redactedHeaders"]}
    for acl in graph.of_type(w.WEB_ACL):
        logging = graph.dependents(acl, [w.LOGGING], "resourceArn")
        if not logging:
            report(f"web ACL '{acl.name}' has no logging configuration; add WebAclLoggingConfiguration", acl.urn)
        for config_resource in logging:
            _destinations(graph, config_resource, report)
            missing = sorted(required - w.redacted_headers(config_resource.props))
            if missing:
                report(
                    f"WAF logs keep the {', '.join(missing)} header(s) in clear; add them to redactedFields",
                    config_resource.urn,
                )


def _destinations(graph: Graph, logging: Any, report: Report) -> None:
    targets = [d for d in graph.direct(logging, "logDestinationConfigs") if d.resource_type in WAF_LOG_DESTINATIONS]
    for target in targets:
        name = get(target.props, WAF_LOG_DESTINATIONS[target.resource_type])
        if name is None:
            name = get(target.props, WAF_LOG_DESTINATIONS[target.resource_type] + "Prefix")
        if isinstance(name, str) and not name.startswith(WAF_LOG_PREFIX):
            report(
                f"WAF logs go to '{name}'; AWS WAF only delivers to destinations named {WAF_LOG_PREFIX}...", logging.urn
            )
    destinations = w.destinations(logging.props)
    if not destinations:
        report("the WAF logging configuration has no destination", logging.urn)
    if not targets:
        for arn in destinations:
            if WAF_LOG_PREFIX not in arn:
                report(f"WAF log destination '{arn}' is not an {WAF_LOG_PREFIX}... destination", logging.urn)


waf_logging_redacted = stack_policy(
    "waf-logging-redacted",
    "Every web ACL must log to an aws-waf-logs- destination with the credential headers "
    "(authorization, cookie) redacted.",
    Severity.MEDIUM,
    _waf_logging,
    config={
        "redactedHeaders": {
            "type": "array",
            "items": {"type": "string"},
            "default": ["authorization", "cookie"],
            "description": "Headers that must be redacted from WAF logs.",
        }
    },
    tags=["waf", "logging"],
)

POLICIES = [rate_limits_auth_write, waf_logging_redacted]
