"""A user's Pulumi Python project as `golive preview --program DIR` reads it.

As the Pulumi CLI reads a project: `Pulumi.yaml` (its name, `runtime: python`, an optional
`main:` and `stackConfigDir:`, project-level `config:` with defaults) and the stack's
`Pulumi.<stack>.yaml`. Every file goes through the kit's safe reader (settings/files.py).
A key without a namespace belongs to the project (`albArn` is `<project>:albArn`); a
`secure:` value becomes a placeholder the program receives as a Pulumi secret, as
`golive preview --stack` does. The stack file's secrets provider and its `environment:` (Pulumi
ESC imports) are judged as in `--stack` mode (golive/stack_file_checks.py).

How a user's stack is judged: its environment picks the pack config
(`policy/policy-config.<environment>.json`) and whether unknowns fail (prod). The
environment is `objectos:environment` from the stack's config when set, else the stack name
when it is dev, staging or prod, else prod: a stack the kit cannot place is judged strictly.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from settings import files
from settings.load import StackConfig, from_document
from settings.model import Kubernetes

PROJECT_FILES = ("Pulumi.yaml", "Pulumi.yml")
ENVIRONMENTS = ("dev", "staging", "prod")
STRICTEST = "prod"
DEFAULT_STACK = "preview"
"""The stack name of a project with no stack file and no --stack (judged as prod)."""
ENVIRONMENT_KEY = "objectos:environment"
ALL_POLICIES = "all"
"""The pack config's key for every policy's enforcement level."""


class ProjectError(Exception):
    """A project the offline preview cannot run; the message names the file and what to do."""


@dataclass(frozen=True)
class UserProgram:
    directory: Path
    project: str
    main: Path  # the file or folder to run, as the language host runs it
    config: StackConfig  # "namespace:key" -> value, `Secure` where the stack file holds it encrypted
    environment: str
    environment_source: str  # why this environment, shown in the summary
    pack_config: dict[str, Any] = field(default_factory=dict)
    pack_config_source: str = ""

    @property
    def stack(self) -> str:
        return self.config.stack


@dataclass(frozen=True)
class ProgramSettings:
    """What the preview needs of a user program's stack, in place of the kit's `Settings`."""

    program: UserProgram
    kubernetes: Kubernetes = field(default_factory=Kubernetes)

    @property
    def environment(self) -> str:
        return self.program.environment

    @property
    def is_prod(self) -> bool:
        return self.environment == "prod"

    def headline(self) -> str:
        p = self.program
        pack = f", pack config {p.pack_config_source}" if p.pack_config_source else ""
        return (
            f"Program {p.directory} (project {p.project}): stack {p.stack}, "
            f"environment {p.environment} ({p.environment_source}){pack}"
        )


def load_program(directory: Path, stack: Optional[str] = None, pack_config_path: Optional[Path] = None) -> UserProgram:
    """Read the project in `directory` and the stack's config; `ProjectError` names what is wrong."""
    directory = Path(directory)
    if not directory.is_dir():
        what = "is not a folder" if directory.exists() else "does not exist"
        raise ProjectError(f"--program {directory} {what}; pass the folder holding your Pulumi.yaml")
    directory = directory.resolve()
    project_file = next((directory / name for name in PROJECT_FILES if (directory / name).exists()), None)
    if project_file is None:
        raise ProjectError(f"{directory}: no Pulumi.yaml; pass the folder of a Pulumi project")
    document = _read(project_file)
    if not isinstance(document, dict):
        raise ProjectError(f"{project_file}: must be a mapping with name: and runtime:")
    name = document.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ProjectError(f"{project_file}: name: is required (the project's name)")
    _check_runtime(project_file, document.get("runtime"))
    main = _main(project_file, directory, document.get("main"))
    stacks_dir = _stacks_dir(project_file, directory, document.get("stackConfigDir"))
    stack, stack_file = _stack(stacks_dir, stack)
    values = _project_values(project_file, name, document.get("config"))
    header: dict[str, Any] = {}  # a stack with no file of its own has no secrets provider or ESC import
    if stack_file is not None:
        stack_config = _from_document(_read(stack_file), stack, stack_file)
        values.update(_namespaced(name, stack_config.values))
        header = dict(stack_config.header)
    config = StackConfig(stack=stack, values=values, source=str(stack_file or project_file), header=header)
    environment, why = _environment(config, stack_file or project_file)
    pack_config, pack_source = _pack_config(pack_config_path, environment)
    return UserProgram(directory, name, main, config, environment, why, pack_config, pack_source)


def _read(path: Path) -> Any:
    try:
        return files.load_yaml(path)
    except files.InputFileError as exc:
        raise ProjectError(str(exc)) from None


def _check_runtime(project_file: Path, runtime: Any) -> None:
    name = runtime.get("name") if isinstance(runtime, dict) else runtime
    if name is None:
        raise ProjectError(f"{project_file}: runtime: is required; the offline preview runs `runtime: python`")
    if name != "python":
        shown = files.shorten(name)
        raise ProjectError(
            f"{project_file}: runtime is {shown!r}; the offline preview runs Python programs only (runtime: python)"
        )


