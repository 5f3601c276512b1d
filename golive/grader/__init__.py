"""Grade HTTP response headers the way Mozilla's HTTP Observatory does.

Pure functions, standard library only, no I/O: the caller fetches the response and
passes its headers here. One module per Observatory test, each a `Result` enum named
with the Observatory's own result names, a score table (result -> modifier, reason) and
`check(response) -> Outcome`; scoring.py adds them up.

Parity is with the scanner mdn/mdn-http-observatory (the npm package pinned in
tools/observatory/package.json), and is checked in CI by tests/golive/grader/test_grader_differential.py,
which serves a few hundred generated header sets on loopback, scans them with the real
scanner and compares every test's result, the score and the grade.
  - src/grader/charts.js        SCORE_TABLE (modifiers), GRADE_CHART, MINIMUM_SCORE_FOR_EXTRA_CREDIT
  - src/scanner/index.js        baseline 100, bonus rule, floor at 0
  - src/analyzer/tests/*.js     the rule behind each result
  - src/analyzer/cspParser.js   CSP parsing

Input is read as the scanner's HTTP client (Node) reads it: a repeated header arrives as
one value joined with ", " (the verifier's Fetched.header_map joins the same way), so a
header sent twice, even with the same value, is read as that joined value; an empty
value counts as no header except for CSP, HSTS and Referrer-Policy, where it is invalid;
Set-Cookie lines are passed separately and graded as a cookie jar keeps them.

Deliberate differences from the Observatory (tests/golive/grader/test_grader_differential.py knows each
by its id and fails on any other):
  - cors-wildcard-with-credentials: `Access-Control-Allow-Origin: *` together with
    `Access-Control-Allow-Credentials: true` gets the universal-access penalty (-50). The
    Observatory scores it as public access (0), because browsers refuse that combination,
    but it always means a misconfigured endpoint.
  - cors-reflected-origin-with-credentials: an Access-Control-Allow-Origin that echoes the
    probe Origin, with Access-Control-Allow-Credentials: true, gets the universal-access
    penalty (-50): any site can then read responses with the user's cookies. The Observatory
    means to penalise this too, but reads the Origin from the axios request object, which
    does not carry it, so it never sees the echo and calls it restricted access (0).
  - hsts-preload-not-checked: "hsts-preloaded" (+5) is given when the header meets the
    preload-list rules (max-age >= 1 year, includeSubDomains, preload); the Observatory
    gives it only for a host on Chromium's preload list, which is not read here (the
    reason says so). For the same reason "redirection-all-redirects-preloaded" is never given.
  - hsts-max-age-not-a-number: a max-age that is not a whole number of seconds (RFC 6797:
    digits, optionally quoted) makes the header invalid (-20), since browsers ignore such
    a header. The Observatory reads it with JavaScript's parseInt, so "abc" or a quoted
    value (NaN) passes as at least six months and "12abc" counts as 12. Cookies graded
    under such a header lose the "protected by HSTS" softening here too.
  - not-tested: "redirection-not-tested" and "sri-not-tested" (0) stand where the caller
    did not run the redirect check or pass the HTML body; the Observatory always has both.
  - Approximations the differential test does not exercise: cookies without a Path are
    taken as set at "/", and a Domain attribute is not checked against the host (neither is
    known here); Subresource Integrity compares hosts by their last two labels where the
    Observatory uses the public-suffix list; within one CSP directive a source shadowed by a
    shorter prefix is found in code-point order where the Observatory uses locale order.
  - Only response headers are read; <meta http-equiv> policies in the body are not seen.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import ModuleType

from golive.grader import (
    content_security_policy,
    cookies,
    cross_origin_resource_policy,
    cross_origin_resource_sharing,
    redirection,
    referrer_policy,
    strict_transport_security,
    subresource_integrity,
    x_content_type_options,
    x_frame_options,
)
from golive.grader.content_security_policy import CspParseError, ParsedCsp, parse_csp
from golive.grader.model import Outcome, Response, normalise_headers
from golive.grader.scoring import (
    BASELINE_SCORE,
    GRADE_BANDS,
    MINIMUM_SCORE_FOR_EXTRA_CREDIT,
    Grade,
    Modifier,
    grade_for,
    modifier,
    total,
)

__all__ = [
    "BASELINE_SCORE",
    "DELIBERATE_DIFFERENCES",
    "GRADE_BANDS",
    "MINIMUM_SCORE_FOR_EXTRA_CREDIT",
    "SCORE_TABLE",
    "TESTS",
    "CspParseError",
    "Grade",
    "Modifier",
    "Outcome",
    "ParsedCsp",
    "Response",
    "grade_for",
    "grade_headers",
    "grade_response",
    "parse_csp",
]

# The Observatory's tests, in its order (src/constants.js ALL_TESTS).
TESTS: tuple[ModuleType, ...] = (
    content_security_policy,
    cookies,
    cross_origin_resource_sharing,
    redirection,
    referrer_policy,
    strict_transport_security,
    subresource_integrity,
    x_content_type_options,
    x_frame_options,
    cross_origin_resource_policy,
)

# result name -> (modifier, reason template), every test's table in one.
SCORE_TABLE: dict[str, tuple[int, str]] = {str(r): entry for test in TESTS for r, entry in test.TABLE.items()}

# The ids of the differences listed in this docstring.
DELIBERATE_DIFFERENCES = (
    "cors-wildcard-with-credentials",
    "cors-reflected-origin-with-credentials",
    "hsts-preload-not-checked",
    "hsts-max-age-not-a-number",
    "not-tested",
)


def grade_response(response: Response) -> Grade:
    """Run every test on the response and add up the score."""
    return total(modifier(test.NAME, test.TABLE, (o := test.check(response)).result, o.findings) for test in TESTS)


def grade_headers(
    headers: Mapping[str, str],
    *,
    https: bool = True,
    redirects_to_https: bool | None = None,
    redirects: Sequence[str] | None = None,
    cookies: Sequence[str] = (),
    cors_origin_probe: str | None = None,
    body: str | None = None,
    host: str | None = None,
) -> Grade:
    """Grade a response's headers like the HTTP Observatory.

    headers: response headers, any name case; repeated values joined with ", ".
    https: the response came over HTTPS (HSTS over plain HTTP is ignored by browsers).
    redirects_to_https: True if http:// redirects to https:// on the same host at the
        first hop, False if it does not, None if not tested (scored 0).
    redirects: instead, every URL the request for http://host/ went through, ending at
        the final one; () when plain HTTP did not answer.
    cookies: raw Set-Cookie values (not read from `headers`: joined Set-Cookie is ambiguous).
    cors_origin_probe: the Origin sent with the request, to spot a reflected origin.
    body, host: the HTML body and the scanned host, for Subresource Integrity.

    The score starts at 100; penalties always count, bonuses only when the score with
    penalties alone is at least 90. The score never goes below 0.
    """
    return grade_response(
        Response(
            headers=normalise_headers(headers),
            cookies=tuple(cookies),
            https=https,
            redirects=None if redirects is None else tuple(redirects),
            redirects_to_https=redirects_to_https,
            cors_origin_probe=cors_origin_probe,
            body=body,
            host=host,
        )
    )
