"""Building the argument objects the policy SDK hands a policy, for the policy tests.

Properties go through the SDK's own unknown-checking proxy, as in the analyzer,
so a policy that treats them as plain dicts fails here too.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any, Optional

from pulumi_policy import (
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    StackValidationArgs,
)
from pulumi_policy.deserialize import deserialize_properties
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError, unknown_checking_proxy

UNKNOWN = UNKNOWN_STRING_VALUE  # what an output that is not known yet looks like to a policy


def urn(type_: str, name: str, parents: Iterable[str] = ()) -> str:
    chain = "$".join([*parents, type_])
    return f"urn:pulumi:prod::objectos::{chain}::{name}"


def _options(protect: bool, parent: Optional[str]) -> PolicyResourceOptions:
    return PolicyResourceOptions(protect, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], parent)


def _props(props: Mapping[str, Any]) -> Any:
    return unknown_checking_proxy(deserialize_properties(copy.deepcopy(dict(props))))


def resource_args(
    type_: str,
    props: Mapping[str, Any],
    name: str = "res",
    protect: bool = False,
    config: Optional[Mapping[str, Any]] = None,
    parents: Iterable[str] = (),
) -> ResourceValidationArgs:
    return ResourceValidationArgs(
        type_, _props(props), urn(type_, name, parents), name, _options(protect, None), None, config
    )


class Stack:
    """A stack's resources with their dependencies, for StackValidationArgs."""

    def __init__(self) -> None:
        self.resources: list[PolicyResource] = []

    def add(
        self,
        type_: str,
        name: str,
        props: Mapping[str, Any],
        *,
        depends_on: Iterable[PolicyResource] = (),
        props_from: Optional[Mapping[str, Iterable[PolicyResource]]] = None,
        parents: Iterable[str] = (),
        protect: bool = False,
    ) -> PolicyResource:
        resource = PolicyResource(
            type_,
            _props(props),
            urn(type_, name, parents),
            name,
            _options(protect, None),
            None,
            None,
            list(depends_on),
            {key: list(deps) for key, deps in (props_from or {}).items()},
        )
        self.resources.append(resource)
        return resource

    def args(self, config: Optional[Mapping[str, Any]] = None) -> StackValidationArgs:
        """The stack for a stack policy, judged as a stack that runs ObjectOS unless `objectosStack` says otherwise."""
        return StackValidationArgs(self.resources, {"objectosStack": "yes", **(config or {})})


def violations(policy: Any, args: Any) -> list[str]:
    """The messages the policy reports for these arguments."""
    found: list[tuple[str, Optional[str]]] = []
    policy.validate(args, lambda message, urn=None: found.append((message, urn)))
    return [message for message, _ in found]


def judged(policy: Any, args: Any) -> tuple[list[str], str]:
    """The messages the policy reports, and its note of what it needed but could not know ("" when none)."""
    found: list[str] = []
    try:
        policy.validate(args, lambda message, urn=None: found.append(message))
    except UnknownValueError as note:
        return found, note.message
    return found, ""


def violating_urns(policy: Any, args: Any) -> list[Optional[str]]:
    found: list[Optional[str]] = []
    policy.validate(args, lambda message, urn=None: found.append(urn))
    return found
