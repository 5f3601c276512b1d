"""The rules one request member carries: from its model shape, plus documented extras.

A rule is a small predicate with a description and a source. Kinds: `type`, `pattern`,
`length`, `range`, `enum`, `count` (list or map size) and `required` (judged by the
checker, which knows whether the input was given).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Optional

from policy.api_rules.javaregex import Untranslatable, compile_java
from policy.api_rules.models import Member

NUMERIC = ("integer", "long", "double", "float")
SCALAR_TYPES = ("string", "blob", "boolean", "timestamp", *NUMERIC)


@dataclass(frozen=True)
class Rule:
    kind: str
    text: str  # what the value must satisfy, in words
    source: str
    test: Callable[[Any], bool]


@dataclass(frozen=True)
class NotChecked:
    """A rule the model states but this checker cannot apply (a pattern Python cannot compile)."""

    source: str
    reason: str


def utf16_length(value: str) -> int:
    """Length as AWS counts it: Java strings are UTF-16, so a supplementary character counts twice."""
    return len(value.encode("utf-16-le")) // 2


def as_number(value: Any) -> Optional[float]:
    """The value as a number if it is a known number (numbers arrive as floats, or as strings), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "list"
    if isinstance(value, dict):
        return "map"
    return type(value).__name__


_EXPECTED = {
    "string": ("string",),
    "blob": ("string",),
    "timestamp": ("string", "number"),
    "boolean": ("boolean", "string"),
    "integer": ("number", "string"),
    "long": ("number", "string"),
    "double": ("number", "string"),
    "float": ("number", "string"),
    "list": ("list",),
    "map": ("map",),
    "structure": ("map",),
}


def type_rule(member: Member) -> Rule:
    shape_type = member.shape.get("type", "string")
    allowed = _EXPECTED.get(shape_type, ())

    def test(value: Any) -> bool:
        kind = kind_of(value)
        if kind not in allowed:
            return False
        if kind == "string" and shape_type in NUMERIC:
            return as_number(value) is not None
        if kind == "string" and shape_type == "boolean":
            return value.strip().lower() in ("true", "false")
        return True

    noun = {"structure": "object", "map": "map", "list": "list", "blob": "string"}.get(shape_type, shape_type)
    return Rule("type", f"be a {noun}", member.source, test)


@functools.cache
def _compiled(pattern: str):
    return compile_java(pattern)


def model_rules(member: Member) -> tuple[list[Rule], list[NotChecked]]:
    """The rules the model's shape states for this member (its type first)."""
    shape, source = member.shape, member.source
    shape_type = shape.get("type", "string")
    rules = [type_rule(member)]
    not_checked: list[NotChecked] = []
    low, high = shape.get("min"), shape.get("max")
    if shape_type in ("string", "blob"):
        measure = utf16_length if shape_type == "string" else (lambda v: len(v.encode("utf-8")))
        if low is not None or high is not None:
            rules.append(
                Rule(
                    "length",
                    _bounds_text(low, high, "characters"),
                    source,
                    lambda v, lo=low, hi=high: _within(measure(v), lo, hi),
                )
            )
        if "pattern" in shape and shape_type == "string":
            try:
                regex = _compiled(shape["pattern"])
            except Untranslatable as exc:
                not_checked.append(NotChecked(source, f"pattern {shape['pattern']!r}: {exc}"))
            else:
                rules.append(
                    Rule("pattern", f"match {shape['pattern']}", source, lambda v, r=regex: r.fullmatch(v) is not None)
                )
        if "enum" in shape:
            values = tuple(shape["enum"])
            rules.append(Rule("enum", f"be one of {', '.join(values)}", source, lambda v, e=values: v in e))
    elif shape_type in NUMERIC:
        if low is not None or high is not None:
            rules.append(
                Rule(
                    "range",
                    _bounds_text(low, high, ""),
                    source,
                    lambda v, lo=low, hi=high: _within(as_number(v), lo, hi),
                )
            )
        if shape_type in ("integer", "long"):
            rules.append(
                Rule(
                    "type",
                    "be a whole number",
                    source,
                    lambda v: math.isfinite(as_number(v)) and float(as_number(v)).is_integer(),
                )
            )
    elif shape_type in ("list", "map") and (low is not None or high is not None):
        noun = "elements" if shape_type == "list" else "entries"
        rules.append(
            Rule("count", _bounds_text(low, high, noun), source, lambda v, lo=low, hi=high: _within(len(v), lo, hi))
        )
    return rules, not_checked


def extra_rule(kind: str, spec: Any, source: str) -> Rule:
    """A documented rule the model's shape does not carry (see extra.py)."""
    if kind == "pattern":
        regex = _compiled(spec)
        return Rule("pattern", f"match {spec}", source, lambda v: isinstance(v, str) and regex.fullmatch(v) is not None)
    if kind == "enum":
        values = tuple(spec)
        shown = ", ".join(str(int(v)) if isinstance(v, float) and v.is_integer() else str(v) for v in values)
        numeric = all(isinstance(v, (int, float)) for v in values)
        return Rule(
            "enum", f"be one of {shown}", source, lambda v: (as_number(v) in values) if numeric else (v in values)
        )
    if kind == "range":
        low, high = spec
        return Rule("range", _bounds_text(low, high, ""), source, lambda v: _within(as_number(v), low, high))
    if kind == "length":
        low, high = spec
        return Rule(
            "length",
            _bounds_text(low, high, "characters"),
            source,
            lambda v: isinstance(v, str) and _within(utf16_length(v), low, high),
        )
    raise ValueError(f"unknown extra rule kind {kind!r}")


def _within(value: Optional[float], low: Any, high: Any) -> bool:
    if value is None:
        return True  # a value of the wrong type is the type rule's finding
    return (low is None or value >= low) and (high is None or value <= high)


def _bounds_text(low: Any, high: Any, unit: str) -> str:
    unit = f" {unit}" if unit else ""
    show = lambda n: f"{n:g}" if isinstance(n, float) else str(n)  # noqa: E731
    if low is not None and high is not None:
        return f"be {show(low)} to {show(high)}{unit}"
    if low is not None:
        return f"be at least {show(low)}{unit}"
    return f"be at most {show(high)}{unit}"
