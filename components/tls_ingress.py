"""TlsIngress: the internet-facing ALB, declared as an Ingress for the AWS Load Balancer Controller.

HTTPS on 443 with a modern TLS policy, HTTP redirected to HTTPS, pods as IP
targets health-checked on the readiness route, invalid header fields dropped,
deletion protection on. Behind CloudFront, the ALB gets a security group that
admits 443 only from CloudFront's origin-facing prefix list, and forwards only
requests carrying a secret header: the prefix list admits every customer's
distribution, the header only this stack's (AWS: "Restrict access to
Application Load Balancers").
"""

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Optional

import pulumi
import pulumi_aws as aws
import pulumi_random as random
from pulumi_kubernetes.meta.v1 import ObjectMetaArgs
from pulumi_kubernetes.networking.v1 import (
    HTTPIngressPathArgs,
    HTTPIngressRuleValueArgs,
    Ingress,
    IngressBackendArgs,
    IngressRuleArgs,
    IngressServiceBackendArgs,
    IngressSpecArgs,
    IngressTLSArgs,
    ServiceBackendPortArgs,
)

from objectos_core.headers import string_map_annotation

from .inputs import args_of, fill_defaults, filled

ANNOTATION = "alb.ingress.kubernetes.io/"
INGRESS_CLASS = "alb"
# TLS 1.3 preferred, TLS 1.2 the minimum, forward-secret ciphers only.
SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
READINESS_PATH = "/api/v1/ready"
HTTPS_PORT = 443
CLOUDFRONT_ORIGIN_FACING = "com.amazonaws.global.cloudfront.origin-facing"
ORIGIN_HEADER = "X-Origin-Verify"
# Lowercase letters and digits: ALB header conditions compare case-insensitively and
# treat '*' and '?' as wildcards. 64 of them are about 330 bits.
ORIGIN_SECRET_LENGTH = 64
_LB_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?")
_HEADER_NAME = re.compile(r"[A-Za-z0-9-]{1,64}")
# Headers CloudFront refuses as custom origin headers (CloudFront developer guide).
_RESERVED_HEADER_PREFIXES = ("x-amz-", "x-edge-")
_RESERVED_HEADERS = frozenset(
    {"cache-control", "connection", "content-length", "cookie", "host", "max-forwards", "pragma",
     "proxy-authorization", "proxy-connection", "range", "request-range", "te", "trailer",
     "transfer-encoding", "upgrade", "via", "x-real-ip"}
)  # fmt: skip
_ANNOTATION_NAME_MAX = 63  # the part of an annotation key after the '/'


@dataclass
class TlsIngressArgs:
    """Inputs of TlsIngress."""

    namespace: pulumi.Input[str]
    """Namespace of the Ingress (the workload's)."""
    service_name: pulumi.Input[str]
    """The workload Service the ALB forwards to."""
    host: str
    """Host name the ALB answers for (the domain, or the origin name behind CloudFront)."""
    certificate_arn: pulumi.Input[str]
    """ACM certificate in the stack's region; pass the validated ARN so the ALB waits for it."""
    service_port: Optional[int] = 80
    """Port of the Service."""
    listener_attributes: Optional[pulumi.Input[str]] = None
    """HTTPS listener attributes (HeaderPolicy.listener_attributes in alb mode)."""
    waf_acl_arn: Optional[pulumi.Input[str]] = None
    """Regional WAFv2 web ACL to associate with the ALB (alb mode)."""
    origin_prefix_list_name: Optional[str] = None
    """Admit HTTPS only from this AWS-managed prefix list (CloudFront's origin-facing list) instead of the internet."""
    vpc_id: Optional[str] = None
    """VPC of the ALB's security group; required with origin_prefix_list_name."""
    target_security_group_id: Optional[str] = None
    """Security group of the pods; the ALB's group may reach only it, on target_port."""
    target_port: Optional[int] = 8080
    """Port the pods listen on (IP targets)."""
    hosted_zone_id: Optional[str] = None
    """Route 53 zone in which to point `host` at the ALB; None leaves DNS to the operator."""
    access_logs_bucket: Optional[str] = None
    """S3 bucket for ALB access logs; None keeps them off."""
    load_balancer_name: Optional[str] = None
    """ALB name (at most 32 letters, digits and '-'); None lets the controller pick one."""
    origin_header_name: Optional[str] = None
    """Behind a CDN: forward only requests carrying this header with origin_header_value (others get 404)."""
    tags: Optional[Mapping[str, str]] = field(default_factory=dict)
    """Tags the controller puts on the ALB and its target group."""
    ssl_policy: Optional[str] = SSL_POLICY
    """ELB security policy of the HTTPS listener."""
    health_check_path: Optional[str] = READINESS_PATH
    """Target health check: readiness, so pods whose database is down take no traffic."""
    name: Optional[str] = "objectos"
    """Name of the Ingress."""

    def __post_init__(self) -> None:
        fill_defaults(self)
        if self.origin_prefix_list_name and not self.vpc_id:
            raise ValueError(
                "TlsIngressArgs.vpc_id is required with origin_prefix_list_name (the ALB's security group)"
            )
        if self.load_balancer_name is not None and not _LB_NAME.fullmatch(self.load_balancer_name):
            raise ValueError(
                f"TlsIngressArgs.load_balancer_name '{self.load_balancer_name}' must be 1-32 letters, digits or '-'"
            )
        if self.origin_header_name is not None:
            check_origin_header_name(self.origin_header_name, "TlsIngressArgs.origin_header_name")


