"""Run a Pulumi program, or a few components, in-process under the recording mocks.

The offline preview (golive) and the component tests share this: a clean Pulumi
runtime per run, `KitMocks` for the providers, `RecordingMonitor` for what the
engine would see, and the program's warnings collected.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi.runtime import config as runtime_config
from pulumi.runtime import settings as runtime_settings
from pulumi.runtime.stack import run_in_stack
from pulumi.runtime.sync_await import _sync_await

from testing.mocks import KitMocks, RecordingMonitor, Registration

DEFAULT_PROJECT = "objectos"


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


def run_callable(
    stack: str,
    config: Mapping[str, str],
    secret_keys: Sequence[str],
    body: Callable[[], Any],
    project: str = DEFAULT_PROJECT,
) -> RunResult:
    """Run `body` (a program, or a few components in a test) under the recording mocks."""
    region = config.get("aws:region", "us-east-1")
    mocks = KitMocks(region)
    monitor = RecordingMonitor(mocks)
    logger = logging.getLogger(f"testing.runner.{stack}")
    logger.propagate = False
    collect = _Collect()
    logger.addHandler(collect)
    try:
        with _isolated_runtime():
            pulumi.runtime.set_mocks(mocks, project=project, stack=stack, preview=True, monitor=monitor, logger=logger)
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
