"""The preview's plan: the recorded graph as JSON-ready data with every secret redacted."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from testing.mocks import Registration, Secret, Unknown
from testing.runner import RunResult

REDACTED = "[secret]"
UNKNOWN_TEXT = "[unknown]"
MIN_LEAK_LENGTH = 8  # shorter plaintexts ("true", "8080") would match by chance


def redact(value: Any, secrets: frozenset[str] = frozenset()) -> Any:
    """Secrets -> "[secret]", unknowns -> "[unknown]", and any known secret text cut out of plain strings."""
    if isinstance(value, Secret):
        return REDACTED
    if isinstance(value, Unknown):
        return UNKNOWN_TEXT
    if isinstance(value, dict):
        return {k: redact(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v, secrets) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and secrets:
        for secret in secrets:
            if secret in value:
                value = value.replace(secret, REDACTED)
    return value


def secret_texts(result: RunResult, extra: Iterable[str] = ()) -> frozenset[str]:
    """Every plaintext the run holds as secret (config and resource values)."""
    found: set[str] = {s for s in extra if len(s) >= MIN_LEAK_LENGTH}

    def walk(value: Any, inside: bool) -> None:
        if isinstance(value, Secret):
            walk(value.value, True)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v, inside)
        elif isinstance(value, list):
            for v in value:
                walk(v, inside)
        elif inside and isinstance(value, str) and len(value) >= MIN_LEAK_LENGTH:
            found.add(value)

    for registration in result.resources:
        walk(registration.inputs, False)
        walk(registration.outputs, False)
    return frozenset(found)


@dataclass(frozen=True)
class Leak:
    urn: str
    path: str


def find_leaks(result: RunResult, secrets: frozenset[str]) -> list[Leak]:
    """Places where a secret's plaintext sits in a value not marked secret."""
    leaks: list[Leak] = []

    def walk(urn: str, value: Any, path: str) -> None:
        if isinstance(value, Secret):
            return
        if isinstance(value, dict):
            for k, v in value.items():
                walk(urn, v, f"{path}.{k}" if path else k)
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(urn, v, f"{path}[{i}]")
        elif isinstance(value, str) and any(s in value for s in secrets):
            leaks.append(Leak(urn, path))

    for registration in result.resources:
        walk(registration.urn, registration.inputs, "")
    return leaks


@dataclass
class Plan:
    stack: str
    resources: list[dict[str, Any]]
    outputs: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"stack": self.stack, "resources": self.resources, "outputs": self.outputs}


def resource_entry(registration: Registration, secrets: frozenset[str]) -> dict[str, Any]:
    dependencies = list(registration.dependencies)
    for urns in registration.property_dependencies.values():
        dependencies += [u for u in urns if u not in dependencies]
    return {
        "urn": registration.urn,
        "type": registration.type,
        "name": registration.name,
        "parent": registration.parent or None,
        "dependencies": dependencies,
        "propertyDependencies": registration.property_dependencies,
        "protect": registration.protect,
        "retainOnDelete": registration.retain_on_delete,
        "inputs": redact(registration.inputs, secrets),
    }


def build_plan(result: RunResult, secrets: frozenset[str]) -> Plan:
    return Plan(
        stack=result.stack,
        resources=[resource_entry(r, secrets) for r in result.resources],
        outputs=redact(result.outputs, secrets),
    )


# --- views for the printed summary ----------------------------------------------


def tree(result: RunResult) -> list[tuple[int, Registration]]:
    """(depth, resource) in registration order below their parents."""
    children: dict[str, list[Registration]] = defaultdict(list)
    roots = []
    known = {r.urn for r in result.resources}
    for registration in sorted(result.resources, key=lambda r: r.urn):  # stable across runs
        if registration.parent and registration.parent in known:
            children[registration.parent].append(registration)
        else:
            roots.append(registration)
    ordered: list[tuple[int, Registration]] = []

    def visit(node: Registration, depth: int) -> None:
        ordered.append((depth, node))
        for child in children.get(node.urn, []):
            visit(child, depth + 1)

    for root in roots:
        visit(root, 0)
    return ordered


def counts_by_type(result: RunResult) -> list[tuple[str, int]]:
    counts = Counter(r.type for r in result.resources if r.custom)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))
