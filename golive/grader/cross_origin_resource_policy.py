"""cross-origin-resource-policy: the Observatory's src/analyzer/tests/cross-origin-resource-policy.js."""

from __future__ import annotations

from enum import StrEnum

from golive.grader.model import Outcome, Response

NAME = "cross-origin-resource-policy"


class Result(StrEnum):
    SAME_ORIGIN = "corp-implemented-with-same-origin"
    SAME_SITE = "corp-implemented-with-same-site"
    CROSS_ORIGIN = "corp-implemented-with-cross-origin"
    NOT_IMPLEMENTED = "corp-not-implemented"
    HEADER_INVALID = "corp-header-invalid"


TABLE = {
    Result.SAME_ORIGIN: (
        10,
        "Cross-Origin-Resource-Policy same-origin stops other origins from embedding these responses.",
    ),
    Result.SAME_SITE: (10, "Cross-Origin-Resource-Policy same-site stops other sites from embedding these responses."),
    Result.CROSS_ORIGIN: (
        0,
        "Cross-Origin-Resource-Policy cross-origin lets any site embed these responses; use same-origin or same-site unless they are meant to be public.",
    ),
    Result.NOT_IMPLEMENTED: (
        0,
        "No Cross-Origin-Resource-Policy header (browsers default to cross-origin); set same-origin or same-site to earn +10.",
    ),
    Result.HEADER_INVALID: (
        -5,
        "Cross-Origin-Resource-Policy '{value}' is not one of same-origin, same-site or cross-origin; send it once with one of those.",
    ),
}

_BY_VALUE = {
    "same-origin": Result.SAME_ORIGIN,
    "same-site": Result.SAME_SITE,
    "cross-origin": Result.CROSS_ORIGIN,
}


def check(response: Response) -> Outcome:
    header = response.non_empty("cross-origin-resource-policy")
    if header is None:
        return Outcome(Result.NOT_IMPLEMENTED)
    return Outcome(_BY_VALUE.get(header[:256].strip().lower(), Result.HEADER_INVALID), {"value": header})
