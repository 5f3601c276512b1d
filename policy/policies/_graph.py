"""The stack as a graph: resources by type, and who depends on whom.

Stack policies link resources through the dependencies the engine records
(`webAclId` depends on the web ACL, the HSTS header on the certificate
validation) rather than through values such as ARNs, which are unknown
during a first `pulumi preview`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from functools import cached_property
from typing import Any, Optional

from pulumi_policy import PolicyResource


def qualified_types(urn: str) -> list[str]:
    """The type chain in a URN: parent component types, then the resource's own type."""
    parts = urn.split("::")
    return parts[2].split("$") if len(parts) >= 4 else []


def under(urn: str, component_type: str) -> bool:
    """True when the resource sits (at any depth) inside a component of this type."""
    return component_type in qualified_types(urn)[:-1]


class Graph:
    """An index of the stack's resources, built once per stack policy run."""

    def __init__(self, resources: Iterable[PolicyResource]):
        self.resources = list(resources)
        # Each index is built on first use: every stack policy gets its own graph, and most use one or two.
        self._users: Optional[dict[str, list[tuple[Optional[str], PolicyResource]]]] = None
        self._holders: dict[tuple, dict[str, list[PolicyResource]]] = {}

    @cached_property
    def by_urn(self) -> dict[str, PolicyResource]:
        return {r.urn: r for r in self.resources}

    @cached_property
    def _by_type(self) -> dict[str, list[PolicyResource]]:
        index: dict[str, list[PolicyResource]] = defaultdict(list)
        for resource in self.resources:
            index[resource.resource_type].append(resource)
        return index

    def of_type(self, *types: str) -> list[PolicyResource]:
        found: list[PolicyResource] = []
        for type_ in types:
            found += self._by_type.get(type_, [])
        return found

    def direct(self, resource: PolicyResource, prop: Optional[str] = None) -> list[PolicyResource]:
        """What `resource` depends on: through one property, or through any property and depends_on."""
        if prop is not None:
            return list(resource.property_dependencies.get(prop, []))
        found = {d.urn: d for d in resource.dependencies}
        for deps in resource.property_dependencies.values():
            found.update({d.urn: d for d in deps})
        return list(found.values())

    def reaches(
        self, resource: PolicyResource, target_types: set[str], prop: Optional[str] = None
    ) -> list[PolicyResource]:
        """Resources of `target_types` that `resource` waits for, directly or through others.

        `prop` limits the first step to one property; later steps follow every dependency,
        since waiting for anything that waits for the target is waiting for the target.
        """
        found: dict[str, PolicyResource] = {}
        seen: set[str] = set()
        frontier = self.direct(resource, prop)
        while frontier:
            step = frontier.pop()
            if step.urn in seen:
                continue
            seen.add(step.urn)
            if step.resource_type in target_types:
                found[step.urn] = step
            frontier.extend(self.direct(step))
        return list(found.values())

    def holders(
        self, target: PolicyResource, holder_types: Iterable[str], prop: str, target_types: Iterable[str]
    ) -> list[PolicyResource]:
        """Resources of `holder_types` whose `prop` leads (directly or through others) to `target`, in stack order.

        The same answer as asking `reaches` of every holder, but each holder's walk runs once per stack:
        a policy pairing every bucket with every public access block stays linear in the stack's size.
        """
        key = (tuple(holder_types), prop, frozenset(target_types))
        index = self._holders.get(key)
        if index is None:
            index = self._holders[key] = defaultdict(list)
            for holder in self.of_type(*key[0]):
                for reached in self.reaches(holder, set(key[2]), prop):
                    index[reached.urn].append(holder)
        return list(index.get(target.urn, []))

    def dependents(
        self, target: PolicyResource, types: Iterable[str], prop: Optional[str] = None
    ) -> list[PolicyResource]:
        """Resources of `types` that depend directly on `target` (through `prop` when given)."""
        if self._users is None:
            self._users = defaultdict(list)
            for resource in self.resources:
                for dep in resource.dependencies:
                    self._users[dep.urn].append((None, resource))
                for key, deps in resource.property_dependencies.items():
                    for dep in deps:
                        self._users[dep.urn].append((key, resource))
        wanted = set(types)
        found = {
            user.urn: user
            for key, user in self._users.get(target.urn, [])
            if user.resource_type in wanted and (prop is None or key == prop)
        }
        return list(found.values())


def urn_of(resource: Any) -> str:
    return getattr(resource, "urn", "") or ""
