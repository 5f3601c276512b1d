"""Secrets out of every message and report, at the point where they are made.

A credential can come back in many spellings: as given, with its line break
escaped by a `repr` (`abc\\r`), as the bytes an HTTP library complains about
(`b'Bearer abc\\r'`), percent-encoded in a URL, JSON-escaped in a body. A
`Redactor` knows the secret values of one run and replaces every spelling of
each with `***`, so a report can quote a server's or a library's words safely.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from typing import TypeVar
from urllib.parse import quote, quote_plus

MASK = "***"
MIN_SECRET_CHARACTERS = 4  # shorter values would mask ordinary words; no credential is that short

T = TypeVar("T")


def spellings(secret: str) -> set[str]:
    """The forms in which `secret` may turn up in an error message or a report."""
    forms = {secret, secret.strip()}
    for form in list(forms):
        forms |= {
            repr(form)[1:-1],
            repr(form.encode("utf-8"))[2:-1],
            json.dumps(form)[1:-1],
            json.dumps(form, ensure_ascii=False)[1:-1],
            quote(form, safe=""),
            quote_plus(form, safe=""),
        }
        try:
            forms.add(form.encode("latin-1").decode("utf-8", "replace"))
        except UnicodeEncodeError:
            pass
    return {form for form in forms if len(form) >= MIN_SECRET_CHARACTERS}


class Redactor:
    """Masks every spelling of the given secret values in text and in findings."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        forms: set[str] = set()
        for secret in secrets:
            if isinstance(secret, str) and secret:
                forms |= spellings(secret)
        # Longest first: a secret that contains another is masked whole.
        self._forms = sorted(forms, key=len, reverse=True)

    def __bool__(self) -> bool:
        return bool(self._forms)

    def text(self, value: str) -> str:
        for form in self._forms:
            if form in value:
                value = value.replace(form, MASK)
        return value

    def fields(self, item: T, names: Iterable[str]) -> T:
        """A copy of the dataclass `item` with the named text fields masked."""
        changes = {name: self.text(getattr(item, name)) for name in names if isinstance(getattr(item, name, None), str)}
        return dataclasses.replace(item, **changes) if changes else item  # type: ignore[type-var]
