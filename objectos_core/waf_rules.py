"""What the WAF web ACL enforces, as plain data in the WAFv2 API's JSON shape.

Three rate-based rules per client IP (auth, write, read), optional AWS managed
rule groups after them, the 429 response a blocked client gets, the capacity
(WCU) the rules cost, and the resource policy the ACL's log group needs.

Also the one evaluator of "which rule counts this request": the WafRateLimits
component, the policy pack and the live verifier all ask `evaluate` (or
`counts`, `rule_buckets`) rather than guessing from a rule's name or shape.
Standard library only.
"""

import json
import posixpath
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Optional, Protocol
from urllib.parse import unquote_to_bytes

from .fields import fill_defaults
from .limits import (
    BYTE_MATCH_WCU,
    CUSTOM_KEY_WCU,
    EVALUATION_WINDOWS,
    FIELD_STATEMENT_WCU,
    ORIGIN_STATEMENT_WCU,
    RATE_BASED_WCU,
    RATE_LIMIT_MAX,
    RATE_LIMIT_MIN,
    TEXT_TRANSFORMATION_WCU,
    WEB_ACL_CAPACITY_LIMIT,
)
from .names import log_group_arn, partition, service_principal

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
    """A bucket: anything with `limit` and `window_seconds`, such as a settings limit."""

    @property
    def limit(self) -> int: ...

    @property
    def window_seconds(self) -> int: ...


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
    setting: str  # its key in the modes mapping `managed_rule_group_rules` takes
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
# One evaluator for every reader: plain rules built above, the policy pack's
# resource properties (camelCase, possibly unknown during a preview) and the
# AWS API's JSON the live verifier reads (PascalCase, byte strings).

# (method, path) samples of each checklist bucket, from the ObjectOS route reference.
SAMPLES: dict[str, tuple[tuple[str, str], ...]] = {
    "auth": (
        ("POST", "/api/v1/auth/sign-in/email"),
        ("POST", "/api/v1/auth/sign-up/email"),
        ("GET", "/api/v1/auth/get-session"),
        ("GET", "/api/v1/auth/sso/callback/okta"),
    ),
    "write": (
        ("POST", "/api/v1/data/account"),
        ("PUT", "/api/v1/data/account/1"),
        ("PATCH", "/api/v1/data/account/1"),
        ("DELETE", "/api/v1/data/account/1"),
        ("POST", "/api/v1/data/account/batch"),
    ),
    "read": (
        ("GET", "/api/v1/data/account"),
        ("GET", "/api/v1/meta/objects"),
        ("POST", "/api/v1/data/account/query"),
        ("POST", "/api/v1/analytics/query"),
        ("GET", "/_console/"),
    ),
}
BUCKET_TEXT = {
    "auth": "requests under /api/v1/auth/",
    "write": "POST, PUT, PATCH and DELETE requests to the data API",
    "read": "all other requests",
}


def evaluate(statement: Any, method: str, path: str) -> Optional[bool]:
    """Whether the statement matches the request: True, False, or None when that depends on more
    than method and path (IP sets, headers, labels) or on a value not known yet.

    Keys may be the API's PascalCase or the provider's camelCase.
    """
    if not isinstance(statement, Mapping):
        return None
    results = []
    for kind, body in statement.items():
        if not isinstance(body, Mapping):
            continue
        kind = _pascal(kind)
        if kind in ("AndStatement", "OrStatement"):
            inner = _field(body, "Statements")
            parts = [evaluate(s, method, path) for s in inner] if isinstance(inner, (list, tuple)) else []
            if kind == "AndStatement":
                results.append(False if False in parts else (True if parts and all(parts) else None))
            else:
                results.append(True if True in parts else (False if parts and all(p is False for p in parts) else None))
        elif kind == "NotStatement":
            value = evaluate(_field(body, "Statement"), method, path)
            results.append(None if value is None else not value)
        elif kind in ("ByteMatchStatement", "RegexMatchStatement"):
            results.append(_match(kind, body, method, path))
        else:
            results.append(None)
    return results[0] if len(results) == 1 else None


