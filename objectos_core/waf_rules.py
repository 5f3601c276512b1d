"""What the WAF web ACL enforces, as plain data in the WAFv2 API's JSON shape.

Three rate-based rules per client IP (auth, write, read), optional AWS managed
rule groups after them, the 429 response a blocked client gets, the capacity
(WCU) the rules cost, and the resource policy the ACL's log group needs. Standard
library only: the settings validate capacity with it, the component declares it.
"""

import json
import posixpath
import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Optional, Protocol
from urllib.parse import unquote_to_bytes

from .aws_names import log_group_arn, partition, service_principal
from .inputs import fill_defaults

Statement = dict[str, Any]
Rule = dict[str, Any]

# --- what is limited -----------------------------------------------------------

AUTH_RULE, WRITE_RULE, READ_RULE = "auth-rate-limit", "write-rate-limit", "read-rate-limit"
RATE_RULE_PRIORITIES = {AUTH_RULE: 10, WRITE_RULE: 20, READ_RULE: 30}
MANAGED_FIRST_PRIORITY = 100  # managed groups come after the rate limits; the gap leaves room for operator rules

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
WRITE_METHOD_PATTERN = "^(?:POST|PUT|PATCH|DELETE)$"

# The runtime routes on the decoded, dot-segment-resolved path, so the WAF
# decodes and normalises before matching: `/api/v1/%61uth/...` or
# `/api/v1/x/../auth/...` reach the auth handler and must count as auth.
PATH_TRANSFORMATIONS = ("URL_DECODE", "NORMALIZE_PATH")


def routed_path(pattern: str) -> str:
    """`pattern` (a path regex without `^`) at the start of the path, or after the `/..`
    segments NORMALIZE_PATH leaves at the start (the runtime drops them)."""
    return rf"^{pattern}|^(?:/\.\.)+{pattern}"


# Auth also lowercases: counting a case variant that the runtime would 404 costs
# nothing, missing one that a case-insensitive hop routes would let it through.
AUTH_PATH_PREFIX = "/api/v1/auth/"
AUTH_PATH_PATTERN = routed_path(AUTH_PATH_PREFIX)
AUTH_TRANSFORMATIONS = (*PATH_TRANSFORMATIONS, "LOWERCASE")

# Reads sent as POST. Case-sensitive like the runtime's router: lowercasing here
# would let `POST .../QUERY`, a different route, escape the write limit.
POST_READ_PATHS = ("/api/v1/data/<object>/query", "/api/v1/analytics/query")
POST_READ_PATTERN = routed_path("/api/v1/(?:data/[^/]+|analytics)/query$")

RATE_LIMITED_BODY_KEY = "rate-limited"
RATE_LIMITED_STATUS = 429
RATE_LIMITED_BODY = {
    "content_type": "APPLICATION_JSON",
    "content": json.dumps(
        {
            "error": "too_many_requests",
            "message": "Too many requests from this address; retry after the number of seconds in Retry-After.",
        },
        separators=(",", ":"),
    ),
}


class RateLimitLike(Protocol):
    """A bucket: settings.model.RateLimit or `RateLimit` below."""

    limit: int
    window_seconds: int


RATE_LIMIT_MIN, RATE_LIMIT_MAX = 10, 2_000_000_000
EVALUATION_WINDOWS = (60, 120, 300, 600)


@dataclass(frozen=True)
class RateLimit:
    """A per-client-IP request budget: at most `limit` requests in any `window_seconds`."""

    limit: int
    """Requests per client IP per window (10 to 2,000,000,000)."""
    window_seconds: Optional[int] = 60
    """Evaluation window: 60, 120, 300 or 600 seconds."""

    def __post_init__(self) -> None:
        fill_defaults(self)
        if not RATE_LIMIT_MIN <= self.limit <= RATE_LIMIT_MAX:
            raise ValueError(f"RateLimit.limit is {self.limit}; AWS WAF takes {RATE_LIMIT_MIN} to {RATE_LIMIT_MAX:,}")
        if self.window_seconds not in EVALUATION_WINDOWS:
            windows = ", ".join(map(str, EVALUATION_WINDOWS))
            raise ValueError(f"RateLimit.window_seconds is {self.window_seconds}; AWS WAF takes {windows}")


