"""WafRateLimits: the AWS WAF web ACL that rate-limits auth, write and read traffic per client IP.

The runtime's own limiter counts per pod, so the shared limit lives at the
edge. What the rules say is decided in `objectos_core.waf_rules`; this file only
declares the web ACL, its KMS-encrypted log group and the logging
configuration. The edge attaches the ACL (Ingress annotation or CloudFront
web_acl_id) from `web_acl_arn`.
"""

import inspect
import re
import sys
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Optional

import pulumi
import pulumi_aws as aws

from objectos_core import names as aws_names
from objectos_core import waf_rules
from objectos_core.waf_rules import RateLimit

from .inputs import args_of, fill_defaults, filled

SCOPES = ("REGIONAL", "CLOUDFRONT")
CLOUDFRONT_REGION = "us-east-1"


@dataclass
class WafRateLimitsArgs:
    """Inputs of WafRateLimits."""

    acl_name: str
    """Name of the web ACL and its metrics; the log group is aws-waf-logs-<acl_name>."""
    scope: str
    """REGIONAL for an ALB, CLOUDFRONT for a distribution (then pass a us-east-1 provider)."""
    region: str
    """Region the ACL, its key and log group live in: the provider's region, us-east-1 for CLOUDFRONT."""
    account_id: pulumi.Input[str]
    """AWS account id, for the key policy and the log delivery policy."""
    auth: RateLimit
    """Requests per client IP per window under /api/v1/auth/."""
    write: RateLimit
    """POST, PUT, PATCH and DELETE per client IP per window, except the reads sent as POST."""
    read: RateLimit
    """Every other request per client IP per window."""
    managed_rule_groups: Optional[Mapping[str, str]] = field(default_factory=dict)
    """off | count | block per managed group (keys: common_rule_set, known_bad_inputs, ip_reputation)."""
    log_retention_days: Optional[int] = 365
    """Retention of the WAF log group, a value CloudWatch Logs accepts."""
    tags: Optional[Mapping[str, str]] = field(default_factory=dict)
    """Tags on every AWS resource that takes them."""
    protect: Optional[bool] = True
    """Protect and retain the log key and log group so the logs outlive the stack."""

    def __post_init__(self) -> None:
        fill_defaults(self)
        if self.scope not in SCOPES:
            raise ValueError(f"WafRateLimitsArgs.scope is '{self.scope}'; use one of {', '.join(SCOPES)}")
        if self.scope == "CLOUDFRONT" and self.region != CLOUDFRONT_REGION:
            raise ValueError(
                f"WafRateLimitsArgs.region is {self.region}; a CLOUDFRONT web ACL lives in {CLOUDFRONT_REGION}"
            )
        known = [group.setting for group in waf_rules.MANAGED_RULE_GROUPS]
        unknown = sorted(set(filled(self.managed_rule_groups)) - set(known))
        if unknown:
            raise ValueError(
                f"WafRateLimitsArgs.managed_rule_groups has no group {', '.join(unknown)}; use {', '.join(known)}"
            )


