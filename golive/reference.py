"""The configuration reference, generated from the settings model (the README embeds it)."""

from __future__ import annotations

import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from settings.model import Settings

START = "<!-- config-reference:start -->"
END = "<!-- config-reference:end -->"
# Small value objects shown as one row rather than one row per field.
LEAF_MODELS = {"ResourceAmounts", "OidcProvider"}
KEYS_OUTSIDE_NAMESPACE = {"region": "aws:region"}


def _inner(annotation: Any) -> Any:
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) is typing.Union and len(args) == 1:
        return args[0]
    return annotation


def _default(field, parent_default: Any = None, name: str = "") -> str:
    if parent_default is not None:
        value = getattr(parent_default, name)
    elif field.is_required():
        return "required"
    else:
        value = field.default_factory() if field.default_factory is not None else field.default
    if value is None:
        return "-"
    if isinstance(value, BaseModel):
        return "see below" if type(value).__name__ not in LEAF_MODELS else _compact(value.model_dump(by_alias=True))
    if isinstance(value, (list, dict)) and not value:
        return "empty"
    return _compact(value)


def _compact(value: Any) -> str:
    if isinstance(value, str):
        return f"`{value}`"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, list):
        return ", ".join(_compact(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_compact(v)}" for k, v in value.items())
    return f"`{value}`"


def rows(
    model: type[BaseModel] = Settings, prefix: str = "objectos:", defaults: Any = None
) -> Iterator[tuple[str, str, str]]:
    """(key, default, meaning); `defaults` is the parent's default instance, if it has one."""
    for name, field in model.model_fields.items():
        if name == "stack":
            continue
        key = KEYS_OUTSIDE_NAMESPACE.get(name) if prefix == "objectos:" else None
        key = key or f"{prefix}{field.alias or name}"
        inner = _inner(field.annotation)
        if isinstance(inner, type) and issubclass(inner, BaseModel) and inner.__name__ not in LEAF_MODELS:
            if field.description:
                yield key, _default(field, defaults, name), field.description.replace("|", "\\|")
            own = (
                getattr(defaults, name)
                if defaults is not None
                else (None if field.is_required() else field.get_default(call_default_factory=True))
            )
            yield from rows(inner, key + ".", own)
        else:
            yield key, _default(field, defaults, name), (field.description or "").replace("|", "\\|")


def markdown() -> str:
    lines = [START, "| key | default | meaning |", "| --- | --- | --- |"]
    lines += [f"| `{key}` | {default} | {meaning} |" for key, default, meaning in rows()]
    lines.append(END)
    return "\n".join(lines)


def missing_descriptions() -> list[str]:
    return [key for key, _, meaning in rows() if not meaning]


PICTURE_START = "<!-- prod-picture:start -->"
PICTURE_END = "<!-- prod-picture:end -->"


def picture() -> str:
    """The prod stack's component picture as the preview records it."""
    from golive.graph import to_mermaid_components
    from golive.preview import preview_stack

    preview = preview_stack("prod")
    return "\n".join(
        [
            PICTURE_START,
            "```mermaid",
            to_mermaid_components(preview.result, preview.critical).strip(),
            "```",
            PICTURE_END,
        ]
    )


def replace_block(text: str, start: str, end: str, block: str) -> str:
    head, found, rest = text.partition(start)
    if not found:
        raise SystemExit(f"README has no {start} marker")
    _, found, tail = rest.partition(end)
    if not found:
        raise SystemExit(f"README has no {end} marker")
    return head + block + tail


def write_readme(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    text = replace_block(text, START, END, markdown())
    text = replace_block(text, PICTURE_START, PICTURE_END, picture())
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m golive.reference",
        description="Print the configuration reference (Markdown), or write it and the prod picture into the README.",
    )
    parser.add_argument(
        "--write-readme",
        type=Path,
        nargs="?",
        const=Path("README.md"),
        metavar="PATH",
        help="replace the generated blocks of this README (default README.md) in place",
    )
    args = parser.parse_args(argv)
    if args.write_readme is not None:
        write_readme(args.write_readme)
    else:
        print(markdown())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
