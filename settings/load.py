"""Turn raw stack configuration into validated `Settings`.

Two sources feed the same validation:
- a stack file read from disk (the offline preview, the release tool, the verifier);
- the configuration the Pulumi engine hands a running program (`pulumi up`).

Both produce a flat map of `namespace:key` to parsed values in which every value
the stack file holds as `secure:` is wrapped in `Secure`.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from settings import files, rules
from settings.errors import Issue, SettingsError, issues_from_problems, issues_from_validation, key_path
from settings.model import Settings

NAMESPACE = "objectos"
SECRET_PLACEHOLDER = "placeholder-secret-value"
STACK_FILE_KEYS = ("secretsprovider", "encryptedkey", "encryptionsalt", "environment")
"""A stack file's own keys beside `config:`, as Pulumi writes them (golive/stack_file_checks.py judges them)."""


@dataclass(frozen=True)
class Secure:
    """A value the stack file holds encrypted (`secure:`)."""

    value: str
    ciphertext: Any = field(default=None, compare=False)  # what the stack file holds under `secure:`

    def __repr__(self) -> str:  # never show the value
        return "Secure(***)"


@dataclass(frozen=True)
class StackConfig:
    stack: str
    values: dict[str, Any]  # "objectos:cors" -> parsed value, Secure where secret
    source: str
    header: Mapping[str, Any] = field(default_factory=dict)  # the file's STACK_FILE_KEYS, as written

    def secret_keys(self) -> list[str]:
        return sorted(key for key, value in self.values.items() if _contains_secure(value))

    def engine_config(self) -> tuple[dict[str, str], list[str]]:
        """Config as the Pulumi engine passes it to a program: strings, objects as JSON."""
        config = {}
        for key, value in self.values.items():
            config[key] = _engine_text(_reveal(value))
        return config, self.secret_keys()


def _engine_text(value: Any) -> str:
    # The engine hands every value over as text; YAML dates and the like become their string form.
    if isinstance(value, str):
        return value
    if value is None or isinstance(value, (bool, int, float, list, dict)):
        return json.dumps(value, default=str)
    return str(value)


def stack_file(stack: str, stacks_dir: Path) -> Path:
    return stacks_dir / f"Pulumi.{stack}.yaml"


def read_stack_file(path: Path, stack: str | None = None) -> StackConfig:
    """Parse a stack file; `secure:` values become placeholders wrapped in `Secure`."""
    stack = stack or _stack_from_filename(path)
    source = str(path)
    try:
        document = files.load_yaml(path)
    except files.MissingFileError:
        raise SettingsError(
            [Issue("stack file", f"{path} does not exist; pass --stack-file or create it")], source
        ) from None
    except files.InputFileError as exc:
        raise SettingsError([Issue("stack file", str(exc))], source) from None
    return from_document(document, stack, source)


def from_document(document: Any, stack: str, source: str = "the stack file") -> StackConfig:
    if document is None:
        document = {}
    if not isinstance(document, Mapping):
        raise SettingsError([Issue("stack file", "must be a mapping with a top-level `config:` key")], source)
    config = document.get("config", {})
    if config is None:
        config = {}
    if not isinstance(config, Mapping):
        raise SettingsError([Issue("config", "must be a mapping of `namespace:key: value`")], source)
    values = {str(key): _wrap_secure(value) for key, value in config.items()}
    header = {key: document[key] for key in STACK_FILE_KEYS if key in document}
    return StackConfig(stack=stack, values=values, source=source, header=header)


def environments(config: StackConfig) -> list[str]:
    """The Pulumi ESC environments the stack file imports (`environment:`), in import order."""
    value = config.header.get("environment")
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, list):
        return [str(name) for name in value]
    if isinstance(value, Mapping):  # an inline definition: its imports, and its own values
        imports = value.get("imports")
        names = [str(name) for name in imports] if isinstance(imports, list) else []
        return names + (["an inline definition"] if value.get("values") else [])
    return []


def from_engine(stack: str, config: Mapping[str, str], secret_keys: set[str]) -> StackConfig:
    """Config as the engine gives it: strings (objects as JSON) plus the secret keys."""
    values: dict[str, Any] = {}
    for key, raw in config.items():
        value: Any = raw
        if isinstance(raw, str) and raw[:1] in ("{", "["):
            try:
                value = json.loads(raw)
            except json.JSONDecodeError:
                value = raw
        if key in secret_keys:
            value = _mark_secret(key, value)
        values[key] = value
    return StackConfig(stack=stack, values=values, source=f"stack '{stack}'")


