"""Whether the pack judged a user's program as an ObjectOS stack, for the preview's summary.

The ObjectOS stack policies require the kit's parts (an edge, a WAF, a backup plan...) only in a
stack that runs ObjectOS. Each decides it from its `objectosStack` setting: `yes`, `no`, or
`detect` from the graph. This resolves the same pack config the pack is given and runs the same
detection (policy/policies/_base.py) on the same recorded graph, so the summary can say which way
each went and why.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Optional

from golive.analyzer import PolicyInfo, engine_properties, resolve_config
from testing.mocks import Registration

SETTING = "objectosStack"
NOT_DETECTED = "not detected (no kit component, no container with OS_* settings or the ObjectOS image)"
SHOWN_NAMES = 3  # a group of more policies than this is counted, not listed


@dataclass(frozen=True)
class StackKind:
    """How each ObjectOS stack policy that runs judged the stack: policy -> (runs ObjectOS, why)."""

    judged: Mapping[str, tuple[bool, str]]

    def applies(self, policy: str) -> bool:
        """True when `policy` required the kit's parts of this stack."""
        return self.judged.get(policy, (False, ""))[0]

    def line(self) -> str:
        """'ObjectOS stack: yes, detected (...); the 10 ObjectOS stack policies require the kit's parts'."""
        if not self.judged:
            return "ObjectOS stack: no ObjectOS stack policy runs (all disabled in the pack config)"
        groups: dict[tuple[bool, str], list[str]] = {}
        for policy, verdict in self.judged.items():
            groups.setdefault(verdict, []).append(policy)
        if len(groups) == 1:
            (runs, why), policies = next(iter(groups.items()))
            one = len(policies) == 1
            if runs:
                what = "requires the kit's parts" if one else "require the kit's parts"
            else:
                what = "judges" if one else "judge"
                what += " what the program holds, requiring none of the kit's parts"
            return f"ObjectOS stack: {_yes_no(runs)}, {why}; the {_count(policies)} {what}"
        parts = [
            f"{_yes_no(runs)} for {_names(policies)} ({why})"
            for (runs, why), policies in sorted(groups.items(), key=lambda g: (not g[0][0], g[0][1]))
        ]
        return "ObjectOS stack: set per policy: " + "; ".join(parts) + "; only a yes requires the kit's parts"


def program_stack_kind(resources: Sequence[Registration], config: Mapping[str, Any]) -> Optional[StackKind]:
    """How the running pack's ObjectOS stack policies judge a program; None when the pack did not run."""
    from golive.analyzer import AnalyzerError, shared_pack

    try:
        return stack_kind(resources, config, shared_pack().info().policies)
    except AnalyzerError:  # the checklist rows already say the pack did not run
        return None


def stack_kind(
    resources: Sequence[Registration], config: Mapping[str, Any], policies: Sequence[PolicyInfo]
) -> StackKind:
    """How the pack's ObjectOS stack policies judge these resources under this pack config."""
    resolved = resolve_config(config, policies)
    detection: Optional[tuple[bool, str]] = None
    judged: dict[str, tuple[bool, str]] = {}
    for policy in policies:
        if SETTING not in policy.config_schema:
            continue  # a resource policy: requires nothing
        level, properties = resolved[policy.name]
        if level == "disabled":
            continue
        setting = properties.get(SETTING, "detect")
        if setting in ("yes", "no"):
            judged[policy.name] = (setting == "yes", f"set by {SETTING}: {setting} in the pack config")
            continue
        detection = detection or _detect(resources)
        judged[policy.name] = detection
    return StackKind(judged)


def _detect(resources: Sequence[Registration]) -> tuple[bool, str]:
    """Whether the graph runs ObjectOS as the pack's detection reads it, and what shows it."""
    from google.protobuf import json_format
    from pulumi_policy import PolicyResource
    from pulumi_policy.deserialize import deserialize_properties
    from pulumi_policy.proxy import unknown_checking_proxy

    from policy.policies._base import objectos_evidence
    from policy.policies._graph import Graph

    graph_resources = []
    for r in resources:  # every registration, as golive/analyzer.py sends them to the pack
        props = deserialize_properties(json_format.MessageToDict(engine_properties(r.raw_inputs)))
        graph_resources.append(
            PolicyResource(r.type, unknown_checking_proxy(props), r.urn, r.name, None, None, None, [], {})
        )
    try:
        evidence = objectos_evidence(Graph(graph_resources))
    except Exception as exc:  # odd input: the pack reports it on its resource; the summary only cannot tell
        return False, f"not detected (the detection could not read the graph: {type(exc).__name__}: {exc})"
    return (False, NOT_DETECTED) if evidence is None else (True, f"detected ({evidence})")


def _yes_no(runs: bool) -> str:
    return "yes" if runs else "no"


def _count(policies: list[str]) -> str:
    return "ObjectOS stack policy" if len(policies) == 1 else f"{len(policies)} ObjectOS stack policies"


def _names(policies: list[str]) -> str:
    if len(policies) <= SHOWN_NAMES:
        return ", ".join(policies)
    return f"{len(policies)} policies"
