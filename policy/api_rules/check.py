"""The pure check: one resource's inputs against the API rules of the members they become.

`check(type_token, props)` takes plain data (dicts, lists, scalars) in which a value not
known until deploy is `UNKNOWN` and a secret is wrapped in `Secret`. It never raises on
odd input: a list where a string belongs is a violation on that path.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Optional

from policy.api_rules.extra import EXTRAS
from policy.api_rules.mapping import MAPPING, F, T, TypeMap
from policy.api_rules.models import Member, ModelError, service
from policy.api_rules.rules import NotChecked, Rule, extra_rule, kind_of, model_rules


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Any = _Unknown()
"""A value not known until the deployment runs."""


@dataclass(frozen=True)
class Secret:
    """A value the program marked secret: judged, never shown."""

    value: Any


_SECRET_NAME = re.compile(r"(?i)(secret|password|passwd|token|private.?key|credential|auth)")


@dataclass(frozen=True)
class Violation:
    path: str  # the input, with list indexes and map keys
    value: str  # as shown: secrets are never shown
    rule: str
    source: str

    def message(self, resource: str) -> str:
        return f"{resource}: {self.path} = {self.value} fails AWS's rule: it must {self.rule} ({self.source})"


@dataclass
class Outcome:
    violations: list[Violation] = field(default_factory=list)
    not_judged: list[str] = field(default_factory=list)  # input paths unknown until deploy
    unmapped: list[str] = field(default_factory=list)  # input paths no mapping entry covers
    not_checked: list[NotChecked] = field(default_factory=list)  # rules that could not be applied
    judged: int = 0  # values judged


# --- rules per member -------------------------------------------------------------------------

_EXTRAS_BY_MEMBER: dict[tuple[str, str, str], list] = {}
for _extra in EXTRAS:
    _EXTRAS_BY_MEMBER.setdefault((_extra.service, _extra.structure, _extra.member), []).append(_extra)


@functools.cache
def _member(service_name: str, operation: str, path: str) -> Member:
    return service(service_name).member(operation, path)


def rules_for(member: Member) -> tuple[list[Rule], list[NotChecked]]:
    """The model's rules for the member plus the documented extras for it."""
    return _rules_for(member.service, member.operation, member.path)


@functools.cache
def _rules_for(service_name: str, operation: str, path: str) -> tuple[list[Rule], list[NotChecked]]:
    member = _member(service_name, operation, path)
    rules, not_checked = model_rules(member)
    for extra in _EXTRAS_BY_MEMBER.get((member.service, member.structure, member.name), ()):
        source = f"{member.source} (stated in the member's documentation)"
        rules.append(extra_rule(extra.kind, extra.spec, source))
    return rules, not_checked


# --- walking the inputs ---------------------------------------------------------------------

_STEP = re.compile(r"([A-Za-z0-9_]+)((?:\[\]|\{\}|\{key\})*)")


@functools.cache
def _steps(path: str) -> tuple[tuple[str, str], ...]:
    """`a.b[].c{key}` -> [("key", "a"), ("key", "b"), ("each", ""), ("key", "c"), ("keys", "")]."""
    steps: list[tuple[str, str]] = []
    for segment in path.split("."):
        match = _STEP.fullmatch(segment)
        if not match:
            raise ValueError(f"bad input path segment {segment!r} in {path!r}")
        steps.append(("key", match[1]))
        for suffix in re.findall(r"\[\]|\{\}|\{key\}", match[2]):
            steps.append({"[]": ("each", ""), "{}": ("values", ""), "{key}": ("keys", "")}[suffix])
    return tuple(steps)


class _Leaf(NamedTuple):  # a tuple: one is made for every input value of every resource
    path: str
    value: Any
    secret: bool
    shape_error: Optional[str] = None  # a container step found the wrong kind of value


def _unwrap(value: Any, secret: bool) -> tuple[Any, bool]:
    while isinstance(value, Secret):
        value, secret = value.value, True
    return value, secret


def _leaves(value: Any, steps: tuple[tuple[str, str], ...], path: str, secret: bool) -> list[_Leaf]:
    """The values at the end of `steps` from `value`, each with its path (or why a step found none)."""
    found: list[_Leaf] = []
    _collect(value, steps, 0, path, secret, found)
    return found