class WafRateLimits(pulumi.ComponentResource):
    """A WAFv2 web ACL with per-IP rate limits, optional managed rule groups and redacted logging."""

    web_acl_arn: pulumi.Output[str]
    """ARN of the web ACL: the Ingress annotation or the distribution's web_acl_id."""
    log_group_name: pulumi.Output[str]
    """CloudWatch log group receiving the ACL's logs (aws-waf-logs-...)."""
    capacity: int
    """WCU the rules use (at most 1,500)."""

    def __init__(self, name: str, args: WafRateLimitsArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("objectos:index:WafRateLimits", name, None, opts)
        args = args_of(WafRateLimitsArgs, args)

        auth, write, read = (_bucket(limit) for limit in (args.auth, args.write, args.read))
        rules = waf_rules.web_acl_rules(auth, write, read, filled(args.managed_rule_groups))
        problem = waf_rules.capacity_problem(rules)
        if problem:
            raise ValueError(problem)
        tags = dict(filled(args.tags))
        log_name = waf_rules.log_group_name(args.acl_name)
        account_id = pulumi.Output.from_input(args.account_id)
        stateful = pulumi.ResourceOptions(parent=self, protect=args.protect, retain_on_delete=args.protect)

        key = aws.kms.Key(
            f"{name}-log-key",
            aws.kms.KeyArgs(
                description=f"Encrypts the WAF logs of {args.acl_name}",
                enable_key_rotation=True,
                deletion_window_in_days=30,
                policy=account_id.apply(
                    lambda account: aws_names.log_group_key_policy(
                        aws_names.partition(args.region), account, args.region, log_name
                    )
                ),
                tags=tags,
            ),
            opts=stateful,
        )
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs",
            aws.cloudwatch.LogGroupArgs(
                name=log_name, retention_in_days=args.log_retention_days, kms_key_id=key.arn, tags=tags
            ),
            opts=stateful,
        )
        # AWS adds this policy itself only when the deployer may; declared so delivery never depends on that.
        delivery = aws.cloudwatch.LogResourcePolicy(
            f"{name}-log-delivery",
            aws.cloudwatch.LogResourcePolicyArgs(
                policy_name=f"{args.acl_name}-waf-log-delivery",
                policy_document=account_id.apply(
                    lambda account: waf_rules.log_delivery_policy(args.region, account, log_name)
                ),
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )

        body = waf_rules.RATE_LIMITED_BODY
        acl = aws.wafv2.WebAcl(
            f"{name}-acl",
            aws.wafv2.WebAclArgs(
                name=args.acl_name,
                description="ObjectOS: per-IP rate limits on auth, write and read traffic",
                scope=args.scope,
                default_action=aws.wafv2.WebAclDefaultActionArgs(allow=aws.wafv2.WebAclDefaultActionAllowArgs()),
                custom_response_bodies=[
                    aws.wafv2.WebAclCustomResponseBodyArgs(
                        key=waf_rules.RATE_LIMITED_BODY_KEY, content=body["content"], content_type=body["content_type"]
                    )
                ],
                rules=[to_args(aws.wafv2.WebAclRuleArgs, rule) for rule in rules],
                visibility_config=to_args(aws.wafv2.WebAclVisibilityConfigArgs, waf_rules.visibility(args.acl_name)),
                tags=tags,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.wafv2.WebAclLoggingConfiguration(
            f"{name}-logging",
            aws.wafv2.WebAclLoggingConfigurationArgs(
                resource_arn=acl.arn,
                log_destination_configs=[log_group.arn],
                redacted_fields=[
                    aws.wafv2.WebAclLoggingConfigurationRedactedFieldArgs(
                        single_header=aws.wafv2.WebAclLoggingConfigurationRedactedFieldSingleHeaderArgs(name=header)
                    )
                    for header in waf_rules.REDACTED_HEADERS
                ],
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[delivery]),
        )

        self.web_acl_arn = acl.arn
        self.log_group_name = log_group.name
        self.capacity = waf_rules.web_acl_capacity(rules)
        self.register_outputs(
            {
                "web_acl_arn": self.web_acl_arn,
                "log_group_name": self.log_group_name,
                "capacity": self.capacity,
            }
        )


class _Bucket(NamedTuple):
    limit: int
    window_seconds: int


def _bucket(limit: RateLimit) -> _Bucket:
    """`limit` as the rules take it, its window filled in."""
    return _Bucket(limit.limit, filled(limit.window_seconds))


# --- WAFv2 API JSON -> pulumi_aws typed Args ------------------------------------------
# The pure module speaks the API's JSON; the provider's Args classes mirror it in
# snake_case. Walking the Args signatures keeps the typed classes (a misspelled
# key raises) without repeating every nested class name here.

_KEY_EXCEPTIONS = {"CloudWatchMetricsEnabled": "cloudwatch_metrics_enabled"}


def to_args(cls: type, data: Mapping[str, Any]) -> Any:
    """Build `cls` (a pulumi_aws.wafv2 *Args class) from a WAFv2 API JSON object."""
    parameters = inspect.signature(cls).parameters  # the constructor's, without self
    kwargs = {}
    for key, value in data.items():
        name = _KEY_EXCEPTIONS.get(key) or re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()
        if name not in parameters:
            raise TypeError(f"{cls.__name__} has no argument {name} (from API key {key})")
        items = value if isinstance(value, list) else [value]
        if not any(isinstance(item, Mapping) for item in items):
            kwargs[name] = value
            continue
        nested_cls = nested_args_class(cls, name, parameters[name].annotation)
        built = [to_args(nested_cls, item) for item in items]
        kwargs[name] = built if isinstance(value, list) else built[0]
    return cls(**kwargs)


def nested_args_class(cls: type, name: str, annotation: Any) -> type:
    """The Args class an object-valued argument takes, found in `cls`'s own module.

    The SDK annotates such arguments `Input[Optional['<Class>Args']]` (a forward
    reference, possibly inside a Sequence); anything else is a TypeError rather
    than a raw dict passed on unchecked.
    """
    module = sys.modules[cls.__module__]
    found: set[type] = set()

    def walk(node: Any) -> None:
        if isinstance(node, typing.ForwardRef):
            node = getattr(module, node.__forward_arg__, None)
        elif isinstance(node, str):
            node = getattr(module, node, None)
        if isinstance(node, type) and node.__module__ == module.__name__:
            found.add(node)
            return
        for inner in typing.get_args(node):
            walk(inner)

    walk(annotation)
    if len(found) != 1:
        names = ", ".join(sorted(c.__name__ for c in found)) or "none"
        raise TypeError(f"{cls.__name__}.{name} takes an object but no single Args class was found ({names})")
    return found.pop()