@dataclass(frozen=True)
class ManagedRuleGroup:
    setting: str  # field of settings.model.ManagedRuleGroups
    name: str  # AWS managed rule group name (vendor AWS)
    capacity: int  # WCU published by AWS for the group
    counted_rules: tuple[str, ...] = ()  # rules of the group that only count, whatever the group's mode


# SizeRestrictions_BODY blocks every body over 8 KB: ObjectOS batch writes
# (/batch, /createMany) and imports send more, so it only counts.
BODY_SIZE_RULE = "SizeRestrictions_BODY"
MANAGED_RULE_GROUPS: tuple[ManagedRuleGroup, ...] = (
    ManagedRuleGroup("common_rule_set", "AWSManagedRulesCommonRuleSet", 700, counted_rules=(BODY_SIZE_RULE,)),
    ManagedRuleGroup("known_bad_inputs", "AWSManagedRulesKnownBadInputsRuleSet", 200),
    ManagedRuleGroup("ip_reputation", "AWSManagedRulesAmazonIpReputationList", 25),
)
MANAGED_MODES = ("off", "count", "block")


# --- statements ------------------------------------------------------------------


def _transformations(types: Iterable[str]) -> list[dict[str, Any]]:
    return [{"Priority": priority, "Type": kind} for priority, kind in enumerate(types)]


def regex_match(field: str, pattern: str, transformations: Iterable[str] = ("NONE",)) -> Statement:
    """A regex match on `UriPath` or `Method`."""
    return {
        "RegexMatchStatement": {
            "RegexString": pattern,
            "FieldToMatch": {field: {}},
            "TextTransformations": _transformations(transformations),
        }
    }


def auth_scope() -> Statement:
    return regex_match("UriPath", AUTH_PATH_PATTERN, AUTH_TRANSFORMATIONS)


def _write_method() -> Statement:
    return regex_match("Method", WRITE_METHOD_PATTERN)


def _post_read_path() -> Statement:
    return regex_match("UriPath", POST_READ_PATTERN, PATH_TRANSFORMATIONS)


def write_scope() -> Statement:
    """A write method, except the reads sent as POST."""
    return {"AndStatement": {"Statements": [_write_method(), {"NotStatement": {"Statement": _post_read_path()}}]}}


def read_scope() -> Statement:
    """Exactly the requests `write_scope` leaves out: not a write method, or a read path.

    Written as OR(NOT method, path) rather than NOT(write): the provider's typed
    schema stops at three levels of nesting below a rule.
    """
    return {"OrStatement": {"Statements": [{"NotStatement": {"Statement": _write_method()}}, _post_read_path()]}}


