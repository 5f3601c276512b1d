"""One Observatory test per module of golive.grader: each read as the scanner reads it.

Where these pin a reading that looks odd, it is the scanner's own (and
tests/golive/grader/test_grader_differential.py checks it against the real one).
"""

from __future__ import annotations

import pytest

import golive.grader
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
from golive.grader.model import Response, normalise_headers


def response(**headers: str) -> Response:
    return Response(headers=normalise_headers({k.replace("_", "-"): v for k, v in headers.items()}))


def result(module, resp: Response) -> str:
    return str(module.check(resp).result)


@pytest.mark.parametrize("test", golive.grader.TESTS, ids=lambda t: t.NAME)
def test_every_result_has_a_score_and_a_reason(test):
    assert set(test.TABLE) == set(test.Result)
    assert all(isinstance(score, int) and reason for score, reason in test.TABLE.values())


# --- content-security-policy ----------------------------------------------------------


@pytest.mark.parametrize(
    ("csp", "expected"),
    [
        # a comma is part of a source, not a policy separator: default-src is no longer only 'none',
        # and script-src falls back to it, 'unsafe-inline' and all
        ("default-src 'none', script-src 'unsafe-inline'", "csp-implemented-with-unsafe-inline"),
        ("default-src 'none',", "csp-implemented-with-no-unsafe"),
        ("", "csp-header-invalid"),
        ("a", "csp-header-invalid"),
        ("img-sr", "csp-implemented-with-unsafe-inline"),  # six characters is long enough; no script-src
        (";;;;;;", "csp-not-implemented"),  # parses, but to no directive
        ("default-src 'none'; report-uri /a; report-uri /b", "csp-implemented-but-duplicate-directives"),
        ("default-src 'none'; report-uri /a; report-uri http://r.example", "csp-implemented-with-insecure-scheme"),
        # 'strict-dynamic' through default-src strips https: from default-src itself, so object-src too
        ("default-src 'nonce-x' 'strict-dynamic' https:", "csp-implemented-with-no-unsafe"),
        ("script-src 'strict-dynamic'; object-src 'none'", "csp-header-invalid"),
    ],
)
def test_csp_reading(csp: str, expected: str):
    assert result(content_security_policy, response(content_security_policy=csp)) == expected


def test_csp_source_shadowed_by_a_shorter_one_is_dropped():
    parsed = content_security_policy.parse_csp("script-src https: https://a.example 'self'")
    assert parsed.directives["script-src"] == {"https:", "'self'"}


def test_empty_report_only_is_not_reporting():
    assert result(content_security_policy, response(content_security_policy_report_only="")) == "csp-not-implemented"


# --- cookies ----------------------------------------------------------------------------


def grade_cookies(lines: list[str], hsts: bool = True) -> str:
    return str(cookies.grade_cookies(lines, hsts=hsts).result)


def test_the_last_set_cookie_for_a_name_is_the_one_kept():
    good, bad = "sessionid=a; Secure; HttpOnly; SameSite=Lax", "sessionid=b"
    assert grade_cookies([bad, good]) == "cookies-secure-with-httponly-sessions-and-samesite"
    assert grade_cookies([good, bad]) == "cookies-session-without-httponly-flag"


def test_cookies_on_different_paths_are_different_cookies():
    assert (
        grade_cookies(["x=1; Path=/a", "x=1; Secure; SameSite=Lax"])
        == "cookies-without-secure-flag-but-protected-by-hsts"
    )


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["noequals"], "cookies-not-found"),
        (["=value; Secure"], "cookies-not-found"),
        (["__Secure-id=1"], "cookies-not-found"),  # breaks its prefix rule, so the jar drops it
        (["__Host-id=1; Secure; Path=/app"], "cookies-not-found"),
        (["heroku-session-affinity=x"], "cookies-not-found"),
        (["Heroku-Session-Affinity=x; Secure; SameSite=Lax"], "cookies-session-without-httponly-flag"),  # case counts
        (["sessionid=gone; Max-Age=0"], "cookies-session-without-httponly-flag"),  # expired cookies stay in the jar
        (["theme=dark; Secure; SameSite="], "cookies-samesite-flag-invalid"),
        (["theme=dark; Secure; SameSite"], "cookies-samesite-flag-invalid"),
        # the jar reads SameSite "lax=1" as no SameSite; the raw-line check reads it as "lax"
        (["login=1; secure; httponly; samesite=lax=1"], "cookies-secure-with-httponly-sessions"),
        # a line the jar drops still counts for SameSite, unless nothing is left in the jar
        (["noequals; SameSite=bogus", "theme=dark; Secure; SameSite=Lax"], "cookies-samesite-flag-invalid"),
        (["noequals; SameSite=bogus"], "cookies-not-found"),
    ],
)
def test_cookie_reading(lines: list[str], expected: str):
    assert grade_cookies(lines) == expected


def test_hsts_softens_a_missing_secure_flag():
    assert grade_cookies(["theme=dark; SameSite=Lax"], hsts=False) == "cookies-without-secure-flag"
    assert grade_cookies(["theme=dark; SameSite=Lax"], hsts=True) == "cookies-without-secure-flag-but-protected-by-hsts"


# --- cross-origin-resource-sharing -------------------------------------------------------

PROBE = "https://probe.example"