def validate(config: StackConfig) -> Settings:
    """Validated settings, or a `SettingsError` listing every problem."""
    issues: list[Issue] = []
    fields: dict[str, Any] = {"stack": config.stack}
    known = _known_fields()
    for key, value in config.values.items():
        namespace, colon, name = key.partition(":")
        if not colon:
            target = "aws:region" if key == "region" else f"{NAMESPACE}:{key}"
            issues.append(Issue(key, f"has no namespace; write it as {target}"))
        elif namespace == "aws" and name == "region":
            fields["region"] = _reveal(value)
        elif namespace != NAMESPACE and _misspelled_namespace(namespace):
            issues.append(Issue(key, f"has an unknown namespace; did you mean '{NAMESPACE}:{name}'?"))
        elif namespace == NAMESPACE:
            if name not in known:
                nearest = rules.nearest(name, sorted(known))
                guess = "aws:region" if name == "region" else nearest and f"{NAMESPACE}:{nearest}"
                hint = f"; did you mean '{guess}'?" if guess else ""
                issues.append(Issue(key, f"is not a known key{hint}"))
                continue
            if name == "secretValues" and isinstance(value, Mapping):
                issues += _plain_secret_values(value)
                value = {k: v for k, v in value.items() if isinstance(v, Secure)}  # one error per plain value
            fields[name] = _reveal(value)
    if "region" not in fields:
        issues.append(Issue("aws:region", "is required; set the AWS region, e.g. aws:region: eu-west-1"))
        fields["region"] = "us-east-1"  # keep validating the rest
    try:
        settings = Settings.model_validate(fields)
    except ValidationError as exc:
        issues += issues_from_validation(exc, Settings)
        raise SettingsError(issues + _unseen_environments(config), config.source) from None
    except rules.Problems as exc:
        found = issues + issues_from_problems(exc.problems) + _unseen_environments(config)
        raise SettingsError(found, config.source) from None
    if issues:
        raise SettingsError(issues + _unseen_environments(config), config.source)
    return settings


def load_stack(stack: str, stacks_dir: Path, path: Path | None = None) -> tuple[StackConfig, Settings]:
    config = read_stack_file(path or stack_file(stack, stacks_dir), stack)
    return config, validate(config)


def _unseen_environments(config: StackConfig) -> list[Issue]:
    """With errors to report: the ESC environments whose values the checks did not see, which may hold the fix."""
    names = environments(config)
    if not names:
        return []
    return [
        Issue(
            "environment",
            f"imports the Pulumi ESC environment(s) {', '.join(names)}, which the offline preview cannot open; "
            "a key above that comes from them must also be under config: for the preview",
        )
    ]


def _misspelled_namespace(namespace: str) -> bool:
    # Other namespaces (aws:, kubernetes:, ...) configure providers; only near-misses of ours are errors.
    return difflib.SequenceMatcher(None, namespace.lower(), NAMESPACE).ratio() >= 0.75


def _known_fields() -> set[str]:
    return {f.alias for name, f in Settings.model_fields.items() if name not in ("stack", "region")}


def _plain_secret_values(value: Any) -> list[Issue]:
    if not isinstance(value, Mapping):
        return []  # the model reports the wrong type
    return [
        Issue(
            key_path(("secretValues", name)),
            "is a plain value; store it encrypted, reading it from a file or stdin: "
            f"`pulumi config set --path --secret 'objectos:secretValues.{name}' < <file>`",
        )
        for name, item in value.items()
        if not isinstance(item, Secure)
    ]


def _stack_from_filename(path: Path) -> str:
    name = path.name
    if name.startswith("Pulumi.") and name.endswith((".yaml", ".yml")):
        return name.split(".", 1)[1].rsplit(".", 1)[0]
    return path.stem


def _wrap_secure(value: Any) -> Any:
    if isinstance(value, Mapping):
        if set(value) == {"secure"}:
            return Secure(SECRET_PLACEHOLDER, ciphertext=value["secure"])
        return {str(k): _wrap_secure(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_wrap_secure(v) for v in value]
    return value


def _mark_secret(key: str, value: Any) -> Any:
    # The engine marks a whole key secret; for secretValues that means every entry.
    if key == f"{NAMESPACE}:secretValues" and isinstance(value, Mapping):
        return {name: Secure(str(item)) for name, item in value.items()}
    return Secure(value) if isinstance(value, str) else value


def _reveal(value: Any) -> Any:
    if isinstance(value, Secure):
        return value.value
    if isinstance(value, Mapping):
        return {k: _reveal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_reveal(v) for v in value]
    return value


def _contains_secure(value: Any) -> bool:
    if isinstance(value, Secure):
        return True
    if isinstance(value, Mapping):
        return any(_contains_secure(v) for v in value.values())
    if isinstance(value, list):
        return any(_contains_secure(v) for v in value)
    return False