def load_balancer_attributes(access_logs_bucket: Optional[str]) -> dict[str, str]:
    attributes = {
        "routing.http.drop_invalid_header_fields.enabled": "true",
        "deletion_protection.enabled": "true",
        "access_logs.s3.enabled": "true" if access_logs_bucket else "false",
    }
    if access_logs_bucket:
        attributes["access_logs.s3.bucket"] = access_logs_bucket
        attributes["access_logs.s3.prefix"] = "alb"
    return attributes


def check_origin_header_name(name: str, what: str) -> None:
    lower = name.lower()
    if not _HEADER_NAME.fullmatch(name) or lower in _RESERVED_HEADERS or lower.startswith(_RESERVED_HEADER_PREFIXES):
        raise ValueError(
            f"{what} '{name}' must be 1-64 letters, digits or '-' and not a header CloudFront refuses to add "
            f"(use {ORIGIN_HEADER})"
        )


def conditions_annotation(service_name: str) -> str:
    """The controller's conditions annotation for the rules that forward to `service_name`."""
    key = f"conditions.{service_name}"
    if len(key) > _ANNOTATION_NAME_MAX:
        raise ValueError(
            f"the Service name '{service_name}' is too long for the annotation {ANNOTATION}{key} "
            f"(at most {_ANNOTATION_NAME_MAX - len('conditions.')} characters); shorten the workload's name"
        )
    return ANNOTATION + key


def origin_header_conditions(header_name: str, value: str) -> str:
    """Conditions JSON: a rule matches only requests whose `header_name` is `value` (besides host and path)."""
    condition = {"field": "http-header", "httpHeaderConfig": {"httpHeaderName": header_name, "values": [value]}}
    return json.dumps([condition], separators=(",", ":"))


