"""Kubernetes workloads as the analyzer sees them: pod specs, containers, env."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from policy.policies._props import UNKNOWN, elements, get, is_list, is_mapping, items, text

_POD_SPEC_PATHS: dict[str, tuple] = {
    "apps/v1:Deployment": ("spec", "template", "spec"),
    "apps/v1:StatefulSet": ("spec", "template", "spec"),
    "apps/v1:DaemonSet": ("spec", "template", "spec"),
    "apps/v1:ReplicaSet": ("spec", "template", "spec"),
    "batch/v1:Job": ("spec", "template", "spec"),
    "batch/v1:CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
    "core/v1:Pod": ("spec",),
}
_POD_SPEC_PATHS.update({f"{kind}Patch": path for kind, path in list(_POD_SPEC_PATHS.items())})  # server-side apply

ECS_TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
LAMBDA_FUNCTION = "aws:lambda/function:Function"

INGRESS = "kubernetes:networking.k8s.io/v1:Ingress"
SECRET = "kubernetes:core/v1:Secret"
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"


def pod_spec_path(resource_type: str) -> tuple | None:
    """Where a workload type keeps its pod spec; None for other types."""
    if not resource_type.startswith("kubernetes:"):
        return None
    return _POD_SPEC_PATHS.get(resource_type.split(":", 1)[1])


def is_workload(resource_type: str) -> bool:
    """A resource that runs containers with environments: Kubernetes workloads, ECS task definitions, Lambda."""
    return pod_spec_path(resource_type) is not None or resource_type in (ECS_TASK_DEFINITION, LAMBDA_FUNCTION)


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

    def from_secret_store(self, name: str) -> bool:
        """Delivered from a secret (secretKeyRef, or an ECS secret), not a literal or a ConfigMap."""
        entry = self.env.get(name)
        source = get(entry, "valueFrom") if entry is not None else None
        return is_mapping(source) and any(get(source, key) is not None for key in ("secretKeyRef", "secretStore"))


def containers(resource_type: str, props: Any) -> Iterator[Container]:
    """Every container, init container and ephemeral container of a workload (an ECS task's, a Lambda's)."""
    if resource_type == ECS_TASK_DEFINITION:
        yield from _ecs_containers(props)
        return
    if resource_type == LAMBDA_FUNCTION:
        variables = get(props, "environment", "variables")
        entries = tuple((key, {"value": value}) for key, value in items(variables))
        image = get(props, "imageUri")
        yield Container(text(get(props, "name")) or "function", image, entries)
        return
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


def _ecs_containers(props: Any) -> Iterator[Container]:
    """An ECS task definition's containers: environment values, and secrets from Secrets Manager or SSM."""
    raw = get(props, "containerDefinitions")
    if raw is None or raw is UNKNOWN:
        return
    definitions = json.loads(raw) if isinstance(raw, str) else raw
    if not is_list(definitions):
        raise ValueError("containerDefinitions is not a JSON list of container definitions")
    for definition in definitions:
        if not is_mapping(definition):
            raise ValueError("a container definition is not a JSON object")
        entries = [
            (text(get(e, "name")) or "?", {"value": get(e, "value")}) for e in elements(get(definition, "environment"))
        ]
        entries += [
            (text(get(s, "name")) or "?", {"valueFrom": {"secretStore": get(s, "valueFrom")}})
            for s in elements(get(definition, "secrets"))
        ]
        yield Container(text(get(definition, "name")) or "?", get(definition, "image"), tuple(entries))


def annotations(props: Any) -> Mapping[str, Any]:
    found = get(props, "metadata", "annotations")
    return found if is_mapping(found) else {}
