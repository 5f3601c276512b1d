"""strict-transport-security: the Observatory's src/analyzer/tests/strict-transport-security.js."""

from __future__ import annotations

from enum import StrEnum

from golive.grader.model import Outcome, Response
from objectos_core.headers import max_age_of
from objectos_core.limits import HSTS_PRELOAD_MIN_AGE

NAME = "strict-transport-security"


class Result(StrEnum):
    PRELOADED = "hsts-preloaded"
    AT_LEAST_SIX_MONTHS = "hsts-implemented-max-age-at-least-six-months"
    LESS_THAN_SIX_MONTHS = "hsts-implemented-max-age-less-than-six-months"
    NOT_IMPLEMENTED = "hsts-not-implemented"
    HEADER_INVALID = "hsts-header-invalid"
    NOT_IMPLEMENTED_NO_HTTPS = "hsts-not-implemented-no-https"
    INVALID_CERT = "hsts-invalid-cert"


TABLE = {
    Result.PRELOADED: (
        5,
        "HSTS meets the preload rules (max-age={max_age}, includeSubDomains, preload), but preload-list membership was not checked; confirm the domain at hstspreload.org.",
    ),
    Result.AT_LEAST_SIX_MONTHS: (
        0,
        "HSTS max-age={max_age} is at least six months; to qualify for the preload list also set {missing}.",
    ),
    Result.LESS_THAN_SIX_MONTHS: (
        -10,
        "HSTS max-age={max_age} is under six months (15552000 s); raise it, e.g. to 31536000.",
    ),
    Result.NOT_IMPLEMENTED: (
        -20,
        "No Strict-Transport-Security header; send 'max-age=31536000; includeSubDomains' on HTTPS responses.",
    ),
    Result.HEADER_INVALID: (
        -20,
        "Strict-Transport-Security cannot be recognised ({error}); send one header with a numeric max-age.",
    ),
    Result.NOT_IMPLEMENTED_NO_HTTPS: (
        -20,
        "The response came over plain HTTP, where browsers ignore Strict-Transport-Security; serve the site over HTTPS and send HSTS there.",
    ),
    Result.INVALID_CERT: (
        -20,
        "The HTTPS certificate is not trusted, so browsers ignore Strict-Transport-Security; serve a valid certificate.",
    ),
}

# 15768000 s is six months, but the Observatory accepts the common 15552000 (180 days).
SIX_MONTHS = 15_552_000
PRELOAD_MIN_AGE = HSTS_PRELOAD_MIN_AGE
# The results under which the Observatory counts HSTS as passing (the cookies test asks).
PASSING = frozenset({Result.AT_LEAST_SIX_MONTHS, Result.PRELOADED})


def check(response: Response) -> Outcome:
    if not response.https:
        return Outcome(Result.NOT_IMPLEMENTED_NO_HTTPS)
    header = response.header("strict-transport-security")
    if header is None:
        return Outcome(Result.NOT_IMPLEMENTED)
    header = header[:1024]  # the Observatory's guard against huge headers
    if "," in header:
        return Outcome(Result.HEADER_INVALID, {"error": "the header is sent more than once"})
    max_age: int | None = None
    seen_max_age = False
    directives: set[str] = set()
    for part in (p.strip().lower() for p in header.split(";")):
        if part.startswith("max-age="):
            seen_max_age = True
            max_age = max_age_of(part[8:128])
        elif part:
            directives.add(part)
    if not seen_max_age:
        return Outcome(Result.HEADER_INVALID, {"error": "max-age is missing (write it as max-age=<seconds>)"})
    if max_age is None:
        # Deliberate: the Observatory reads this with parseInt (NaN passes, "12abc" is 12).
        return Outcome(Result.HEADER_INVALID, {"error": "max-age is not a whole number of seconds"})
    if max_age < SIX_MONTHS:
        return Outcome(Result.LESS_THAN_SIX_MONTHS, {"max_age": max_age})
    missing = [] if max_age >= PRELOAD_MIN_AGE else [f"max-age>={PRELOAD_MIN_AGE}"]
    missing += [name for name in ("includeSubDomains", "preload") if name.lower() not in directives]
    if not missing:
        return Outcome(Result.PRELOADED, {"max_age": max_age})
    return Outcome(Result.AT_LEAST_SIX_MONTHS, {"max_age": max_age, "missing": ", ".join(missing)})
