"""Run the kit's real Pulumi program in-process under Pulumi's mocks (testing/)."""

from __future__ import annotations

import contextlib
import runpy
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from settings import files
from testing.runner import ProgramError, RunResult, run_callable  # noqa: F401 (the preview reads them here)

ROOT = Path(__file__).resolve().parent.parent


_PROJECT_FILE: dict[str, Any] = files.load_yaml(ROOT / "Pulumi.yaml") or {}
# As the Pulumi CLI reads them: the project's name, and the folder of its stack files.
PROJECT: str = _PROJECT_FILE["name"]
STACKS_DIR = ROOT / _PROJECT_FILE.get("stackConfigDir", ".")


def run_program(
    stack: str,
    config: Mapping[str, str],
    secret_keys: Sequence[str],
    program: Path = ROOT / "__main__.py",
) -> RunResult:
    """Run `program` as `pulumi preview` would, with mocks in place of the engine."""

    def body() -> None:
        runpy.run_path(str(program), run_name="__main__")

    with _program_path(program.parent):
        return run_callable(stack, config, secret_keys, body, project=PROJECT)


@contextlib.contextmanager
def _program_path(directory: Path):
    """Make the program's own folder importable, as the Python language host does."""
    entry = str(directory)
    added = entry not in sys.path
    if added:
        sys.path.insert(0, entry)
    try:
        yield
    finally:
        if added:
            sys.path.remove(entry)
