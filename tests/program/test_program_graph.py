"""The program's resource graph keeps every resource's logical name, type and parent.

A URN is a resource's identity to the engine: a changed name, type or parent
replaces the resource (a new KMS key, an emptied vault). `data/graph-urns.json`
holds (urn, type, parent) of every resource of the three committed stacks; a
change that means to alter them regenerates it with
`python -m tests.program.test_program_graph` and says so in the CHANGELOG.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

RECORD = Path(__file__).resolve().parents[1] / "data" / "graph-urns.json"
STACKS = ("dev", "staging", "prod")


def recorded() -> dict[str, list[list[str]]]:
    return json.loads(RECORD.read_text(encoding="utf-8"))


def graph_of(result) -> list[list[str]]:
    """(urn, type, parent) of every resource, sorted: registration order varies from run to run."""
    return sorted([r.urn, r.type, r.parent] for r in result.resources)


@pytest.mark.parametrize("stack", STACKS)
def test_the_preview_registers_the_recorded_resources(previews, stack):
    assert graph_of(previews(stack).result) == recorded()[stack]


@pytest.mark.parametrize("stack", STACKS)
def test_build_declares_the_recorded_resources_from_settings_alone(stack):
    from golive.program import PROJECT
    from program import build
    from settings.load import validate
    from testing.runner import run_callable
    from tests.conftest import stack_config

    config = stack_config(stack)
    settings = validate(config)
    outputs: dict = {}
    result = run_callable(stack, {"aws:region": settings.region}, [], lambda: outputs.update(build(settings)), PROJECT)
    assert graph_of(result) == recorded()[stack]
    assert set(result.outputs) == {name for name, value in outputs.items() if value is not None}  # None is not exported
    assert outputs["url"] == settings.public_url


def _write() -> None:
    from golive.program import run_program
    from tests.conftest import stack_config

    found = {}
    for stack in STACKS:
        engine_config, secret_keys = stack_config(stack).engine_config()
        found[stack] = graph_of(run_program(stack, engine_config, secret_keys))
    lines = ["{"]
    for index, stack in enumerate(STACKS):
        rows = ",\n".join("    " + json.dumps(row) for row in found[stack])
        lines.append(f'  "{stack}": [\n{rows}\n  ]' + ("," if index < len(STACKS) - 1 else ""))
    RECORD.write_text("\n".join(lines) + "\n}\n", encoding="utf-8")
    print(f"wrote {RECORD}: " + ", ".join(f"{s} {len(found[s])}" for s in STACKS), file=sys.stderr)


if __name__ == "__main__":
    _write()