def counts(rule: Mapping[str, Any], method: str, path: str) -> Optional[bool]:
    """Whether a rate-based rule counts the request (a rule without a scope-down counts all); None if unknowable."""
    rate = _field(_field(rule, "Statement"), "RateBasedStatement")
    if not isinstance(rate, Mapping):
        return False
    scope = _field(rate, "ScopeDownStatement")
    return True if scope is None else evaluate(scope, method, path)


def counted_by(rules: Iterable[Rule], method: str, path: str) -> list[str]:
    """Names of the rate-based rules that certainly count the request."""
    return [_field(rule, "Name") for rule in rules if counts(rule, method, path) is True]


def rule_buckets(rule: Mapping[str, Any]) -> tuple[str, ...]:
    """The checklist buckets (auth, write, read) every sample of which the rule certainly counts."""
    return tuple(b for b, samples in SAMPLES.items() if all(counts(rule, m, p) is True for m, p in samples))


def _pascal(key: str) -> str:
    return key[:1].upper() + key[1:] if isinstance(key, str) else key


def _field(body: Any, name: str) -> Any:
    """body[name] in PascalCase or camelCase; None when absent or not a mapping."""
    if not isinstance(body, Mapping):
        return None
    if name in body:
        return body[name]
    return body.get(name[:1].lower() + name[1:])


def _match(kind: str, body: Mapping[str, Any], method: str, path: str) -> Optional[bool]:
    target = _field(body, "FieldToMatch")
    if not isinstance(target, Mapping):
        return None
    if _field(target, "UriPath") is not None:
        value = path
    elif _field(target, "Method") is not None:
        value = method
    else:
        return None  # headers, query, body: not in a (method, path) sample
    steps = _field(body, "TextTransformations")
    steps = [t for t in steps if isinstance(t, Mapping)] if isinstance(steps, (list, tuple)) else []
    for step in sorted(steps, key=lambda t: _number(_field(t, "Priority"))):
        transform = _TRANSFORM.get(_field(step, "Type"))
        if transform is None:
            return None
        value = transform(value)
    if kind == "RegexMatchStatement":
        pattern = _text(_field(body, "RegexString"))
        if pattern is None:
            return None
        try:
            return re.search(pattern, value) is not None
        except re.error:
            return None
    search = _text(_field(body, "SearchString"))
    if search is None:
        return None
    return _byte_match(_field(body, "PositionalConstraint"), search, value)


def _text(value: Any) -> Optional[str]:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value if isinstance(value, str) else None


def _number(value: Any) -> float:
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else 0


def _normalize_path(path: str) -> str:
    """NORMALIZE_PATH: collapse slashes, drop `.`, resolve `..`; a `..` at the start stays."""
    parents = re.match(r"(?:/\.\.(?=/|$))*", path)
    leading = parents.group(0) if parents else ""  # the pattern matches every path, if only empty
    rest = path[len(leading) :]
    if not rest.startswith("/"):
        return path
    normal = posixpath.normpath(rest)
    normal = "/" + normal.lstrip("/")
    if rest.endswith("/") and normal != "/":
        normal += "/"
    return leading + normal


def _url_decode(value: str) -> str:
    return unquote_to_bytes(value.replace("+", " ")).decode("latin-1")


_TRANSFORM = {
    "NONE": lambda v: v,
    "LOWERCASE": str.lower,
    "URL_DECODE": _url_decode,
    "URL_DECODE_UNI": _url_decode,
    "NORMALIZE_PATH": _normalize_path,
    "NORMALIZE_PATH_WIN": lambda v: _normalize_path(v.replace("\\", "/")),
    "COMPRESS_WHITE_SPACE": lambda v: re.sub(r"\s+", " ", v),
}


def _byte_match(constraint: Any, search: str, value: str) -> Optional[bool]:
    return {
        "EXACTLY": value == search,
        "STARTS_WITH": value.startswith(search),
        "ENDS_WITH": value.endswith(search),
        "CONTAINS": search in value,
        "CONTAINS_WORD": re.search(rf"(^|\W){re.escape(search)}(\W|$)", value) is not None,
    }.get(constraint)


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