def _collect(value: Any, steps: tuple[tuple[str, str], ...], at: int, path: str, secret: bool, found: list) -> None:
    value, secret = _unwrap(value, secret)
    if at == len(steps):
        found.append(_Leaf(path, value, secret))
        return
    if value is UNKNOWN:
        found.append(_Leaf(path, UNKNOWN, secret))
        return
    kind, name = steps[at]
    if kind == "key":
        if not isinstance(value, dict):
            found.append(_Leaf(path, value, secret, "an object"))
        elif value.get(name) is not None:
            _collect(value[name], steps, at + 1, f"{path}.{name}" if path else name, secret, found)
        return
    if kind == "each":
        if not isinstance(value, (list, tuple)):
            found.append(_Leaf(path, value, secret, "a list"))
            return
        for index, element in enumerate(value):
            if element is not None:
                _collect(element, steps, at + 1, f"{path}[{index}]", secret, found)
        return
    if not isinstance(value, dict):
        found.append(_Leaf(path, value, secret, "a map"))
        return
    for key, element in value.items():
        if kind == "keys":
            _collect(key, steps, at + 1, f"{path}{{{key}}} (key)", secret, found)
        elif element is not None:
            _collect(element, steps, at + 1, f"{path}.{key}", secret, found)


def _present(props: Mapping[str, Any], path: str) -> bool:
    value: Any = props
    for kind, name in _steps(path):
        value, _ = _unwrap(value, False)
        if value is UNKNOWN:
            return True
        if kind != "key" or not isinstance(value, Mapping) or value.get(name) is None:
            return False
        value = value[name]
    return True


# --- judging ------------------------------------------------------------------------------------


def _shown(value: Any, secret: bool) -> str:
    if secret:
        length = f"{len(value)}-character " if isinstance(value, str) else ""
        return f"(a {length}secret value, not shown)"
    text = repr(value) if isinstance(value, str) else _short(value)
    return text if len(text) <= 160 else text[:157] + "..."


def _short(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (list, tuple)):
        return f"a list of {len(value)}"
    if isinstance(value, Mapping):
        return f"an object with {len(value)} keys"
    return repr(value)


class _Judge:
    def __init__(self, outcome: Outcome):
        self.outcome = outcome

    def leaf(self, member: Member, path: str, value: Any, secret: bool) -> None:
        value, secret = _unwrap(value, secret)
        if value is UNKNOWN:
            self.outcome.not_judged.append(path)
            return
        hidden, type_rule, others, not_checked = _plan(member)
        secret = secret or hidden
        if not_checked:
            self.outcome.not_checked += [n for n in not_checked if n not in self.outcome.not_checked]
        self.outcome.judged += 1
        if not type_rule.test(value):
            self.fail(path, value, secret, type_rule.text + f", not {_article(kind_of(value))}", type_rule.source)
            return
        for rule in others:
            try:
                passed = rule.test(value)
            except (TypeError, ValueError, AttributeError):
                passed = False
            if not passed:
                self.fail(path, value, secret, rule.text, rule.source)

    def fail(self, path: str, value: Any, secret: bool, rule: str, source: str) -> None:
        self.outcome.violations.append(Violation(path, _shown(value, secret), rule, source))

    def tree(self, member: Member, path: str, value: Any, secret: bool) -> None:
        """Descend a subtree whose keys mirror the API's member names."""
        value, secret = _unwrap(value, secret)
        if value is UNKNOWN:
            self.outcome.not_judged.append(path)
            return
        shape_type = member.shape.get("type")
        model = service(member.service)
        if shape_type == "structure" and isinstance(value, dict):
            names = _member_names(member.service, member.shape_name)
            for key, child in value.items():
                if child is None:
                    continue
                name = names.get(_normal(str(key)))
                child_path = f"{path}.{key}"
                if name is None:
                    self.outcome.unmapped.append(child_path)
                else:
                    self.tree(model.child(member, name), child_path, child, secret)
        elif shape_type == "list" and isinstance(value, (list, tuple)):
            self.leaf(member, path, value, secret)
            for index, element in enumerate(value):
                if element is not None:
                    self.tree(model.child(member, "[]"), f"{path}[{index}]", element, secret)
        elif shape_type == "map" and isinstance(value, dict):
            self.leaf(member, path, value, secret)
            for key, element in value.items():
                self.leaf(model.child(member, "{key}"), f"{path}{{{key}}} (key)", key, secret)
                if element is not None:
                    self.tree(model.child(member, "{}"), f"{path}.{key}", element, secret)
        elif shape_type in ("structure", "list", "map") and isinstance(value, (dict, list, tuple)):
            self.outcome.unmapped.append(path)  # the provider reshapes this input; no faithful mapping
        else:
            self.leaf(member, path, value, secret)


