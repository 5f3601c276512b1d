"""The shapes every Observatory test shares: the response it reads and the outcome it gives."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


@dataclass(frozen=True)
class Response:
    """What the scanner saw, as the tests read it.

    headers: lower-case name -> value, repeats joined with ", " (as Node's HTTP client and
        golive.verify's Fetched.header_map join them); Set-Cookie is not read from here.
    cookies: the raw Set-Cookie lines, in the order they arrived.
    https: the final response came over HTTPS.
    redirects: the URLs the plain-HTTP request went through, first http:// URL to final one,
        () when plain HTTP could not be reached, None when not recorded.
    redirects_to_https: the older, one-hop answer (True/False), used when redirects is None.
    cors_origin_probe: the Origin sent with the request, to spot a reflected origin.
    body: the response body, for Subresource Integrity; None when not fetched.
    host: the host that was scanned, for Subresource Integrity's same-site test.
    """

    headers: Mapping[str, str]
    cookies: tuple[str, ...] = ()
    https: bool = True
    redirects: tuple[str, ...] | None = None
    redirects_to_https: bool | None = None
    cors_origin_probe: str | None = None
    body: str | None = None
    host: str | None = None

    def header(self, name: str) -> str | None:
        """The header's (joined) value, or None when absent."""
        return self.headers.get(name)

    def non_empty(self, name: str) -> str | None:
        """The header's value when present and not empty: the Observatory reads an empty
        value as no header for most tests (its `if (header)` is false for "")."""
        return self.headers.get(name) or None


@dataclass(frozen=True)
class Outcome:
    """One test's verdict: a result from that test's enum and the findings its reason quotes."""

    result: StrEnum
    findings: Mapping[str, object] = field(default_factory=dict)


def normalise_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Lower-case names, values stripped of surrounding whitespace (as HTTP parsers do);
    names that differ only in case are joined with ', ' like a repeated header."""
    out: dict[str, str] = {}
    for name, value in headers.items():
        key, text = name.strip().lower(), str(value).strip()
        out[key] = f"{out[key]}, {text}" if key in out else text
    return out
