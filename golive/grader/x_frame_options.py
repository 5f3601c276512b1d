"""x-frame-options: the Observatory's src/analyzer/tests/x-frame-options.js.

CSP frame-ancestors overrides X-Frame-Options in browsers, so a readable policy that
sets it decides the result. Otherwise the whole (joined) value is read: "DENY, DENY"
is invalid, as in the Observatory.
"""

from __future__ import annotations

from enum import StrEnum

from golive.grader import content_security_policy
from golive.grader.model import Outcome, Response

NAME = "x-frame-options"


class Result(StrEnum):
    IMPLEMENTED_VIA_CSP = "x-frame-options-implemented-via-csp"
    SAMEORIGIN_OR_DENY = "x-frame-options-sameorigin-or-deny"
    ALLOW_FROM_ORIGIN = "x-frame-options-allow-from-origin"
    NOT_IMPLEMENTED = "x-frame-options-not-implemented"
    HEADER_INVALID = "x-frame-options-header-invalid"


TABLE = {
    Result.IMPLEMENTED_VIA_CSP: (
        5,
        "Framing is controlled by CSP frame-ancestors ({sources}), which supersedes X-Frame-Options.",
    ),
    Result.SAMEORIGIN_OR_DENY: (0, "X-Frame-Options is {value}; also set CSP frame-ancestors to earn +5."),
    Result.ALLOW_FROM_ORIGIN: (
        0,
        "X-Frame-Options uses ALLOW-FROM, which current browsers ignore; use CSP frame-ancestors instead.",
    ),
    Result.NOT_IMPLEMENTED: (
        -20,
        "Nothing stops other sites framing this page (clickjacking); add CSP frame-ancestors 'none' (or 'self') and X-Frame-Options: DENY.",
    ),
    Result.HEADER_INVALID: (
        -20,
        "X-Frame-Options '{value}' cannot be recognised; send it once, as DENY or SAMEORIGIN, or use CSP frame-ancestors.",
    ),
}


def check(response: Response) -> Outcome:
    _, csp = content_security_policy.analyse(response)
    if csp is not None and "frame-ancestors" in csp.directives:
        return Outcome(Result.IMPLEMENTED_VIA_CSP, {"sources": " ".join(sorted(csp.directives["frame-ancestors"]))})
    header = response.non_empty("x-frame-options")
    if header is None:
        return Outcome(Result.NOT_IMPLEMENTED)
    value = header[:1024].strip().lower()
    if value in ("deny", "sameorigin"):
        return Outcome(Result.SAMEORIGIN_OR_DENY, {"value": value.upper()})
    if value.startswith("allow-from"):
        return Outcome(Result.ALLOW_FROM_ORIGIN)
    return Outcome(Result.HEADER_INVALID, {"value": header})
