"""The real runtime for the rehearsal's tests: installed by `make runtime`, else a skip (a failure under CI=true)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from golive.rehearse.install import Installation, installation, missing
from golive.rehearse.runtime import compile_artifact
from tests.conftest import ROOT

APP = ROOT / "tests" / "data" / "rehearsal-app"


def require(reason: str | None) -> None:
    """Skip with the reason, or fail under CI=true so the rehearsal cannot silently vanish."""
    if reason is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"the rehearsal's runtime tests cannot run in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def runtime() -> Installation:
    require(missing())
    return installation()


@pytest.fixture(scope="session")
def app_artifact(runtime: Installation, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/data/rehearsal-app compiled by the runtime's own `os compile`."""
    project = tmp_path_factory.mktemp("rehearsal-app")
    shutil.copy(APP / "objectstack.config.ts", project)
    return compile_artifact(runtime, project)
