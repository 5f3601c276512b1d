"""Reading WAFv2 web ACL rules, and which rate rules a request would count against.

Rules may be typed `rules` or `ruleJson` (AWS API JSON). Rather than guess a
rule's intent from its shape, a scope-down statement is evaluated on sample
ObjectOS requests by the kit's one evaluator (objectos_core.waf_rules, which the
component and the live verifier use too): a request is limited by the strictest
blocking rate rule whose statement is certainly true for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Optional

from objectos_core.limits import DEFAULT_EVALUATION_WINDOW
from objectos_core.waf_rules import BUCKET_TEXT, SAMPLES, evaluate  # noqa: F401 (the policies read them here)
from policy.policies._props import camel_keys, elements, get, is_mapping, parse_json, strings, text

WEB_ACL = "aws:wafv2/webAcl:WebAcl"
ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation"
LOGGING = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"
RULE_GROUP = "aws:wafv2/ruleGroup:RuleGroup"


@dataclass
class RateRule:
    name: str
    limit: Any
    window: Any
    aggregate: Any
    action: str  # block | count | captcha | challenge | none
    scope_down: Any  # plain data (unknowns as UNKNOWN); None: every request counts

    @property
    def per_minute(self) -> Optional[float]:
        if not isinstance(self.limit, (int, float)):
            return None
        window = self.window if isinstance(self.window, (int, float)) else DEFAULT_EVALUATION_WINDOW
        return self.limit * 60.0 / window

    def counts(self, method: str, path: str) -> bool:
        """True when this rule certainly counts the request."""
        return self.scope_down is None or evaluate(self.scope_down, method, path) is True


def rules_of(props: Any) -> list[Any]:
    """The ACL's rules in camelCase, from `rules` or from `ruleJson`."""
    typed = list(elements(get(props, "rules")))
    if typed:
        return typed
    parsed = parse_json(get(props, "ruleJson"))
    return list(elements(camel_keys(parsed))) if parsed is not None else []


def group_rate_rules(graph: Any, acl: Any) -> Iterator[RateRule]:
    """Rate rules of the rule groups the ACL references (ruleGroupReferenceStatement), found by dependency.

    An override action `count` on the reference turns the group's blocks into counts.
    """
    references = [r for r in rules_of(acl.props) if is_mapping(get(r, "statement", "ruleGroupReferenceStatement"))]
    if not references:
        return
    overrides = {next(iter(get(r, "overrideAction") or {"none": {}}), "none") for r in references}
    counted = overrides == {"count"}
    groups = graph.reaches(acl, {RULE_GROUP}, "rules") + graph.reaches(acl, {RULE_GROUP}, "ruleJson")
    for group in {g.urn: g for g in groups}.values():
        for rule in rate_rules(group.props):
            yield RateRule(
                name=f"{text(get(group.props, 'name')) or group.name}/{rule.name}",
                limit=rule.limit,
                window=rule.window,
                aggregate=rule.aggregate,
                action="count" if counted else rule.action,
                scope_down=rule.scope_down,
            )


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
            scope_down=camel_keys(scope) if is_mapping(scope) else None,  # a plain copy: proxies may raise
        )


def redacted_headers(logging_props: Any) -> set[str]:
    return {
        str(get(f, "singleHeader", "name")).lower()
        for f in elements(get(logging_props, "redactedFields"))
        if text(get(f, "singleHeader", "name"))
    }


def destinations(logging_props: Any) -> list[str]:
    return strings(get(logging_props, "logDestinationConfigs"))
