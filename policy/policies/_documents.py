"""Reading AWS policy documents (IAM, bucket, key policies) the way AWS reads them.

A document arrives as a JSON string or as a mapping (a dict literal, or what
`aws.iam.get_policy_document` returned). `statements` gives its statements with
every field in one shape: lists for Action/Resource/Principal values, so a check
never branches on "a string or a list". A document AWS would refuse (not JSON,
a Statement that is neither a mapping nor a list of them, an Effect other than
Allow or Deny) raises ValueError, which the policy wrapper reports as a finding
on that resource.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Optional

from policy.policies._props import UNKNOWN, elements, get, is_list, is_mapping, items

ACCOUNT_ROOT = re.compile(r"(arn:aws[a-z-]*:iam::\d{12}:root|\d{12})")


@dataclass(frozen=True)
class Statement:
    index: int
    sid: str
    effect: str  # Allow or Deny
    actions: tuple[Any, ...]  # strings; UNKNOWN where a value is not known yet
    not_actions: Optional[tuple[Any, ...]]
    resources: tuple[Any, ...]
    not_resources: Optional[tuple[Any, ...]]
    principals: Optional[dict[str, tuple[Any, ...]]]  # "*" as {"*": ("*",)}; None without Principal
    not_principal: bool
    condition: Any  # the Condition block, None without one

    @property
    def where(self) -> str:
        return f"statement {self.sid!r}" if self.sid else f"statement {self.index}"

    @property
    def allows(self) -> bool:
        return self.effect == "Allow"

    @property
    def any_principal(self) -> bool:
        """Principal "*" or {"AWS": "*"}: anybody, any account."""
        if self.principals is None:
            return False
        return "*" in self.principals.get("*", ()) or "*" in self.principals.get("AWS", ())

    def unknown(self) -> bool:
        values = [*self.actions, *(self.not_actions or ()), *self.resources, *(self.not_resources or ())]
        for found in (self.principals or {}).values():
            values += found
        return any(v is UNKNOWN for v in values) or self.condition is UNKNOWN


def document(value: Any) -> Any:
    """The document as a mapping; None when absent, UNKNOWN when not known yet; malformed raises."""
    if value is None or value is UNKNOWN:
        return value
    if isinstance(value, str):
        if not value.strip():
            return None
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise ValueError(f"the policy document is not JSON ({exc.msg} at character {exc.pos})") from None
    if not is_mapping(value):
        raise ValueError("the policy document must be a JSON object with a Statement")
    return value


def statements(doc: Any) -> Iterator[Statement]:
    """Every statement of a document (see `document`), each field as a tuple of values."""
    raw = get(doc, "Statement")
    if raw is None:
        return
    if raw is UNKNOWN:
        yield Statement(0, "", "Allow", (UNKNOWN,), None, (UNKNOWN,), None, None, False, None)
        return
    listed = [raw] if is_mapping(raw) else list(elements(raw)) if is_list(raw) else None
    if listed is None:
        raise ValueError("Statement must be an object or a list of objects")
    for index, entry in enumerate(listed):
        if entry is UNKNOWN:
            yield Statement(index, "", "Allow", (UNKNOWN,), None, (UNKNOWN,), None, None, False, None)
            continue
        if not is_mapping(entry):
            raise ValueError(f"Statement[{index}] must be an object")
        effect = get(entry, "Effect")
        if effect is UNKNOWN:
            effect = "Allow"  # judged as the stricter reading; its values are checked below
        elif effect not in ("Allow", "Deny"):
            raise ValueError(f"Statement[{index}].Effect must be Allow or Deny, not {effect!r}")
        sid = get(entry, "Sid")
        principal, not_principal = get(entry, "Principal"), get(entry, "NotPrincipal")
        yield Statement(
            index=index,
            sid=sid if isinstance(sid, str) else "",
            effect=effect,
            actions=_values(get(entry, "Action"), index, "Action"),
            not_actions=_values(get(entry, "NotAction"), index, "NotAction") if "NotAction" in entry else None,
            resources=_values(get(entry, "Resource"), index, "Resource"),
            not_resources=_values(get(entry, "NotResource"), index, "NotResource") if "NotResource" in entry else None,
            principals=_principals(not_principal if principal is None else principal, index),
            not_principal=principal is None and not_principal is not None,
            condition=get(entry, "Condition"),
        )


def _values(value: Any, index: int, field: str) -> tuple[Any, ...]:
    if value is None:
        return ()
    if isinstance(value, str) or value is UNKNOWN:
        return (value,)
    if is_list(value):
        found = tuple(elements(value))
        if any(not isinstance(v, str) and v is not UNKNOWN for v in found):
            raise ValueError(f"Statement[{index}].{field} must hold strings")
        return found
    raise ValueError(f"Statement[{index}].{field} must be a string or a list of strings")


def _principals(value: Any, index: int) -> Optional[dict[str, tuple[Any, ...]]]:
    if value is None:
        return None
    if value is UNKNOWN:
        return {"AWS": (UNKNOWN,)}
    if value == "*":
        return {"*": ("*",)}
    if not is_mapping(value):
        raise ValueError(f'Statement[{index}].Principal must be "*" or an object such as {{"AWS": [...]}}')
    return {str(kind): _values(v, index, f"Principal.{kind}") for kind, v in items(value)}


def is_account_root(principal: Any) -> bool:
    """The account itself (arn:aws:iam::ACCOUNT:root or a bare account id): every IAM identity the account allows."""
    return isinstance(principal, str) and bool(ACCOUNT_ROOT.fullmatch(principal.strip()))
