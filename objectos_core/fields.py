"""Dataclass helpers the facts and the components share: defaults for None, enum members by value.

Standard library only.
"""

from __future__ import annotations

import dataclasses
from enum import Enum
from typing import Any, Optional, TypeVar

E = TypeVar("E", bound=Enum)
T = TypeVar("T")


def member_of(enum: type[E], value: Any, what: str) -> E:
    """`value` as a member of `enum` (a member or its value); the error names `what` and the choices."""
    try:
        return enum(value)
    except ValueError:
        choices = ", ".join(str(member.value) for member in enum)
        raise ValueError(f"{what} is {value!r}; use one of {choices}") from None


def fill_defaults(args: Any) -> None:
    """Give every field left None its declared default.

    A field with a default is typed Optional, so the package schema lists it as
    optional for every language; None, from any of them, means "the default".
    """
    for f in dataclasses.fields(args):
        if getattr(args, f.name) is not None:
            continue
        if f.default is not dataclasses.MISSING and f.default is not None:
            object.__setattr__(args, f.name, f.default)  # also for frozen dataclasses
        elif f.default_factory is not dataclasses.MISSING:
            object.__setattr__(args, f.name, f.default_factory())


def filled(value: Optional[T]) -> T:
    """A defaulted field after `fill_defaults`: its value, typed without the None.

    The field is typed Optional for the schema, but once `__post_init__` has
    filled it, it holds its default or what was given. Only for fields whose
    default is not None; None here means the Args skipped `fill_defaults`.
    """
    if value is None:
        raise TypeError("a defaulted field is None: its Args did not run fill_defaults in __post_init__")
    return value
