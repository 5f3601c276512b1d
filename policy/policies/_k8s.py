"""Kubernetes workloads as the analyzer sees them: pod specs, containers, env."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from policy.policies._props import UNKNOWN, elements, get, is_mapping, text

_POD_SPEC_PATHS: dict[str, tuple] = {
    "apps/v1:Deployment": ("spec", "template", "spec"),
    "apps/v1:StatefulSet": ("spec", "template", "spec"),
    "apps/v1:DaemonSet": ("spec", "template", "spec"),
    "apps/v1:ReplicaSet": ("spec", "template", "spec"),
    "batch/v1:Job": ("spec", "template", "spec"),
    "batch/v1:CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
    "core/v1:Pod": ("spec",),
}

INGRESS = "kubernetes:networking.k8s.io/v1:Ingress"
SECRET = "kubernetes:core/v1:Secret"
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"


def pod_spec_path(resource_type: str) -> tuple | None:
    """Where a workload type keeps its pod spec; None for other types."""
    if not resource_type.startswith("kubernetes:"):
        return None
    return _POD_SPEC_PATHS.get(resource_type.split(":", 1)[1])


def is_workload(resource_type: str) -> bool:
    return pod_spec_path(resource_type) is not None


@dataclass(frozen=True)
class Container:
    name: str
    image: Any  # str, or UNKNOWN during preview
    entries: tuple[tuple[str, Any], ...]  # every env entry in order, duplicates included

    @cached_property
    def env(self) -> Mapping[str, Any]:
        """Env var name -> its effective entry ({value} or {valueFrom}); the last one wins, as in Kubernetes."""
        return dict(self.entries)

    def literals(self) -> Iterator[tuple[str, Any]]:
        """(name, literal value) of every entry with a value, duplicates included."""
        for name, entry in self.entries:
            value = get(entry, "value")
            if value is not None:
                yield name, value

    @property
    def runs_objectos(self) -> bool:
        """The ObjectOS runtime reads OS_* variables; any container given one is running it."""
        return any(name.startswith("OS_") for name in self.env)

    def literal(self, name: str) -> Any:
        """The env var's literal value, None when unset or delivered by reference."""
        entry = self.env.get(name)
        return None if entry is None else get(entry, "value")

    def by_reference(self, name: str) -> bool:
        entry = self.env.get(name)
        return entry is not None and get(entry, "valueFrom") not in (None, UNKNOWN)


def containers(resource_type: str, props: Any) -> Iterator[Container]:
    """Every container, init container and ephemeral container of a workload."""
    path = pod_spec_path(resource_type)
    if path is None:
        return
    spec = get(props, *path)
    if not is_mapping(spec):
        return
    for key in ("initContainers", "containers", "ephemeralContainers"):
        for container in elements(get(spec, key)):
            if not is_mapping(container):
                continue
            entries = []
            for entry in elements(get(container, "env")):
                name = text(get(entry, "name"))
                if name:
                    entries.append((name, entry))
            yield Container(text(get(container, "name")) or "?", get(container, "image"), tuple(entries))


def annotations(props: Any) -> Mapping[str, Any]:
    found = get(props, "metadata", "annotations")
    return found if is_mapping(found) else {}
