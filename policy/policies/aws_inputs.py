"""aws-inputs-valid: every AWS input passes the rules AWS's own API applies to it.

Pulumi's mocks (and `pulumi preview`) accept any value; AWS refuses a request whose
member breaks its model's pattern, length, range or enum. The rules come from botocore's
service models through policy/api_rules (the mapping says which member each input
becomes). A value unknown until deploy is not judged: the policy judges every known
value first, then names what it could not judge in the SDK's preview note.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from pulumi_policy import Severity
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError

from policy.api_rules.check import UNKNOWN, Secret, check
from policy.enforcement import NOT_JUDGED
from policy.policies._base import Config, Report, stack_policy
from policy.policies._graph import Graph
from policy.policies._props import _UNKNOWN_SENTINELS

try:
    from pulumi_policy.secret import Secret as _PolicySecret
except ImportError:  # pragma: no cover
    _PolicySecret = ()  # type: ignore[assignment]

_MAX_DEPTH = 64


def plain(value: Any, depth: int = 0) -> Any:
    """The analyzer's proxied properties as plain data: unknowns as UNKNOWN, secrets wrapped."""
    if depth > _MAX_DEPTH:
        return UNKNOWN
    if _PolicySecret and isinstance(value, _PolicySecret):
        return Secret(plain(value.value, depth + 1))
    if isinstance(value, str):
        return UNKNOWN if value in _UNKNOWN_SENTINELS else value
    if isinstance(value, (int, float, bool)) or value is None:
        return value
    if isinstance(value, Mapping):
        result = {}
        for key in list(value):
            try:
                result[key] = plain(value[key], depth + 1)
            except UnknownValueError:
                result[key] = UNKNOWN
        return result
    if isinstance(value, Sequence) and not isinstance(value, (bytes, bytearray)):
        result_list = []
        for index in range(len(value)):
            try:
                result_list.append(plain(value[index], depth + 1))
            except UnknownValueError:
                result_list.append(UNKNOWN)
        return result_list
    return value


def not_judged_note(unknown: list[str], unmapped_types: Counter, not_checked: list[str]) -> str:
    """The preview note: what the policy judged no verdict on, and why (never a failure)."""
    parts = []
    if unknown:
        parts.append(f"{len(unknown)} value(s) unknown until deploy: {', '.join(unknown)}")
    if unmapped_types:
        listed = ", ".join(f"{t} ({n})" for t, n in sorted(unmapped_types.items()))
        parts.append(f"{sum(unmapped_types.values())} resource(s) of types with no API-rules mapping: {listed}")
    if not_checked:
        parts.append(f"{len(not_checked)} rule(s) not checked: {'; '.join(not_checked)}")
    return f"{NOT_JUDGED}{'; '.join(parts)}"


def _aws_inputs(graph: Graph, config: Config, report: Report) -> None:
    unknown: list[str] = []
    unmapped_types: Counter = Counter()
    not_checked: list[str] = []
    for resource in graph.resources:
        kind = resource.resource_type
        if not kind.startswith("aws:"):
            continue
        try:
            outcome = check(kind, plain(resource.props))
        except Exception as exc:  # odd input is a finding on the resource, never a crash of the pack
            report(f"{resource.name}: its inputs could not be read against AWS's rules ({exc})", resource.urn)
            continue
        if outcome is None:
            unmapped_types[kind] += 1
            continue
        for violation in outcome.violations:
            report(violation.message(resource.name), resource.urn)
        unknown += [f"{resource.name}.{path}" for path in outcome.not_judged]
        not_checked += [
            f"{n.source}: {n.reason}" for n in outcome.not_checked if f"{n.source}: {n.reason}" not in not_checked
        ]
    if unknown or unmapped_types or not_checked:
        note = UnknownValueError(UNKNOWN_STRING_VALUE, [])
        note.message = not_judged_note(unknown, unmapped_types, not_checked)
        raise note  # the SDK reports it as an advisory note, after the violations above


aws_inputs_valid = stack_policy(
    "aws-inputs-valid",
    "Every AWS resource input must pass the rules AWS's API applies to it (pattern, length, range, enum, "
    "required), read from botocore's service models: a value AWS refuses fails the deployment midway.",
    Severity.HIGH,
    _aws_inputs,
    tags=["aws", "api"],
)

POLICIES = [aws_inputs_valid]
