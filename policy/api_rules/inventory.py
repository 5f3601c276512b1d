"""What the mapping checks, counted: every rule reachable from every mapped input.

For docs and tests: `constraints()` lists (type, input, member source, kind, rule) for each
pattern, length, range, enum, count and required rule the check applies (the type of a
value is checked too but not counted), walking T subtrees once per shape.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from policy.api_rules.check import member_of, rules_for
from policy.api_rules.mapping import MAPPING, F
from policy.api_rules.models import Member, service
from policy.api_rules.rules import NotChecked


@dataclass(frozen=True)
class Constraint:
    type_token: str
    input: str
    source: str
    kind: str
    rule: str


def _subtree(member: Member, seen: set[str]) -> Iterator[Member]:
    yield member
    if member.shape_name in seen:
        return
    seen.add(member.shape_name)
    model = service(member.service)
    shape_type = member.shape.get("type")
    if shape_type == "structure":
        for name in member.shape.get("members", {}):
            yield from _subtree(model.child(member, name), seen)
    elif shape_type == "list":
        yield from _subtree(model.child(member, "[]"), seen)
    elif shape_type == "map":
        yield from _subtree(model.child(member, "{key}"), seen)
        yield from _subtree(model.child(member, "{}"), seen)


def constraints() -> list[Constraint]:
    found: list[Constraint] = []
    for token, entry in MAPPING.items():
        for field_ in entry.fields:
            member = member_of(entry.service, field_.operation, field_.member)
            members = [member] if isinstance(field_, F) else list(_subtree(member, set()))
            if isinstance(field_, F) and field_.required:
                found.append(Constraint(token, field_.input, member.source, "required", "be set"))
            for each in members:
                rules, _ = rules_for(each)
                found += [
                    Constraint(token, field_.input, r.source, r.kind, r.text)
                    for r in rules[1:]
                    if not (r.kind == "type")
                ]
    return found


def not_checked() -> list[NotChecked]:
    """Rules a mapped member carries that the checker cannot apply (expected: none)."""
    missing: list[NotChecked] = []
    for entry in MAPPING.values():
        for field_ in entry.fields:
            member = member_of(entry.service, field_.operation, field_.member)
            members = [member] if isinstance(field_, F) else list(_subtree(member, set()))
            for each in members:
                missing += [n for n in rules_for(each)[1] if n not in missing]
    return missing