def visibility(metric_name: str) -> dict[str, Any]:
    return {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": metric_name}


def retry_after(window_seconds: int) -> str:
    """Retry-After for a blocked client: the rule's evaluation window, in seconds."""
    return str(window_seconds)


def rate_rule(name: str, bucket: RateLimitLike, scope: Optional[Statement]) -> Rule:
    rate: dict[str, Any] = {
        "Limit": bucket.limit,
        "EvaluationWindowSec": bucket.window_seconds,
        "AggregateKeyType": "IP",
    }
    if scope is not None:
        rate["ScopeDownStatement"] = scope
    return {
        "Name": name,
        "Priority": RATE_RULE_PRIORITIES[name],
        "Statement": {"RateBasedStatement": rate},
        "Action": {
            "Block": {
                "CustomResponse": {
                    "ResponseCode": RATE_LIMITED_STATUS,
                    "CustomResponseBodyKey": RATE_LIMITED_BODY_KEY,
                    "ResponseHeaders": [{"Name": "Retry-After", "Value": retry_after(bucket.window_seconds)}],
                }
            }
        },
        "VisibilityConfig": visibility(name),
    }


def rate_limit_rules(auth: RateLimitLike, write: RateLimitLike, read: RateLimitLike) -> list[Rule]:
    """The auth, write and read rules, in priority order."""
    return [
        rate_rule(AUTH_RULE, auth, auth_scope()),
        rate_rule(WRITE_RULE, write, write_scope()),
        rate_rule(READ_RULE, read, read_scope()),
    ]


def managed_rule_group_rules(modes: Mapping[str, str]) -> list[Rule]:
    """One rule per managed group not `off`: `count` only counts, `block` applies the group's actions
    except for its `counted_rules`, which count in either mode."""
    rules = []
    for offset, group in enumerate(MANAGED_RULE_GROUPS):
        mode = modes.get(group.setting, "off")
        if mode not in MANAGED_MODES:
            modes_text = ", ".join(MANAGED_MODES)
            raise ValueError(f"managed rule group {group.setting}: mode '{mode}' is not one of {modes_text}")
        if mode == "off":
            continue
        statement: Statement = {"VendorName": "AWS", "Name": group.name}
        if group.counted_rules:
            statement["RuleActionOverrides"] = [
                {"Name": rule, "ActionToUse": {"Count": {}}} for rule in group.counted_rules
            ]
        rules.append(
            {
                "Name": group.name,
                "Priority": MANAGED_FIRST_PRIORITY + 10 * offset,
                "Statement": {"ManagedRuleGroupStatement": statement},
                "OverrideAction": {"Count": {}} if mode == "count" else {"None": {}},
                "VisibilityConfig": visibility(group.name),
            }
        )
    return rules


def web_acl_rules(
    auth: RateLimitLike, write: RateLimitLike, read: RateLimitLike, managed_modes: Mapping[str, str]
) -> list[Rule]:
    return rate_limit_rules(auth, write, read) + managed_rule_group_rules(managed_modes)


# --- capacity (WCU) ---------------------------------------------------------------

WEB_ACL_CAPACITY_LIMIT = 1500  # WCU included in the web ACL's base price
TEXT_TRANSFORMATION_WCU = 10
RATE_BASED_WCU, CUSTOM_KEY_WCU = 2, 30
BYTE_MATCH_WCU = {"EXACTLY": 2, "STARTS_WITH": 2, "ENDS_WITH": 2, "CONTAINS": 10, "CONTAINS_WORD": 10}
FIELD_STATEMENT_WCU = {  # base cost of the statements that inspect a request component
    "RegexMatchStatement": 3,
    "RegexPatternSetReferenceStatement": 25,
    "SizeConstraintStatement": 1,
    "SqliMatchStatement": 20,
    "XssMatchStatement": 40,
}
ORIGIN_STATEMENT_WCU = {
    "GeoMatchStatement": 1,
    "AsnMatchStatement": 1,
    "IPSetReferenceStatement": 1,
    "LabelMatchStatement": 1,
}
LOGICAL = ("AndStatement", "OrStatement")
MANAGED_CAPACITY = {group.name: group.capacity for group in MANAGED_RULE_GROUPS}


def statement_capacity(statement: Statement) -> int:
    """WCU of one statement, from the costs AWS publishes for each statement type."""
    (kind, body), *rest = statement.items()
    if rest:
        raise ValueError(f"a statement holds exactly one type, got {sorted(statement)}")
    if kind in LOGICAL:
        return sum(statement_capacity(s) for s in body["Statements"])
    if kind == "NotStatement":
        return statement_capacity(body["Statement"])
    if kind in ORIGIN_STATEMENT_WCU:
        return ORIGIN_STATEMENT_WCU[kind]
    if kind == "ByteMatchStatement":
        return _field_cost(BYTE_MATCH_WCU[body["PositionalConstraint"]], body)
    if kind in FIELD_STATEMENT_WCU:
        return _field_cost(FIELD_STATEMENT_WCU[kind], body)
    if kind == "RateBasedStatement":
        scope = body.get("ScopeDownStatement")
        keys = len(body.get("CustomKeys", []))
        return RATE_BASED_WCU + CUSTOM_KEY_WCU * keys + (statement_capacity(scope) if scope else 0)
    if kind == "ManagedRuleGroupStatement":
        if body["Name"] not in MANAGED_CAPACITY:
            raise ValueError(f"no capacity known for managed rule group {body['Name']}; add it to MANAGED_RULE_GROUPS")
        scope = body.get("ScopeDownStatement")
        return MANAGED_CAPACITY[body["Name"]] + (statement_capacity(scope) if scope else 0)
    raise ValueError(f"no capacity known for {kind}; add its WCU from the AWS WAF developer guide")


def _field_cost(base: int, body: Mapping[str, Any]) -> int:
    field = body.get("FieldToMatch", {})
    cost = base * 2 if "JsonBody" in field else base
    if "AllQueryArguments" in field:
        cost += 10
    transformations = [t for t in body.get("TextTransformations", []) if t["Type"] != "NONE"]
    return cost + TEXT_TRANSFORMATION_WCU * len(transformations)


def rule_capacity(rule: Rule) -> int:
    return statement_capacity(rule["Statement"])


def web_acl_capacity(rules: Iterable[Rule]) -> int:
    """WCU the web ACL needs for these rules (AWS counts the same way; logical statements cost nothing themselves)."""
    return sum(rule_capacity(rule) for rule in rules)


def capacity_problem(rules: Iterable[Rule], limit: int = WEB_ACL_CAPACITY_LIMIT) -> Optional[str]:
    """What is wrong when the rules exceed the web ACL's capacity, else None."""
    rules = list(rules)
    total = web_acl_capacity(rules)
    if total <= limit:
        return None
    costs = ", ".join(f"{rule['Name']} {rule_capacity(rule)}" for rule in rules)
    return (
        f"the web ACL needs {total} WCU, {total - limit} over the {limit:,} WCU a web ACL includes ({costs}); "
        "turn a managed rule group off in objectos:waf.managedRuleGroups"
    )


# --- which rate rules count a request ------------------------------------------------
# An evaluator for the statements above, so tests and docs can ask "which
# buckets does POST /api/v1/data/account/query count against?".


def counted_by(rules: Iterable[Rule], method: str, path: str) -> list[str]:
    """Names of the rate-based rules whose scope-down matches the request (a rule without one counts all)."""
    names = []
    for rule in rules:
        rate = rule["Statement"].get("RateBasedStatement")
        if rate is None:
            continue
        scope = rate.get("ScopeDownStatement")
        if scope is None or matches(scope, method, path):
            names.append(rule["Name"])
    return names


def matches(statement: Statement, method: str, path: str) -> bool:
    (kind, body), = statement.items()
    if kind == "AndStatement":
        return all(matches(s, method, path) for s in body["Statements"])
    if kind == "OrStatement":
        return any(matches(s, method, path) for s in body["Statements"])
    if kind == "NotStatement":
        return not matches(body["Statement"], method, path)
    (field,) = body["FieldToMatch"]
    value = {"UriPath": path, "Method": method}[field]
    for step in sorted(body["TextTransformations"], key=lambda t: t["Priority"]):
        value = _TRANSFORM[step["Type"]](value)
    if kind == "RegexMatchStatement":
        return re.search(body["RegexString"], value) is not None
    if kind == "ByteMatchStatement":
        return _byte_match(body["PositionalConstraint"], body["SearchString"], value)
    raise ValueError(f"the evaluator does not know {kind}")


def _normalize_path(path: str) -> str:
    """NORMALIZE_PATH: collapse slashes, drop `.`, resolve `..`; a `..` at the start stays."""
    leading = re.match(r"(?:/\.\.(?=/|$))*", path).group(0)
    rest = path[len(leading):]
    if not rest.startswith("/"):
        return path
    normal = posixpath.normpath(rest)
    normal = "/" + normal.lstrip("/")
    if rest.endswith("/") and normal != "/":
        normal += "/"
    return leading + normal


_TRANSFORM = {
    "NONE": lambda v: v,
    "LOWERCASE": str.lower,
    "URL_DECODE": lambda v: unquote_to_bytes(v.replace("+", " ")).decode("latin-1"),
    "NORMALIZE_PATH": _normalize_path,
}


def _byte_match(constraint: str, search: str, value: str) -> bool:
    return {
        "EXACTLY": value == search,
        "STARTS_WITH": value.startswith(search),
        "ENDS_WITH": value.endswith(search),
        "CONTAINS": search in value,
    }[constraint]


# --- logging ----------------------------------------------------------------------

LOG_GROUP_PREFIX = "aws-waf-logs-"  # WAF only delivers to destinations named so
REDACTED_HEADERS = ("authorization", "cookie")  # session tokens and bearer credentials


def log_group_name(acl_name: str) -> str:
    return f"{LOG_GROUP_PREFIX}{acl_name}"


def log_delivery_policy(region: str, account_id: str, log_group: str) -> str:
    """CloudWatch Logs resource policy letting WAF's log delivery write to this log group only."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "WafLogDelivery",
                    "Effect": "Allow",
                    "Principal": {"Service": service_principal("delivery.logs")},
                    "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                    "Resource": f"{log_group_arn(region, account_id, log_group)}:log-stream:*",
                    "Condition": {
                        "StringEquals": {"aws:SourceAccount": account_id},
                        "ArnLike": {"aws:SourceArn": f"arn:{partition(region)}:logs:{region}:{account_id}:*"},
                    },
                }
            ],
        },
        indent=2,
    )