class TlsIngress(pulumi.ComponentResource):
    """The ALB in front of the workload: TLS, redirect, health check, WAF or origin lock-down."""

    hostname: pulumi.Output[str]
    """The ALB's DNS name, from the Ingress status."""
    security_group_id: Optional[pulumi.Output[str]]
    """The ALB's own security group, when restricted to a prefix list."""
    origin_header_value: Optional[pulumi.Output[str]]
    """The value the CDN must send in origin_header_name (a Pulumi secret); None without origin_header_name."""

    def __init__(self, name: str, args: TlsIngressArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("objectos:index:TlsIngress", name, None, opts)
        args = args_of(TlsIngressArgs, args)
        child = pulumi.ResourceOptions(parent=self)
        annotations: dict[str, pulumi.Input[str]] = {
            "scheme": "internet-facing",
            "target-type": "ip",
            "listen-ports": json.dumps([{"HTTP": 80}, {"HTTPS": HTTPS_PORT}]),
            "ssl-redirect": str(HTTPS_PORT),
            "certificate-arn": args.certificate_arn,
            "ssl-policy": filled(args.ssl_policy),
            "backend-protocol": "HTTP",
            "healthcheck-path": filled(args.health_check_path),
            "success-codes": "200",
            "load-balancer-attributes": string_map_annotation(
                load_balancer_attributes(args.access_logs_bucket), "TlsIngressArgs.access_logs_bucket"
            ),
        }
        if args.tags:
            annotations["tags"] = string_map_annotation(dict(args.tags), "TlsIngressArgs.tags")
        if args.load_balancer_name:
            annotations["load-balancer-name"] = args.load_balancer_name
        if args.listener_attributes is not None:
            annotations[f"listener-attributes.HTTPS-{HTTPS_PORT}"] = args.listener_attributes
        if args.waf_acl_arn is not None:
            annotations["wafv2-acl-arn"] = args.waf_acl_arn

        self.security_group_id = None
        if args.origin_prefix_list_name:
            self.security_group_id = self._origin_only_group(name, args, child)
            annotations["security-groups"] = self.security_group_id
            # With its own group on the ALB the controller still opens the pods' side to the ALB.
            annotations["manage-backend-security-group-rules"] = "true"
        fixed = {ANNOTATION + key: value for key, value in annotations.items()}
        notes: pulumi.Input[Mapping[str, pulumi.Input[str]]] = fixed

        self.origin_header_value = None
        if args.origin_header_name:
            self.origin_header_value = self._origin_secret(name, child)
            header = args.origin_header_name
            condition = self.origin_header_value.apply(lambda value: origin_header_conditions(header, value))
            # Keyed by the backend Service's name (an output); only the condition's value is secret.
            notes = pulumi.Output.from_input(args.service_name).apply(
                lambda service: {**fixed, conditions_annotation(service): condition}
            )

        ingress = Ingress(
            f"{name}-ingress",
            metadata=ObjectMetaArgs(
                name=args.name,
                namespace=args.namespace,
                labels={"app.kubernetes.io/name": args.name, "app.kubernetes.io/part-of": "objectos"},
                annotations=notes,
            ),
            spec=IngressSpecArgs(
                ingress_class_name=INGRESS_CLASS,
                tls=[IngressTLSArgs(hosts=[args.host])],
                rules=[
                    IngressRuleArgs(
                        host=args.host,
                        http=HTTPIngressRuleValueArgs(
                            paths=[
                                HTTPIngressPathArgs(
                                    path="/",
                                    path_type="Prefix",
                                    backend=IngressBackendArgs(
                                        service=IngressServiceBackendArgs(
                                            name=args.service_name,
                                            port=ServiceBackendPortArgs(number=args.service_port),
                                        )
                                    ),
                                )
                            ]
                        ),
                    )
                ],
            ),
            opts=child,
        )
        self.hostname = ingress.status.apply(_hostname)

        if args.hosted_zone_id:
            zone = aws.lb.get_hosted_zone_id_output(
                load_balancer_type="application", opts=pulumi.InvokeOutputOptions(parent=self)
            )
            aws.route53.Record(
                f"{name}-dns",
                aws.route53.RecordArgs(
                    zone_id=args.hosted_zone_id,
                    name=args.host,
                    type="A",
                    aliases=[
                        aws.route53.RecordAliasArgs(name=self.hostname, zone_id=zone.id, evaluate_target_health=True)
                    ],
                ),
                opts=child,
            )
        self.register_outputs(
            {
                "hostname": self.hostname,
                "security_group_id": self.security_group_id,
                "origin_header_value": self.origin_header_value,
            }
        )

    def _origin_secret(self, name: str, child: pulumi.ResourceOptions) -> pulumi.Output[str]:
        password = random.RandomPassword(
            f"{name}-origin-secret",
            random.RandomPasswordArgs(length=ORIGIN_SECRET_LENGTH, upper=False, special=False),
            opts=child,
        )
        return pulumi.Output.secret(password.result)

    def _origin_only_group(self, name: str, args: TlsIngressArgs, child: pulumi.ResourceOptions) -> pulumi.Output[str]:
        prefix_list = aws.ec2.get_managed_prefix_list_output(
            name=args.origin_prefix_list_name, opts=pulumi.InvokeOutputOptions(parent=self)
        )
        group = aws.ec2.SecurityGroup(
            f"{name}-alb-sg",
            aws.ec2.SecurityGroupArgs(
                vpc_id=args.vpc_id,
                description=f"ALB for {args.host}: HTTPS from {args.origin_prefix_list_name} only",
                tags={**filled(args.tags), "Name": f"{args.name}-alb"},
            ),
            opts=child,
        )
        aws.vpc.SecurityGroupIngressRule(
            f"{name}-alb-https-in",
            aws.vpc.SecurityGroupIngressRuleArgs(
                security_group_id=group.id,
                ip_protocol="tcp",
                from_port=HTTPS_PORT,
                to_port=HTTPS_PORT,
                prefix_list_id=prefix_list.id,
                description="HTTPS from the CDN origin-facing servers",  # EC2 refuses an apostrophe here
                tags=dict(filled(args.tags)),
            ),
            opts=child,
        )
        if args.target_security_group_id:
            aws.vpc.SecurityGroupEgressRule(
                f"{name}-alb-to-pods",
                aws.vpc.SecurityGroupEgressRuleArgs(
                    security_group_id=group.id,
                    ip_protocol="tcp",
                    from_port=args.target_port,
                    to_port=args.target_port,
                    referenced_security_group_id=args.target_security_group_id,
                    description="to the ObjectOS pods",
                    tags=dict(filled(args.tags)),
                ),
                opts=child,
            )
        return group.id


def _hostname(status) -> Optional[str]:
    ingresses = (status.load_balancer.ingress if status and status.load_balancer else None) or []
    return ingresses[0].hostname if ingresses else None
