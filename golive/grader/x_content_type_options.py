"""x-content-type-options: the Observatory's src/analyzer/tests/x-content-type-options.js.

The whole (joined) value must be nosniff: a header sent twice reads "nosniff, nosniff",
which the Observatory calls invalid.
"""

from __future__ import annotations

from enum import StrEnum

from golive.grader.model import Outcome, Response

NAME = "x-content-type-options"


class Result(StrEnum):
    NOSNIFF = "x-content-type-options-nosniff"
    NOT_IMPLEMENTED = "x-content-type-options-not-implemented"
    HEADER_INVALID = "x-content-type-options-header-invalid"


TABLE = {
    Result.NOSNIFF: (0, "X-Content-Type-Options is nosniff, so browsers will not MIME-sniff responses."),
    Result.NOT_IMPLEMENTED: (-5, "No X-Content-Type-Options header; add 'X-Content-Type-Options: nosniff'."),
    Result.HEADER_INVALID: (
        -5,
        "X-Content-Type-Options '{value}' is not nosniff; send it once, set to exactly nosniff.",
    ),
}


def check(response: Response) -> Outcome:
    header = response.non_empty("x-content-type-options")
    if header is None:
        return Outcome(Result.NOT_IMPLEMENTED)
    if header[:256].strip().lower() == "nosniff":
        return Outcome(Result.NOSNIFF)
    return Outcome(Result.HEADER_INVALID, {"value": header})
