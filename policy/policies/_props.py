"""Reading resource properties the way the analyzer hands them to a policy.

Properties arrive as mappings and sequences (proxies in the analyzer, plain
dicts in tests) whose values may be unknown during `pulumi preview`. `get`
walks a path and answers `UNKNOWN` instead of raising, so one unknown value
skips one check rather than the whole policy.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy.proxy import UnknownValueError

from policy.api_rules.rules import as_number as number  # noqa: F401 (one reading of a number, for every policy)

try:  # the analyzer may hand over secrets wrapped when it proxies them
    from pulumi_policy.secret import Secret as _PolicySecret
except ImportError:  # pragma: no cover
    _PolicySecret = ()  # type: ignore[assignment]


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        return False


UNKNOWN: Any = _Unknown()
"""A value that is not known until the deployment runs."""

_UNKNOWN_SENTINELS = frozenset(
    {
        "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",
        "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
        "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
        "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",
        "030794c1-ac77-496b-92df-f27374a8bd58",
        "e48ece36-62e2-4504-bad9-02848725956a",
        "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
    }
)


_MAPPING: dict[type, bool] = {}  # by type, as the ABCs answer: the policies ask it of every value they read
_LIST: dict[type, bool] = {}


def is_mapping(value: Any) -> bool:
    kind = type(value)
    answer = _MAPPING.get(kind)
    if answer is None:
        answer = _MAPPING[kind] = issubclass(kind, Mapping)
    return answer


def is_list(value: Any) -> bool:
    kind = type(value)
    answer = _LIST.get(kind)
    if answer is None:
        answer = _LIST[kind] = issubclass(kind, Sequence) and not issubclass(kind, (str, bytes))
    return answer


def get(value: Any, *path: Any, default: Any = None) -> Any:
    """value[path[0]][path[1]]...: `default` when a step is missing, `UNKNOWN` when unknown."""
    for key in path:
        try:
            if isinstance(key, int):
                if not is_list(value) or not -len(value) <= key < len(value):
                    return default
                value = value[key]
            else:
                if not is_mapping(value):
                    return default
                value = value[key]  # one lookup: `key in value` on the SDK's proxy is a lookup too
        except KeyError:
            return default
        except UnknownValueError:
            return UNKNOWN
        value = _plain(value)
        if value is UNKNOWN:
            return UNKNOWN
    return default if value is None else value


def items(value: Any) -> Iterator[tuple[str, Any]]:
    """(key, value) pairs of a mapping; unknown values come out as `UNKNOWN`."""
    if not is_mapping(value):
        return
    for key in value:
        yield key, get(value, key)


def elements(value: Any) -> Iterator[Any]:
    """Elements of a list; unknown elements come out as `UNKNOWN`."""
    if not is_list(value):
        return
    for index in range(len(value)):
        yield get(value, index)


def text(value: Any) -> str | None:
    """The value if it is a known string, else None."""
    return value if isinstance(value, str) else None


def truthy(value: Any) -> bool:
    """True for a known true boolean or its string spelling."""
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return value is True


def strings(value: Any) -> list[str]:
    """The known strings of a list (a comma-separated string counts as a list)."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return [v for v in elements(value) if isinstance(v, str)]


def parse_json(value: Any) -> Any:
    """A JSON document held in a string property; None when it is not one (or unknown)."""
    if not isinstance(value, str):
        return None
    try:
        return json.loads(value)
    except ValueError:
        return None


def camel_keys(value: Any) -> Any:
    """AWS API JSON (PascalCase keys) in the provider's camelCase, so one reader fits both."""
    if is_mapping(value):
        return {(k[:1].lower() + k[1:]) if isinstance(k, str) else k: camel_keys(v) for k, v in items(value)}
    if is_list(value):
        return [camel_keys(v) for v in elements(value)]
    return value


def walk(value: Any) -> Iterator[tuple[tuple, Any]]:
    """Every (path, leaf-or-node) below value, depth first, unknowns included."""
    stack: list[tuple[tuple, Any]] = [((), value)]
    while stack:
        path, node = stack.pop()
        yield path, node
        if is_mapping(node):
            for key, child in items(node):
                stack.append(((*path, key), child))
        elif is_list(node):
            for index, child in enumerate(elements(node)):
                stack.append(((*path, index), child))


_SCALARS = frozenset({int, float, bool, type(None)})  # read as they are, the commonest values after strings


def _plain(value: Any) -> Any:
    kind = type(value)
    if kind is str:
        return UNKNOWN if value in _UNKNOWN_SENTINELS else value
    if kind in _SCALARS:
        return value
    if _PolicySecret and isinstance(value, _PolicySecret):
        value = value.value
    if isinstance(value, str) and value in _UNKNOWN_SENTINELS:
        return UNKNOWN
    return value


# --- reading one resource under watch ------------------------------------------------------


class Trail:
    """The last property a check read, so what a check raises on can be pinned to a resource and a path."""

    def __init__(self) -> None:
        self.last: tuple[Any, tuple, Any] | None = None  # (resource, path, value)


def watched(value: Any, resource: Any, trail: Trail, hidden: frozenset = frozenset(), path: tuple = ()) -> Any:
    """`value` (a resource's properties) wrapped so every read is recorded in `trail`; paths in `hidden` read as absent."""
    if isinstance(value, Mapping):
        return _WatchedMapping(value, resource, trail, hidden, path)
    if is_list(value):
        return _WatchedList(value, resource, trail, hidden, path)
    return value


class _WatchedMapping(Mapping):
    __slots__ = ("_target", "_resource", "_trail", "_hidden", "_path")  # one per resource per policy run: kept small

    def __init__(self, target: Mapping, resource: Any, trail: Trail, hidden: frozenset, path: tuple):
        self._target, self._resource, self._trail, self._hidden, self._path = target, resource, trail, hidden, path

    def __contains__(self, key: object) -> bool:
        return key in self._target and (*self._path, key) not in self._hidden

    def __getitem__(self, key: Any) -> Any:
        path = (*self._path, key)
        if path in self._hidden:
            raise KeyError(key)
        value = self._target[key]  # an unknown raises UnknownValueError, as the SDK's proxy does
        self._trail.last = (self._resource, path, value)
        return watched(value, self._resource, self._trail, self._hidden, path)

    def __iter__(self) -> Iterator[Any]:
        return (k for k in self._target if (*self._path, k) not in self._hidden)

    def __len__(self) -> int:
        return sum(1 for _ in self)


class _WatchedList(Sequence):
    __slots__ = ("_target", "_resource", "_trail", "_hidden", "_path")

    def __init__(self, target: Sequence, resource: Any, trail: Trail, hidden: frozenset, path: tuple):
        self._target, self._resource, self._trail, self._hidden, self._path = target, resource, trail, hidden, path

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        path = (*self._path, index)
        if path in self._hidden:
            return None
        value = self._target[index]
        self._trail.last = (self._resource, path, value)
        return watched(value, self._resource, self._trail, self._hidden, path)

    def __len__(self) -> int:
        return len(self._target)


def path_text(path: tuple) -> str:
    """A property path as a reader writes it: spec.rules[0].host, metadata.annotations["a/b"]."""
    out = ""
    for key in path:
        if isinstance(key, int):
            out += f"[{key}]"
        elif isinstance(key, str) and key.replace("_", "").isalnum():
            out += f".{key}" if out else key
        else:
            out += f'["{key}"]'
    return out or "(its properties)"