def cors(acao: str, credentials: str | None = None, probe: str | None = PROBE) -> str:
    headers = {"access-control-allow-origin": acao}
    if credentials is not None:
        headers["access-control-allow-credentials"] = credentials
    return result(cross_origin_resource_sharing, Response(headers=headers, cors_origin_probe=probe))


def test_empty_allow_origin_is_no_cors():
    assert cors("") == "cross-origin-resource-sharing-not-implemented"


def test_reflected_origin_must_match_exactly():
    assert cors(PROBE, "true") == "cross-origin-resource-sharing-implemented-with-universal-access"
    assert cors(PROBE + "/", "true") == "cross-origin-resource-sharing-implemented-with-restricted-access"
    assert cors(PROBE, "true, true") == "cross-origin-resource-sharing-implemented-with-restricted-access"


# --- redirection -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("chain", "expected"),
    [
        ((), "redirection-not-needed-no-http"),
        (("http://a.example/",), "redirection-missing"),
        (("http://a.example/", "https://a.example/"), "redirection-to-https"),
        (("http://a.example/", "https://a.example/hop", "https://a.example/"), "redirection-to-https"),
        (
            ("http://a.example/", "http://a.example/step", "https://a.example/"),
            "redirection-not-to-https-on-initial-redirection",
        ),
        (("http://a.example/", "https://b.example/"), "redirection-off-host-from-http"),
        (("http://a.example/", "http://a.example/plain"), "redirection-not-to-https"),
    ],
)
def test_redirect_chains(chain: tuple[str, ...], expected: str):
    assert result(redirection, Response(headers={}, redirects=chain)) == expected


# --- the single-header tests -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("module", "header", "value", "expected"),
    [
        (referrer_policy, "referrer-policy", "", "referrer-policy-header-invalid"),
        (referrer_policy, "referrer-policy", "origin,bogus", "referrer-policy-unsafe"),
        (strict_transport_security, "strict-transport-security", "", "hsts-header-invalid"),
        (strict_transport_security, "strict-transport-security", "max-age=abc", "hsts-header-invalid"),
        (strict_transport_security, "strict-transport-security", "max-age=12abc", "hsts-header-invalid"),
        (
            strict_transport_security,
            "strict-transport-security",
            'max-age="31536000"',
            "hsts-implemented-max-age-at-least-six-months",
        ),
        (strict_transport_security, "strict-transport-security", "max-age = 31536000", "hsts-header-invalid"),
        (
            strict_transport_security,
            "strict-transport-security",
            "max-age=300; max-age=31536000",
            "hsts-implemented-max-age-at-least-six-months",
        ),
        (
            strict_transport_security,
            "strict-transport-security",
            "max-age=31536000, max-age=31536000",
            "hsts-header-invalid",
        ),
        (x_content_type_options, "x-content-type-options", "", "x-content-type-options-not-implemented"),
        (x_content_type_options, "x-content-type-options", "nosniff, nosniff", "x-content-type-options-header-invalid"),
        (x_frame_options, "x-frame-options", "", "x-frame-options-not-implemented"),
        (x_frame_options, "x-frame-options", "DENY, DENY", "x-frame-options-header-invalid"),
        (cross_origin_resource_policy, "cross-origin-resource-policy", "", "corp-not-implemented"),
        (
            cross_origin_resource_policy,
            "cross-origin-resource-policy",
            "same-origin, same-origin",
            "corp-header-invalid",
        ),
    ],
)
def test_single_header_reading(module, header: str, value: str, expected: str):
    assert result(module, Response(headers={header: value})) == expected


def test_frame_ancestors_counts_even_when_strict_dynamic_lacks_a_nonce():
    resp = response(content_security_policy="script-src 'strict-dynamic'; frame-ancestors 'self'")
    assert result(x_frame_options, resp) == "x-frame-options-implemented-via-csp"


# --- subresource-integrity ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "body", "expected"),
    [
        (None, "", "sri-not-implemented-response-not-html"),
        ("text/html ; charset=utf-8", "<script src=x></script>", "sri-not-implemented-response-not-html"),
        ("text/html", None, "sri-not-tested"),
        ("text/html", "<p>hi</p>", "sri-not-implemented-but-no-scripts-loaded"),
        ("text/html", "<script>inline()</script>", "sri-not-implemented-but-all-scripts-loaded-from-secure-origin"),
        (
            "text/html",
            '<script src="/a.js" integrity="sha384-x"></script>',
            "sri-implemented-and-all-scripts-loaded-securely",
        ),
        (
            "text/html",
            '<script src="https://cdn.other.example/x.js"></script>',
            "sri-not-implemented-but-external-scripts-loaded-securely",
        ),
        (
            "text/html",
            '<script src="//cdn.other.example/x.js"></script>',
            "sri-not-implemented-and-external-scripts-not-loaded-securely",
        ),
        (
            "text/html",
            '<script src="http://cdn.other.example/x.js" integrity="sha384-x"></script>',
            "sri-implemented-but-external-scripts-not-loaded-securely",
        ),
        (
            "text/html",
            '<script src="https://static.site.example/x.js"></script>',
            "sri-not-implemented-but-all-scripts-loaded-from-secure-origin",
        ),
    ],
)
def test_subresource_integrity(content_type: str | None, body: str | None, expected: str):
    headers = {"content-type": content_type} if content_type else {}
    resp = Response(headers=headers, body=body, host="www.site.example")
    assert result(subresource_integrity, resp) == expected
