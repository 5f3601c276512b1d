"""Settings errors an operator can act on: the key path, what is wrong, what to do."""

from __future__ import annotations

import typing
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from settings import files, rules

NAMESPACE = "objectos"
# Settings fields that come from another namespace or from the stack itself.
FIELD_KEYS = {"region": "aws:region", "stack": "stack name"}


@dataclass(frozen=True)
class Issue:
    key: str  # e.g. "objectos:cors.origins[0]"
    message: str

    def __str__(self) -> str:
        return files.clip_lines(f"{files.shorten(self.key, 200)}: {self.message}")


class SettingsError(Exception):
    """Every problem found in one stack's settings, reported at once."""

    def __init__(self, issues: Iterable[Issue], source: str = "the stack settings"):
        self.issues = list(issues)
        self.source = source
        super().__init__(self.render())

    def render(self) -> str:
        count = len(self.issues)
        head = f"{self.source} has {count} problem{'s' if count != 1 else ''}:"
        return "\n".join([head, *(f"  - {issue}" for issue in self.issues)])


def key_path(loc: tuple) -> str:
    if not loc:
        return f"{NAMESPACE}:(stack)"
    head, *rest = loc
    path = FIELD_KEYS.get(str(head), f"{NAMESPACE}:{head}")
    for part in rest:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def issues_from_validation(error: ValidationError, model: type[BaseModel]) -> list[Issue]:
    return [Issue(key_path(_full_loc(detail)), _message(detail, model)) for detail in error.errors()]


def issues_from_problems(problems: list[tuple[tuple, str]]) -> list[Issue]:
    return [Issue(key_path(loc), message) for loc, message in problems]


def _full_loc(detail: ErrorDetails) -> tuple:
    loc = tuple(detail["loc"])
    ctx = detail.get("ctx") or {}
    if detail["type"] == "located":
        loc += tuple(ctx["subloc"])
    # Pydantic adds the tag of a failed union/literal branch; operators never see those.
    return tuple(part for part in loc if not (isinstance(part, str) and part.startswith(("literal[", "function-"))))


def _message(detail: ErrorDetails, model: type[BaseModel]) -> str:
    kind = detail["type"]
    ctx = detail.get("ctx") or {}
    value = detail.get("input")
    if kind == "located":
        return ctx["message"]
    if kind == "value_error":
        return str(ctx.get("error", detail["msg"])).removeprefix("Value error, ")
    if kind == "missing":
        return "is required; add it to the stack file (the README lists every key)"
    if kind == "extra_forbidden":
        known = known_keys(model, tuple(detail["loc"])[:-1])
        guess = rules.nearest(str(detail["loc"][-1]), known)
        hint = f"; did you mean '{guess}'?" if guess else f"; known keys here: {', '.join(sorted(known))}"
        return f"is not a known key{hint}"
    if kind == "literal_error":
        return f"must be {ctx.get('expected')}, got {shown(value)}"
    text = detail["msg"].replace("Input should be", "must be")
    if isinstance(value, (str, int, float, bool)) or value is None:
        text += f", got {shown(value)}"
    return text


def shown(value: object) -> str:
    """A value as a message quotes it: its repr, cut to a readable length."""
    return files.shorten(repr(value))


def known_keys(model: type[BaseModel], loc: tuple) -> list[str]:
    """Aliases accepted at `loc` below `model` (for 'did you mean')."""
    annotation: Any = model
    for part in loc:
        annotation = _unwrap(annotation)
        if isinstance(part, int) or not _is_model(annotation):
            annotation = _item_type(annotation)
            continue
        field = next(
            (f for name, f in annotation.model_fields.items() if part in (name, f.alias)),
            None,
        )
        if field is None:
            return []
        annotation = field.annotation
    annotation = _unwrap(annotation)
    if not _is_model(annotation):
        return []
    return [f.alias or name for name, f in annotation.model_fields.items() if (f.alias or name) not in FIELD_KEYS]


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _unwrap(annotation: Any) -> Any:
    """Optional[X] -> X."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) is typing.Union and len(args) == 1:
        return args[0]
    return annotation


def _item_type(annotation: Any) -> Any:
    args = typing.get_args(annotation)
    return args[-1] if args else annotation
