"""How a policy's check is run: unwatched first, watched only to pin what made it raise.

Every policy's check goes through `_base._judge`. A run that raises nothing reads the
properties as the analyzer handed them (wrapping every resource for each of the 18 stack
policies was a pass over the whole stack per policy); a run that raises on odd input is run
again with every read watched, so the finding still names the resource and the property.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import Severity

from policy.policies._base import resource_policy, stack_policy
from policy.policies._props import get
from tests.policykit import Stack, judged, resource_args, violations

BUCKET = "aws:s3/bucket:Bucket"


def _port_check(seen: list):
    """A stack check that reads every bucket's `port`, records what it was handed, and fails port 23."""

    def check(graph: Any, settings: Any, report: Any) -> None:
        for resource in graph.of_type(BUCKET):
            seen.append((resource.name, resource.props))
            port = get(resource.props, "port")  # absent once the watched run has set an odd value aside
            if port is not None and int(port) == 23:  # int("telnet") raises: odd input
                report(f"{resource.name}: port 23", resource.urn)

    return check


def _stack(*ports: Any) -> Stack:
    stack = Stack()
    for i, port in enumerate(ports):
        stack.add(BUCKET, f"b{i}", {"port": port})
    return stack


def test_a_run_that_raises_nothing_reads_the_analyzers_own_properties():
    seen: list = []
    policy = stack_policy("tls-at-edge", "ports", Severity.HIGH, _port_check(seen))
    stack = _stack(80, 23)
    handed = {r.name: r.props for r in stack.resources}
    assert violations(policy, stack.args()) == ["b1: port 23"]
    assert [(name, props is handed[name]) for name, props in seen] == [("b0", True), ("b1", True)]


def test_odd_input_is_run_again_watched_and_pinned_to_the_resource_and_property():
    seen: list = []
    policy = stack_policy("tls-at-edge", "ports", Severity.HIGH, _port_check(seen))
    stack = _stack(23, "telnet", 80)
    handed = [r.props for r in stack.resources]
    found = violations(policy, stack.args())
    assert found[0].startswith("b1: port is the string 'telnet', which this policy cannot read (ValueError")
    assert found[1:] == ["b0: port 23"]  # the rerun without the odd value still judges the rest
    # The first run read the analyzer's objects; the watched runs read wrappers; afterwards each
    # resource holds what the analyzer gave it again.
    assert seen[0][1] is handed[0] and not any(props is handed[0] for _, props in seen[2:])
    assert all(isinstance(props, Mapping) for _, props in seen)
    assert all(r.props is props for r, props in zip(stack.resources, handed, strict=True))


def test_a_value_unknown_at_preview_ends_the_run_with_its_note_on_either_path():
    def check(args: Any, settings: Any, report: Any) -> None:
        if not report.known(get(args.props, "port"), "port"):
            return
        report("judged")

    policy = resource_policy("tls-at-edge", "ports", Severity.HIGH, check, types=[BUCKET])
    found, note = judged(policy, resource_args(BUCKET, {"port": "04da6b54-80e4-46f7-96ec-b56ff0331ba9"}))
    assert found == [] and "port" in note
    assert judged(policy, resource_args(BUCKET, {"port": 80})) == (["judged"], "")


def test_a_check_that_raises_with_nothing_read_is_one_finding_on_the_stack():
    def check(graph: Any, settings: Any, report: Any) -> None:
        raise RuntimeError("no reads")

    policy = stack_policy("tls-at-edge", "nothing", Severity.HIGH, check)
    assert violations(policy, _stack(80).args()) == ["the policy could not judge the stack (RuntimeError: no reads)"]
