"""Run a Pulumi program in-process under Pulumi's mocks (testing/): the kit's own, or a user's.

A user's program (`golive preview --program DIR`) runs as the Python language host runs it:
its folder first on `sys.path` and as the working directory, `__name__ == "__main__"`. The
SDK modules stay imported between runs (pulumi_aws alone takes seconds to import); the
program's own modules do not: each run starts without the modules of the one before, and a
sibling module named like one of the kit's (`settings.py`) is the program's, not the kit's.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import runpy
import sys
import traceback
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from golive.project import UserProgram

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


COMPONENTS_PACKAGE = "objectos_components"
"""The name the kit's components install under; a user's program imports them by it."""


def run_user_program(program: UserProgram) -> RunResult:
    """Run a user's program as `pulumi preview` would; an error in it is a `ProgramError` naming the file."""
    config, secret_keys = program.config.engine_config()

    def body() -> None:
        runpy.run_path(str(program.main), run_name="__main__")

    folder = program.main if program.main.is_dir() else program.main.parent
    with _own_modules(folder), _program_path(folder), _working_directory(folder):
        with _kit_components():
            try:
                return run_callable(program.stack, config, secret_keys, body, project=program.project)
            except ProgramError:
                raise
            except (Exception, SystemExit) as exc:
                raise ProgramError(_where(exc, folder)) from None


def _where(exc: BaseException, directory: Path) -> str:
    """`file:line: Type: message` at the program's own frame nearest the error."""
    if isinstance(exc, SyntaxError) and exc.filename:
        return f"{exc.filename}:{exc.lineno}: SyntaxError: {exc.msg}"
    if isinstance(exc, SystemExit):
        return f"the program called exit({exc.code!r})"
    place = ""
    for frame in traceback.extract_tb(exc.__traceback__):
        if _inside(Path(frame.filename), directory):
            place = f"{frame.filename}:{frame.lineno}: "
    return f"{place}{type(exc).__name__}: {exc}"


def _inside(path: Path, directory: Path) -> bool:
    try:
        path.resolve().relative_to(directory)
    except (ValueError, OSError):
        return False
    return True


@contextlib.contextmanager
def _own_modules(directory: Path) -> Iterator[None]:
    """The program's modules for this run only; kit modules its siblings shadow are set aside meanwhile."""
    siblings = {
        p.stem if p.suffix == ".py" else p.name
        for p in directory.iterdir()
        if (p.suffix == ".py" or p.is_dir()) and not p.name.startswith((".", "__"))
    }
    shadowed = {
        name: module
        for name, module in list(sys.modules.items())
        if name.partition(".")[0] in siblings and not _inside(Path(getattr(module, "__file__", None) or "/"), directory)
    }
    for name in shadowed:
        del sys.modules[name]
    before = set(sys.modules)
    try:
        yield
    finally:
        for name in set(sys.modules) - before:
            module = sys.modules[name]
            if name.partition(".")[0] in siblings or _inside(Path(getattr(module, "__file__", None) or "/"), directory):
                del sys.modules[name]
        sys.modules.update(shadowed)


@contextlib.contextmanager
def _working_directory(directory: Path) -> Iterator[None]:
    """The program's folder as the working directory, as the language host starts it."""
    before = os.getcwd()
    os.chdir(directory)
    try:
        yield
    finally:
        os.chdir(before)


@contextlib.contextmanager
def _kit_components() -> Iterator[None]:
    """`objectos_components` importable as installing the kit makes it, when it is not installed."""
    if COMPONENTS_PACKAGE in sys.modules or importlib.util.find_spec(COMPONENTS_PACKAGE) is not None:
        yield
        return
    folder = ROOT / "components"
    spec = importlib.util.spec_from_file_location(
        COMPONENTS_PACKAGE, folder / "__init__.py", submodule_search_locations=[str(folder)]
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[COMPONENTS_PACKAGE] = module
    try:
        spec.loader.exec_module(module)
        yield
    finally:
        for name in [n for n in sys.modules if n.partition(".")[0] == COMPONENTS_PACKAGE]:
            del sys.modules[name]
