"""Run the kit's real Pulumi program in-process under Pulumi's mocks."""

from __future__ import annotations

import contextlib
from collections import Counter
import logging
import os
import runpy
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import pulumi
import yaml
from pulumi.runtime import config as runtime_config
from pulumi.runtime import settings as runtime_settings
from pulumi.runtime.stack import run_in_stack
from pulumi.runtime.sync_await import _sync_await

from golive.mocks import KitMocks, RecordingMonitor, Registration

ROOT = Path(__file__).resolve().parent.parent


_PROJECT_FILE: dict[str, Any] = yaml.safe_load((ROOT / "Pulumi.yaml").read_text(encoding="utf-8")) or {}
# As the Pulumi CLI reads them: the project's name, and the folder of its stack files.
PROJECT: str = _PROJECT_FILE["name"]
STACKS_DIR = ROOT / _PROJECT_FILE.get("stackConfigDir", ".")


class ProgramError(Exception):
    """The program stopped with an error the engine would have shown."""


@dataclass
class RunResult:
    stack: str
    resources: list[Registration]  # in registration order, the stack first
    outputs: dict[str, Any]
    messages: list[tuple[str, str]] = field(default_factory=list)  # (severity, text) logged by the program
    duplicate_urns: list[str] = field(default_factory=list)

    @property
    def by_urn(self) -> dict[str, Registration]:
        return {r.urn: r for r in self.resources}


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[tuple[str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.WARNING:
            self.records.append((record.levelname.lower(), record.getMessage()))


def run_program(
    stack: str,
    config: Mapping[str, str],
    secret_keys: Sequence[str],
    program: Path = ROOT / "__main__.py",
) -> RunResult:
    """Run `program` as `pulumi preview` would, with mocks in place of the engine."""
    with _program_path(program.parent):
        return run_callable(stack, config, secret_keys, lambda: runpy.run_path(str(program), run_name="__main__"))


def run_callable(
    stack: str,
    config: Mapping[str, str],
    secret_keys: Sequence[str],
    body: Callable[[], Any],
) -> RunResult:
    """Run `body` (a program, or a few components in a test) under the recording mocks."""
    region = config.get("aws:region", "us-east-1")
    mocks = KitMocks(region)
    monitor = RecordingMonitor(mocks)
    logger = logging.getLogger(f"golive.program.{stack}")
    logger.propagate = False
    collect = _Collect()
    logger.addHandler(collect)
    try:
        with _isolated_runtime():
            pulumi.runtime.set_mocks(mocks, project=PROJECT, stack=stack, preview=True, monitor=monitor, logger=logger)
            runtime_config.set_all_config(dict(config), secret_keys=list(secret_keys))
            runtime_settings.set_root_resource(None)  # run_in_stack makes the program's own root stack
            try:
                _sync_await(run_in_stack(body))
            except pulumi.RunError as exc:
                raise ProgramError(str(exc)) from None
    finally:
        logger.removeHandler(collect)  # a failed run must not leave its collector on the shared logger
    resources = [monitor.registrations[urn] for urn in dict.fromkeys(monitor.order)]
    duplicates = sorted(urn for urn, seen in Counter(monitor.order).items() if seen > 1)
    stack_outputs = resources[0].outputs if resources and resources[0].type == "pulumi:pulumi:Stack" else {}
    return RunResult(stack, resources, stack_outputs, collect.records, duplicates)


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


@contextlib.contextmanager
def _isolated_runtime():
    """Give each run a clean Pulumi runtime and leave no config behind."""
    saved_env = {k: os.environ.pop(k) for k in list(os.environ) if k.startswith("PULUMI_CONFIG")}
    runtime_settings.SETTINGS.rpc_manager.clear()
    runtime_settings.SETTINGS.outputs.clear()
    runtime_settings.set_root_resource(None)
    try:
        yield
    finally:
        runtime_config.set_all_config({}, secret_keys=[])
        runtime_settings.set_root_resource(None)
        os.environ.update(saved_env)