def _main(project_file: Path, directory: Path, main: Any) -> Path:
    if main is None:
        entry = directory
    elif not isinstance(main, str) or not main.strip():
        raise ProjectError(f"{project_file}: main: must be the path of the program's file or folder")
    else:
        entry = (directory / main).resolve()
    if entry.is_dir():
        if not (entry / "__main__.py").is_file():
            where = "main: " + str(main) if main is not None else str(directory)
            raise ProjectError(f"{project_file}: {where} has no __main__.py; add it or point main: at the program")
        return entry
    if not entry.is_file():
        raise ProjectError(f"{project_file}: main: {files.shorten(main)} does not exist")
    return entry


def _stacks_dir(project_file: Path, directory: Path, value: Any) -> Path:
    if value is None:
        return directory
    if not isinstance(value, str):
        raise ProjectError(f"{project_file}: stackConfigDir: must be a folder path")
    return (directory / value).resolve()


def _stack(stacks_dir: Path, stack: Optional[str]) -> tuple[str, Optional[Path]]:
    """The stack to preview and its file (None: the stack has no config file)."""
    found = {p.name.split(".", 1)[1].rsplit(".", 1)[0]: p for p in sorted(stacks_dir.glob("Pulumi.*.y*ml"))}
    if stack is None:
        if len(found) > 1:
            raise ProjectError(f"{stacks_dir} holds the stacks {', '.join(found)}; choose one with --stack")
        return next(iter(found.items()), (DEFAULT_STACK, None))
    if stack in found:
        return stack, found[stack]
    if found:
        raise ProjectError(
            f"--stack {stack}: {stacks_dir} has no Pulumi.{stack}.yaml; its stacks are {', '.join(found)}"
        )
    return stack, None  # a stack with no config of its own, as `pulumi stack init` leaves it


def _project_values(project_file: Path, project: str, config: Any) -> dict[str, Any]:
    """Project-level config: each key's `value:` or `default:` (or a bare value), namespaced."""
    if config is None:
        return {}
    if not isinstance(config, dict):
        raise ProjectError(f"{project_file}: config: must be a mapping of keys to their types and defaults")
    values: dict[str, Any] = {}
    for key, spec in config.items():
        if isinstance(spec, dict) and ("value" in spec or "default" in spec):
            value = spec.get("value", spec.get("default"))
        elif isinstance(spec, dict):
            continue  # declared (type, description) but given no value
        else:
            value = spec
        if isinstance(value, dict) and "secure" in value:
            raise ProjectError(f"{project_file}: config.{key}: a secure value belongs in a stack file")
        values[_key(project, str(key))] = value
    return values


def _from_document(document: Any, stack: str, stack_file: Path) -> StackConfig:
    from settings.errors import SettingsError

    try:
        return from_document(document, stack, str(stack_file))
    except SettingsError as exc:
        raise ProjectError(str(exc)) from None


def _namespaced(project: str, values: dict[str, Any]) -> dict[str, Any]:
    return {_key(project, key): value for key, value in values.items()}


def _key(project: str, key: str) -> str:
    return key if ":" in key else f"{project}:{key}"


def _environment(config: StackConfig, source: Path) -> tuple[str, str]:
    given = config.values.get(ENVIRONMENT_KEY)
    if given is not None:
        if given not in ENVIRONMENTS:
            raise ProjectError(f"{source}: {ENVIRONMENT_KEY}: {files.shorten(given)!r}; use dev, staging or prod")
        return given, f"from {ENVIRONMENT_KEY}"
    if config.stack in ENVIRONMENTS:
        return config.stack, "from the stack name"
    return STRICTEST, f"the stack name is not {', '.join(ENVIRONMENTS)}: judged as {STRICTEST}"


def _pack_config(path: Optional[Path], environment: str) -> tuple[dict[str, Any], str]:
    """The pack config: the given file, else the environment's (`policy-config.<environment>.json`)."""
    if path is None:
        from policy.enforcement import config_file, load_config

        return load_config(environment), config_file(environment).name
    try:
        text = files.read_text(Path(path)).text
    except files.InputFileError as exc:
        raise ProjectError(f"--policy-pack-config {exc}") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProjectError(f"--policy-pack-config {path}:{exc.lineno}:{exc.colno}: not JSON ({exc.msg})") from None
    if not isinstance(document, dict):
        raise ProjectError(f"--policy-pack-config {path}: must be a JSON object of policy names to settings")
    _check_policy_names(Path(path), document)
    return document, str(path)


def _check_policy_names(path: Path, document: dict[str, Any]) -> None:
    """Every key names one of the pack's policies (or `all`), as the Pulumi CLI requires of the file."""
    from objectos_core.checklist import LIVE_ONLY, policy_judged

    known = policy_judged()
    for name in document:
        if name == ALL_POLICIES or name in known:
            continue
        if name in LIVE_ONLY:
            hint = "it is verified live by golive verify, not by the policy pack; remove it"
        else:
            close = difflib.get_close_matches(str(name), known, n=1)
            hint = f"did you mean '{close[0]}'?" if close else "docs/policies.md lists the pack's policies"
        raise ProjectError(
            f"--policy-pack-config {path}: names the policy '{files.shorten(name)}', which the pack does not have; "
            f"{hint} (the keys are policy names, or all)"
        )
