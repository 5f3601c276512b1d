"""The kit's Pulumi program: validated settings in, the ObjectOS stack out.

`main()` is the only place that reads configuration (settings/engine.py); it
hands the settings to `build(settings)` (program/stack.py), which declares every
resource and exports the outputs. Tests and tools call `build` with settings of
their own. program/adapters.py maps the settings to the components' inputs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from settings.model import Settings


def build(settings: "Settings") -> dict[str, Any]:
    """Declare the stack for these settings; export and return its outputs (see program/stack.py)."""
    from program.stack import build as build_stack  # the components load only when a stack is built

    return build_stack(settings)


def main() -> None:
    """What the Pulumi engine runs: read and validate the stack's configuration, then build it."""
    from settings.engine import engine_settings

    build(engine_settings())