def _plan(member: Member) -> tuple[bool, Rule, tuple[Rule, ...], list[NotChecked]]:
    """What judging a value of this member takes: hidden?, its type rule, the other rules, rules not checked."""
    return _plan_for(member.service, member.operation, member.path)


@functools.cache
def _plan_for(service_name: str, operation: str, path: str) -> tuple[bool, Rule, tuple[Rule, ...], list[NotChecked]]:
    rules, not_checked = _rules_for(service_name, operation, path)
    return _hidden(service_name, operation, path), rules[0], tuple(rules[1:]), not_checked


@functools.cache
def _hidden(service_name: str, operation: str, path: str) -> bool:
    """Never show this member's values: the model marks it sensitive, or its name says secret."""
    member = _member(service_name, operation, path)
    return member.sensitive or bool(_SECRET_NAME.search(member.name or path.rsplit(".", 1)[-1]))


@functools.cache
def _member_names(service_name: str, shape_name: str) -> dict[str, str]:
    """A structure's member names by their normalised spelling (case and underscores aside)."""
    return {_normal(name): name for name in service(service_name).shapes[shape_name].get("members", {})}


def _normal(name: str) -> str:
    return name.replace("_", "").lower()


def _article(kind: str) -> str:
    return f"an {kind}" if kind[:1] in "aeiou" else f"a {kind}"


@dataclass(frozen=True)
class _Index:
    """A type's mapping arranged for lookups: fields by the top-level input they read."""

    by_input: Mapping[str, tuple[tuple[F | T, tuple[tuple[str, str], ...], Member], ...]]
    required: tuple[tuple[F, Member], ...]
    covered: frozenset[str]


@functools.cache
def _index(type_token: str, entry: TypeMap) -> _Index:
    by_input: dict[str, list] = {}
    required = []
    for field_ in entry.fields:
        steps = _steps(field_.input)
        member = _member(entry.service, field_.operation, field_.member)
        by_input.setdefault(steps[0][1], []).append((field_, steps, member))
        if isinstance(field_, F) and field_.required:
            required.append((field_, member))
    covered = frozenset(by_input) | frozenset(entry.provider_only)
    return _Index({k: tuple(v) for k, v in by_input.items()}, tuple(required), covered)


def check(type_token: str, props: Mapping[str, Any], mapping: Mapping[str, TypeMap] = MAPPING) -> Optional[Outcome]:
    """The resource's violations and what was not judged; None when the type has no mapping."""
    entry = mapping.get(type_token)
    if entry is None:
        return None
    outcome = Outcome()
    judge = _Judge(outcome)
    props, _ = _unwrap(props, False)
    if props is UNKNOWN or not isinstance(props, dict):
        outcome.not_judged.append("(all inputs)")
        return outcome
    index = _index(type_token, entry)
    for field_, member in index.required:
        if not _present(props, field_.input):
            judge.fail(field_.input, "(not set)", False, "be set: the API requires it", member.source)
    for key, value in props.items():
        if value is None:
            continue
        if key not in index.covered:
            outcome.unmapped.append(key)
        for field_, steps, member in index.by_input.get(key, ()):
            for leaf in _leaves(props, steps, "", False):
                secret = leaf.secret or (isinstance(field_, F) and field_.secret)
                if leaf.shape_error:
                    judge.fail(leaf.path, leaf.value, secret, f"{leaf.shape_error} (the input's shape)", member.source)
                elif isinstance(field_, T):
                    judge.tree(member, leaf.path, leaf.value, secret)
                elif leaf.value in field_.provider_values and not isinstance(leaf.value, bool):
                    continue
                else:
                    judge.leaf(member, leaf.path, leaf.value, secret)
    outcome.not_judged = list(dict.fromkeys(outcome.not_judged))
    return outcome


def clear_caches() -> None:
    """Forget the parsed models and the rules built from them (tests use it)."""
    from policy.api_rules import models

    models.LOADED.clear()
    for cached in (_index, _member, _hidden, _member_names):
        cached.cache_clear()
    _rules_for.cache_clear()


def member_of(service_name: str, operation: str, path: str) -> Member:
    """The model member a mapping entry names; ModelError when the model has none."""
    try:
        return _member(service_name, operation, path)
    except KeyError as exc:  # pragma: no cover - models name every shape they reference
        raise ModelError(str(exc)) from None
