"""Args from a Python program or from another language, built into the same dataclass.

A Python program hands a component its Args dataclass. The component provider
(provider/__main__.py) that serves TypeScript, Go, YAML... hands it the same
inputs as a dict keyed by the Python field names, nested types as dicts too.
`args_of` turns either into the dataclass, so the defaults and the checks in
`__post_init__` apply whichever language the inputs came from.
"""

import dataclasses
import inspect
import typing
from collections import abc
from collections.abc import Mapping
from typing import Any, TypeVar, Union

# Shared with the facts in objectos_core; components import them from here.
from objectos_core.fields import fill_defaults, filled, member_of  # noqa: F401

T = TypeVar("T")


def args_of(cls: type[T], value: Union[T, Mapping[str, Any]]) -> T:
    """`value` itself when it is a `cls`; else `cls` built from a dict of its fields."""
    if isinstance(value, cls):
        return value
    if not isinstance(value, Mapping):
        got = type(value).__name__
        raise TypeError(f"{cls.__name__}: expected a {cls.__name__} or a dict of its fields, got {got}")
    fields = {f.name for f in dataclasses.fields(cls) if f.init}  # type: ignore[arg-type]
    unknown = sorted(set(value) - fields)
    if unknown:
        raise TypeError(f"{cls.__name__} has no field {', '.join(unknown)}")
    hints = annotations(cls)
    return cls(**{name: _converted(hints[name], item, f"{cls.__name__}.{name}") for name, item in value.items()})


def annotations(cls: type) -> dict[str, Any]:
    """The field annotations of `cls` and its bases, as written (pulumi.Input holds a forward
    reference that typing.get_type_hints cannot resolve, so nothing is evaluated)."""
    found: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        found.update(inspect.get_annotations(klass))
    return found


def _converted(hint: Any, value: Any, what: str) -> Any:
    """`value` with the dicts that stand for nested dataclasses, at any depth, built into them,
    and whole numbers as int (the engine sends every number as a float)."""
    if value is None:
        return None
    origin = typing.get_origin(hint)
    if origin is Union:  # Optional[X], pulumi.Input[X]
        for member in typing.get_args(hint):
            if member is int or (dataclasses.is_dataclass(member) and isinstance(value, Mapping)):
                return _converted(member, value, what)
            if typing.get_origin(member) in (list, dict, abc.Sequence, abc.Mapping):
                return _converted(member, value, what)
        return value
    if hint is int and isinstance(value, float):
        if not value.is_integer():
            raise ValueError(f"{what} must be a whole number, got {value}")
        return int(value)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint) and isinstance(value, Mapping):
        return args_of(hint, value)
    if origin in (list, abc.Sequence) and isinstance(value, list):
        (item,) = typing.get_args(hint)
        return [_converted(item, v, f"{what}[{index}]") for index, v in enumerate(value)]
    if origin in (dict, abc.Mapping) and isinstance(value, Mapping):
        _, item = typing.get_args(hint)
        return {key: _converted(item, v, f"{what}.{key}") for key, v in value.items()}
    return value


def explicit_dependencies(opts: Any) -> list:
    """The resources in `opts.depends_on` as a list (it may hold one resource or several).

    Components take what a child must wait for through their own `depends_on`,
    which every language can pass, rather than as resources inside the Args.
    """
    depends_on = getattr(opts, "depends_on", None)
    if depends_on is None:
        return []
    return list(depends_on) if isinstance(depends_on, (list, tuple)) else [depends_on]
