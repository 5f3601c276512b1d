"""A picture of the stack: components as clusters, dependencies as edges, the critical path highlighted."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import Optional, TextIO

from golive import outputs
from golive.critical_path import CriticalPath, nodes_from
from testing.runner import RunResult

DOT_SUFFIXES = (".dot", ".gv")  # any other file name gets Mermaid


def _label(registration) -> str:
    kind = registration.type.split(":")[-1]
    return f"{registration.name}\\n{kind}"


def _edges(result: RunResult) -> list[tuple[str, str]]:
    """Dependencies between resources (components only group, so they draw as clusters)."""
    custom = {r.urn for r in result.resources if r.custom}
    return [
        (dep, node.urn)
        for node in nodes_from(result.resources)
        if node.urn in custom
        for dep in node.dependencies
        if dep in custom and dep != node.urn
    ]


def _stable_ids(result: RunResult) -> dict[str, str]:
    """Ids by URN order: registration order varies from run to run, the picture must not."""
    return {urn: f"r{index}" for index, urn in enumerate(sorted(r.urn for r in result.resources))}


def to_dot(result: RunResult, path: CriticalPath) -> str:
    ids = _stable_ids(result)
    on_path = set(path.urns)
    path_edges = set(zip(path.urns, path.urns[1:], strict=False))
    children: dict[str, list] = {}
    for r in sorted(result.resources, key=lambda r: r.urn):
        children.setdefault(r.parent, []).append(r)
    lines = [
        "digraph objectos {",
        "  rankdir=LR;",
        '  node [shape=box, style="rounded", fontname="Helvetica", fontsize=10];',
    ]

    def emit(parent: str, indent: str) -> None:
        for r in children.get(parent, []):
            if r.custom:
                style = ', color="#d62728", penwidth=2' if r.urn in on_path else ""
                lines.append(f'{indent}{ids[r.urn]} [label="{_label(r)}"{style}];')
            elif r.type != "pulumi:pulumi:Stack":
                lines.append(f"{indent}subgraph cluster_{ids[r.urn]} {{")
                lines.append(f'{indent}  label="{r.name} ({r.type.split(":")[-1]})"; style="rounded,dashed";')
                emit(r.urn, indent + "  ")
                lines.append(f"{indent}}}")
            else:
                emit(r.urn, indent)

    emit("", "  ")
    for source, target in _edges(result):
        style = ' [color="#d62728", penwidth=2]' if (source, target) in path_edges else ""
        lines.append(f"  {ids[source]} -> {ids[target]}{style};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_mermaid(result: RunResult, path: CriticalPath) -> str:
    ids = _stable_ids(result)
    children: dict[str, list] = {}
    for r in sorted(result.resources, key=lambda r: r.urn):
        children.setdefault(r.parent, []).append(r)
    lines = ["flowchart LR"]

    def emit(parent: str, indent: str) -> None:
        for r in children.get(parent, []):
            if r.custom:
                lines.append(f'{indent}{ids[r.urn]}["{r.name}<br/>{r.type.split(":")[-1]}"]')
            elif r.type != "pulumi:pulumi:Stack":
                lines.append(f'{indent}subgraph {ids[r.urn]}["{r.name}"]')
                emit(r.urn, indent + "  ")
                lines.append(f"{indent}end")
            else:
                emit(r.urn, indent)

    emit("", "  ")
    for source, target in _edges(result):
        lines.append(f"  {ids[source]} --> {ids[target]}")
    lines.append("  classDef critical stroke:#d62728,stroke-width:3px")
    for urn in path.urns:
        lines.append(f"  class {ids[urn]} critical")
    return "\n".join(lines) + "\n"


def write_graph(
    result: RunResult, path: CriticalPath, target: Path, detail: str = "resources", stdout: Optional[TextIO] = None
) -> str:
    """Write DOT for .dot/.gv, Mermaid otherwise (and for `-`, stdout); returns the format written."""
    if detail == "components":
        text, kind = to_mermaid_components(result, path), "mermaid (components)"
    elif target.suffix in DOT_SUFFIXES:
        text, kind = to_dot(result, path), "dot"
    else:
        text, kind = to_mermaid(result, path), "mermaid"
    outputs.write(target, text, stdout or sys.stdout)
    return kind


def _top_level(result: RunResult) -> dict[str, str]:
    """Each resource's outermost component below the stack (or itself at the top)."""
    by_urn = result.by_urn
    top: dict[str, str] = {}
    for r in result.resources:
        cursor = r
        while cursor.parent and cursor.parent in by_urn and by_urn[cursor.parent].type != "pulumi:pulumi:Stack":
            cursor = by_urn[cursor.parent]
        top[r.urn] = cursor.urn
    return top


def to_mermaid_components(result: RunResult, path: CriticalPath) -> str:
    """One box per top-level component; an edge where anything inside one waits for the other."""
    top = _top_level(result)
    by_urn = result.by_urn
    shown = sorted(
        (
            r
            for r in result.resources
            if r.type != "pulumi:pulumi:Stack" and top[r.urn] == r.urn and not r.type.startswith("pulumi:providers:")
        ),
        key=lambda r: (r.type, r.name),
    )
    ids = {r.urn: f"c{index}" for index, r in enumerate(shown)}
    resources_inside = Counter(t for urn, t in top.items() if by_urn[urn].custom)
    lines = ["flowchart LR"]
    for r in shown:
        inside = resources_inside[r.urn]
        kind = r.type.split(":")[-1]
        lines.append(f'  {ids[r.urn]}["{kind}<br/>{r.name} ({inside})"]')
    edges = sorted(
        {(top[a], top[b]) for a, b in _edges(result) if top[a] != top[b] and top[a] in ids and top[b] in ids},
        key=lambda e: (int(ids[e[0]][1:]), int(ids[e[1]][1:])),
    )
    for source, target in edges:
        lines.append(f"  {ids[source]} --> {ids[target]}")
    critical = sorted({top[u] for u in path.urns if top.get(u) in ids}, key=lambda u: int(ids[u][1:]))
    lines.append("  classDef critical stroke:#d62728,stroke-width:3px")
    for urn in critical:
        lines.append(f"  class {ids[urn]} critical")
    return "\n".join(lines) + "\n"
