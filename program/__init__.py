"""The kit's Pulumi program: validated settings in, the ObjectOS stack out.

`main()` is the only place that reads configuration (settings/engine.py); it
hands the settings to `build(settings)` (program/stack.py), which declares every
resource and exports the outputs. Tests and tools call `build` with settings of
their own. program/adapters.py maps the settings to the components' inputs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Optional

if TYPE_CHECKING:
    from settings.model import Settings


def build(settings: Settings, aws_config: Optional[Mapping[str, str]] = None) -> dict[str, Any]:
    """Declare the stack for these settings; export and return its outputs (see program/stack.py).

    `aws_config` is the stack's `aws:*` configuration, inherited by the program's explicit providers.
    """
    from program.stack import build as build_stack  # the components load only when a stack is built

    return build_stack(settings, aws_config)


def main() -> None:
    """What the Pulumi engine runs: read and validate the stack's configuration, then build it."""
    from settings.engine import aws_provider_config, engine_settings

    build(engine_settings(), aws_provider_config())
