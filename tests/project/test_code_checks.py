"""The code checks `make check` runs catch what they are there for: each is run on a copy of
the tree, once as it is and once with a planted fault."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PACKAGES = ("objectos_core", "components", "settings", "program", "policy", "golive", "testing")


def copy_tree(target: Path, packages=PACKAGES, configs=(".importlinter", "mypy.ini", "ruff.toml")) -> Path:
    for package in packages:
        shutil.copytree(ROOT / package, target / package, ignore=shutil.ignore_patterns("__pycache__", ".venv"))
    for config in configs:
        shutil.copy(ROOT / config, target / config)
    return target


def run(tool: str, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    return subprocess.run([str(BIN / tool), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def plant(path: Path, line: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    return copy_tree(tmp_path_factory.mktemp("tree"))


def test_the_layer_contracts_hold_on_the_tree(tree):
    result = run("lint-imports", "--no-cache", cwd=tree)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "module, line, contract",
    [
        ("components/namespace.py", "import settings.model", "Components never see the kit's settings"),
        ("objectos_core/limits.py", "import pulumi", "objectos_core is standard library only"),
        ("policy/pack.py", "import components.workload", "The policy pack reads only objectos_core"),
        ("settings/model.py", "import program.stack", "The flow"),
    ],
)
def test_an_import_against_the_flow_breaks_its_contract(tmp_path, module, line, contract):
    tree = copy_tree(tmp_path)
    plant(tree / module, line)
    result = run("lint-imports", "--no-cache", cwd=tree)
    assert result.returncode == 1
    broken = [row for row in result.stdout.splitlines() if row.endswith("BROKEN")]
    assert len(broken) >= 1 and any(row.startswith(contract) for row in broken), result.stdout


def test_the_type_checker_passes_on_the_core_and_components(tree):
    result = run("mypy", "--no-incremental", "--cache-dir", os.devnull, cwd=tree)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_type_checker_catches_a_wrong_type_and_an_untyped_core_function(tmp_path):
    tree = copy_tree(tmp_path, packages=("objectos_core",))
    plant(tree / "objectos_core" / "limits.py", "def slack(days):\n    return days + 1")
    plant(tree / "objectos_core" / "names.py", "WRONG: int = 'ninety'")
    result = run("mypy", "--no-incremental", "--cache-dir", os.devnull, "objectos_core", cwd=tree)
    assert result.returncode == 1
    assert "limits.py" in result.stdout and "no-untyped-def" in result.stdout
    assert "names.py" in result.stdout and "assignment" in result.stdout


def test_the_linter_catches_an_unused_import_and_the_formatter_a_misformatted_line(tmp_path):
    tree = copy_tree(tmp_path, packages=("objectos_core",))
    plant(tree / "objectos_core" / "limits.py", "import json")
    plant(tree / "objectos_core" / "names.py", "X = {  'a':1 }")
    lint = run("ruff", "check", "--no-cache", ".", cwd=tree)
    assert lint.returncode == 1 and "F401" in lint.stdout
    formatted = run("ruff", "format", "--no-cache", "--check", ".", cwd=tree)
    assert formatted.returncode == 1 and "names.py" in formatted.stdout
