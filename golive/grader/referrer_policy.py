"""referrer-policy: the Observatory's src/analyzer/tests/referrer-policy.js.

Browsers apply the last policy they recognise in the list (earlier ones are fallbacks
for old browsers); a header that names none, or is empty, is invalid.
"""

from __future__ import annotations

from enum import StrEnum

from golive.grader.model import Outcome, Response

NAME = "referrer-policy"


class Result(StrEnum):
    PRIVATE = "referrer-policy-private"
    NOT_IMPLEMENTED = "referrer-policy-not-implemented"
    UNSAFE = "referrer-policy-unsafe"
    HEADER_INVALID = "referrer-policy-header-invalid"


TABLE = {
    Result.PRIVATE: (5, "Referrer-Policy '{policy}' keeps full URLs from leaking to other sites."),
    Result.NOT_IMPLEMENTED: (
        0,
        "No Referrer-Policy header; set strict-origin-when-cross-origin or stricter to earn +5.",
    ),
    Result.UNSAFE: (
        -5,
        "Referrer-Policy '{policy}' sends URLs or origins to other sites; use strict-origin-when-cross-origin or stricter.",
    ),
    Result.HEADER_INVALID: (
        -5,
        "Referrer-Policy '{value}' holds no recognised policy; set strict-origin-when-cross-origin or stricter.",
    ),
}

PRIVATE = ("no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin")
UNSAFE = ("origin", "origin-when-cross-origin", "unsafe-url", "no-referrer-when-downgrade")


def check(response: Response) -> Outcome:
    header = response.header("referrer-policy")
    if header is None:
        return Outcome(Result.NOT_IMPLEMENTED)
    known = [v.strip().lower() for v in header.split(",") if v.strip().lower() in PRIVATE + UNSAFE]
    policy = known[-1] if known else ""
    if policy in PRIVATE:
        return Outcome(Result.PRIVATE, {"policy": policy})
    if policy in UNSAFE:
        return Outcome(Result.UNSAFE, {"policy": policy})
    return Outcome(Result.HEADER_INVALID, {"value": header})
