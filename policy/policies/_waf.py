"""Reading WAFv2 web ACL rules, and which rate rules a request would count against.

Rules may be typed `rules` or `ruleJson` (AWS API JSON). Rather than guess a
rule's intent from its shape, a scope-down statement is evaluated on sample
ObjectOS requests: a request is limited by the strictest blocking rate rule
whose statement is certainly true for it.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import Any, Iterator, Optional
from urllib.parse import unquote

from policy.policies._props import camel_keys, elements, get, is_mapping, parse_json, strings, text

WEB_ACL = "aws:wafv2/webAcl:WebAcl"
ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation"
LOGGING = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"
DEFAULT_WINDOW = 300  # AWS's evaluation window when none is given

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


@dataclass
class RateRule:
    name: str
    limit: Any
    window: Any
    aggregate: Any
    action: str  # block | count | captcha | challenge | none
    scope_down: Any  # None: every request counts

    @property
    def per_minute(self) -> Optional[float]:
        if not isinstance(self.limit, (int, float)):
            return None
        window = self.window if isinstance(self.window, (int, float)) else DEFAULT_WINDOW
        return self.limit * 60.0 / window

    def counts(self, method: str, path: str) -> bool:
        """True when this rule certainly counts the request."""
        return self.scope_down is None or _evaluate(self.scope_down, method, path) is True


def rules_of(props: Any) -> list[Any]:
    """The ACL's rules in camelCase, from `rules` or from `ruleJson`."""
    typed = list(elements(get(props, "rules")))
    if typed:
        return typed
    parsed = parse_json(get(props, "ruleJson"))
    return list(elements(camel_keys(parsed))) if parsed is not None else []


def rate_rules(props: Any) -> Iterator[RateRule]:
    for rule in rules_of(props):
        statement = get(rule, "statement", "rateBasedStatement")
        if not is_mapping(statement):
            continue
        action = get(rule, "action")
        scope = get(statement, "scopeDownStatement")
        yield RateRule(
            name=text(get(rule, "name")) or "?",
            limit=get(statement, "limit"),
            window=get(statement, "evaluationWindowSec"),
            aggregate=get(statement, "aggregateKeyType"),
            action=next(iter(action), "none") if is_mapping(action) else "none",
            scope_down=scope if is_mapping(scope) else None,
        )


# --- evaluating a statement on a request: True, False, or None when it depends on more ---


def _evaluate(statement: Any, method: str, path: str) -> Optional[bool]:
    results = []
    for kind in statement:
        body = get(statement, kind)
        if not is_mapping(body):
            continue
        if kind == "andStatement":
            parts = [_evaluate(s, method, path) for s in elements(get(body, "statements")) if is_mapping(s)]
            results.append(False if False in parts else (True if parts and all(parts) else None))
        elif kind == "orStatement":
            parts = [_evaluate(s, method, path) for s in elements(get(body, "statements")) if is_mapping(s)]
            results.append(True if True in parts else (False if parts and all(p is False for p in parts) else None))
        elif kind == "notStatement":
            inner = get(body, "statement")
            value = _evaluate(inner, method, path) if is_mapping(inner) else None
            results.append(None if value is None else not value)
        elif kind in ("byteMatchStatement", "regexMatchStatement"):
            results.append(_match(kind, body, method, path))
        else:
            results.append(None)  # IP sets, labels, headers...: not decidable from a sample
    return results[0] if len(results) == 1 else None


def _match(kind: str, body: Any, method: str, path: str) -> Optional[bool]:
    target = get(body, "fieldToMatch")
    if not is_mapping(target):
        return None
    if get(target, "uriPath") is not None:
        value = path
    elif get(target, "method") is not None:
        value = method
    else:
        return None
    for transformation in sorted(elements(get(body, "textTransformations")), key=lambda t: get(t, "priority") or 0):
        value = _transform(str(get(transformation, "type")), value)
    if kind == "regexMatchStatement":
        pattern = get(body, "regexString")
        if not isinstance(pattern, str):
            return None
        try:
            return re.search(pattern, value) is not None
        except re.error:
            return None
    wanted = get(body, "searchString")
    if not isinstance(wanted, str):
        return None
    constraint = get(body, "positionalConstraint")
    return {
        "EXACTLY": value == wanted,
        "STARTS_WITH": value.startswith(wanted),
        "ENDS_WITH": value.endswith(wanted),
        "CONTAINS": wanted in value,
        "CONTAINS_WORD": re.search(rf"(^|\W){re.escape(wanted)}(\W|$)", value) is not None,
    }.get(constraint)


def _transform(kind: str, value: str) -> str:
    if kind == "LOWERCASE":
        return value.lower()
    if kind in ("URL_DECODE", "URL_DECODE_UNI"):
        return unquote(value)
    if kind in ("NORMALIZE_PATH", "NORMALIZE_PATH_WIN"):
        normal = posixpath.normpath(value.replace("\\", "/") if kind.endswith("WIN") else value)
        return normal + "/" if value.endswith("/") and normal != "/" else normal
    if kind in ("COMPRESS_WHITE_SPACE",):
        return re.sub(r"\s+", " ", value)
    return value


def redacted_headers(logging_props: Any) -> set[str]:
    return {
        str(get(f, "singleHeader", "name")).lower()
        for f in elements(get(logging_props, "redactedFields"))
        if text(get(f, "singleHeader", "name"))
    }


def destinations(logging_props: Any) -> list[str]:
    return strings(get(logging_props, "logDestinationConfigs"))
