"""Pin golive.grader on known header sets.

Expected scores are worked out by hand from the HTTP Observatory's published
modifiers (mdn/mdn-http-observatory src/grader/charts.js). Rule: start at 100,
penalties always count, bonuses count only if 100 + penalties >= 90, floor at 0.
"""

from __future__ import annotations

import dataclasses

import pytest

from golive.grader import GRADE_BANDS, SCORE_TABLE, Grade, Modifier, grade_for, grade_headers

STRICT_CSP = "default-src 'none'; frame-ancestors 'none'"
CONSOLE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
STRICT = {
    "Content-Security-Policy": STRICT_CSP,
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Resource-Policy": "same-origin",
}
TESTS_IN_ORDER = (
    "content-security-policy",
    "cookies",
    "cross-origin-resource-sharing",
    "redirection",
    "referrer-policy",
    "strict-transport-security",
    "subresource-integrity",
    "x-content-type-options",
    "x-frame-options",
    "cross-origin-resource-policy",
)


def strict(**changes: str | None) -> dict[str, str]:
    """The strict set with headers replaced (str) or removed (None); keys use '_' for '-'."""
    headers = dict(STRICT)
    for key, value in changes.items():
        name = key.replace("_", "-")
        existing = next((k for k in headers if k.lower() == name), name)
        if value is None:
            del headers[existing]
        else:
            headers[existing] = value
    return headers


def by_test(grade: Grade) -> dict[str, Modifier]:
    return {m.test: m for m in grade.modifiers}


def results(grade: Grade) -> dict[str, str]:
    return {m.test: m.result for m in grade.modifiers}


# --- Whole header sets --------------------------------------------------------


def test_empty_headers_over_https_without_redirect_is_f():
    grade = grade_headers({}, https=True, redirects_to_https=False)
    # 100 - 25 (csp-not-implemented) - 20 (hsts-not-implemented) - 5 (x-content-type-options-not-implemented)
    #     - 20 (x-frame-options-not-implemented) - 20 (redirection-missing) = 10
    assert (grade.score, grade.grade) == (10, "F")
    assert results(grade) == {
        "content-security-policy": "csp-not-implemented",
        "cookies": "cookies-not-found",
        "cross-origin-resource-sharing": "cross-origin-resource-sharing-not-implemented",
        "redirection": "redirection-missing",
        "referrer-policy": "referrer-policy-not-implemented",
        "strict-transport-security": "hsts-not-implemented",
        "subresource-integrity": "sri-not-implemented-response-not-html",
        "x-content-type-options": "x-content-type-options-not-implemented",
        "x-frame-options": "x-frame-options-not-implemented",
        "cross-origin-resource-policy": "corp-not-implemented",
    }


def test_strict_set_is_a_plus():
    grade = grade_headers(STRICT, redirects_to_https=True)
    # No penalties, so 100 >= 90 and bonuses count:
    # 100 + 10 (csp default-src 'none') + 5 (referrer-policy-private)
    #     + 5 (x-frame-options via CSP frame-ancestors) + 10 (corp same-origin) = 130
    assert (grade.score, grade.grade) == (130, "A+")
    assert [m.test for m in grade.modifiers] == list(TESTS_IN_ORDER)
    assert results(grade)["content-security-policy"] == "csp-implemented-with-no-unsafe-default-src-none"
    assert results(grade)["x-frame-options"] == "x-frame-options-implemented-via-csp"
    assert results(grade)["strict-transport-security"] == "hsts-implemented-max-age-at-least-six-months"


def test_console_csp_keeps_a_plus_but_loses_the_csp_bonus():
    grade = grade_headers(strict(content_security_policy=CONSOLE_CSP), redirects_to_https=True)
    # style-src 'unsafe-inline' -> csp-implemented-with-unsafe-inline-in-style-src-only (0);
    # img-src data: is passive content and not penalised; object-src 'none' restricts plugins.
    # 100 + 0 (csp) + 5 (referrer) + 5 (frame-ancestors) + 10 (corp) = 120
    assert (grade.score, grade.grade) == (120, "A+")
    csp = by_test(grade)["content-security-policy"]
    assert (csp.result, csp.score) == ("csp-implemented-with-unsafe-inline-in-style-src-only", 0)
    assert "'unsafe-inline'" in csp.reason


def test_strict_set_without_hsts_loses_all_bonuses():
    grade = grade_headers(strict(strict_transport_security=None), redirects_to_https=True)
    # 100 - 20 (hsts-not-implemented) = 80 < 90, so the +30 of bonuses is not counted -> 80
    assert (grade.score, grade.grade) == (80, "B+")
    bonuses = [m for m in grade.modifiers if m.score > 0]
    assert len(bonuses) == 4
    assert all("Bonus not counted" in m.reason and "80" in m.reason for m in bonuses)


def test_strict_set_without_x_frame_options_is_unchanged_thanks_to_frame_ancestors():
    grade = grade_headers(strict(x_frame_options=None), redirects_to_https=True)
    # frame-ancestors 'none' still gives x-frame-options-implemented-via-csp (+5): same 130 as the strict set
    assert (grade.score, grade.grade) == (130, "A+")
    assert results(grade)["x-frame-options"] == "x-frame-options-implemented-via-csp"


def test_strict_set_without_any_framing_control():
    grade = grade_headers(
        strict(x_frame_options=None, content_security_policy="default-src 'none'"), redirects_to_https=True
    )
    # 100 - 20 (x-frame-options-not-implemented) = 80 < 90 -> bonuses dropped -> 80
    assert (grade.score, grade.grade) == (80, "B+")
    assert results(grade)["x-frame-options"] == "x-frame-options-not-implemented"


def test_x_frame_options_alone_is_accepted_without_bonus():
    grade = grade_headers(strict(content_security_policy="default-src 'none'"), redirects_to_https=True)
    # 100 + 10 (csp) + 5 (referrer) + 0 (XFO DENY) + 10 (corp) = 125
    assert (grade.score, grade.grade) == (125, "A+")
    assert by_test(grade)["x-frame-options"].result == "x-frame-options-sameorigin-or-deny"


def test_wildcard_cors_with_credentials_is_the_worst_case():
    headers = strict(access_control_allow_origin="*", access_control_allow_credentials="true")
    grade = grade_headers(headers, redirects_to_https=True)
    # 100 - 50 (universal access) = 50 < 90 -> bonuses dropped -> 50
    assert (grade.score, grade.grade) == (50, "C")
    cors = by_test(grade)["cross-origin-resource-sharing"]
    assert (cors.result, cors.score) == ("cross-origin-resource-sharing-implemented-with-universal-access", -50)
    assert "Access-Control-Allow-Credentials" in cors.reason


def test_wildcard_cors_without_credentials_is_public_access():
    grade = grade_headers(strict(access_control_allow_origin="*"), redirects_to_https=True)
    assert grade.score == 130  # public access is 0
    assert (
        by_test(grade)["cross-origin-resource-sharing"].result
        == "cross-origin-resource-sharing-implemented-with-public-access"
    )


def test_reflected_probe_origin_with_credentials_is_universal_access():
    headers = strict(access_control_allow_origin="https://evil.example", access_control_allow_credentials="true")
    grade = grade_headers(headers, redirects_to_https=True, cors_origin_probe="https://evil.example")
    # 100 - 50 = 50
    assert (grade.score, grade.grade) == (50, "C")
    cors = by_test(grade)["cross-origin-resource-sharing"]
    assert cors.result == "cross-origin-resource-sharing-implemented-with-universal-access"
    assert "https://evil.example" in cors.reason


def test_reflected_probe_origin_without_credentials_is_not_penalised_but_flagged():
    headers = strict(access_control_allow_origin="https://evil.example")
    grade = grade_headers(headers, redirects_to_https=True, cors_origin_probe="https://evil.example")
    cors = by_test(grade)["cross-origin-resource-sharing"]
    assert (cors.result, cors.score) == ("cross-origin-resource-sharing-implemented-with-restricted-access", 0)
    assert "echoed" in cors.reason


def test_fixed_trusted_origin_with_credentials_is_restricted_access():
    headers = strict(access_control_allow_origin="https://console.example", access_control_allow_credentials="true")
    grade = grade_headers(headers, redirects_to_https=True, cors_origin_probe="https://evil.example")
    assert grade.score == 130
    cors = by_test(grade)["cross-origin-resource-sharing"]
    assert cors.result == "cross-origin-resource-sharing-implemented-with-restricted-access"
    assert "echoed" not in cors.reason


def test_unsafe_inline_script():
    csp = "default-src 'none'; script-src 'self' 'unsafe-inline'; frame-ancestors 'none'"
    grade = grade_headers(strict(content_security_policy=csp), redirects_to_https=True)
    # 100 - 20 (csp-implemented-with-unsafe-inline) = 80 < 90 -> bonuses dropped -> 80
    assert (grade.score, grade.grade) == (80, "B+")
    modifier = by_test(grade)["content-security-policy"]
    assert (modifier.result, modifier.score) == ("csp-implemented-with-unsafe-inline", -20)
    assert "script-src allows 'unsafe-inline'" in modifier.reason


def test_unsafe_inline_next_to_a_nonce_is_ignored():
    csp = "default-src 'none'; script-src 'nonce-r4nd0m' 'unsafe-inline'; frame-ancestors 'none'"
    grade = grade_headers(strict(content_security_policy=csp), redirects_to_https=True)
    # browsers ignore 'unsafe-inline' when a nonce is present -> same 130 as the strict set
    assert grade.score == 130
    assert results(grade)["content-security-policy"] == "csp-implemented-with-no-unsafe-default-src-none"


def test_short_hsts_max_age_still_counts_bonuses_at_exactly_90():
    grade = grade_headers(strict(strict_transport_security="max-age=300"), redirects_to_https=True)
    # 100 - 10 (hsts less than six months) = 90 >= 90, so bonuses count:
    # 90 + 10 + 5 + 5 + 10 = 120
    assert (grade.score, grade.grade) == (120, "A+")
    hsts = by_test(grade)["strict-transport-security"]
    assert (hsts.result, hsts.score) == ("hsts-implemented-max-age-less-than-six-months", -10)
    assert "300" in hsts.reason


def test_bonuses_dropped_just_below_90():
    headers = strict(strict_transport_security="max-age=300", x_content_type_options=None)
    grade = grade_headers(headers, redirects_to_https=True)
    # 100 - 10 (hsts short) - 5 (x-content-type-options missing) = 85 < 90 -> 85
    assert (grade.score, grade.grade) == (85, "A-")


def test_hsts_over_plain_http_is_ignored():
    grade = grade_headers(STRICT, https=False, redirects_to_https=True)
    # HSTS is not honoured over http: hsts-not-implemented-no-https (-20); 100 - 20 = 80 -> bonuses dropped
    assert (grade.score, grade.grade) == (80, "B+")
    assert results(grade)["strict-transport-security"] == "hsts-not-implemented-no-https"


# --- HSTS details ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "result"),
    [
        ("max-age=15552000", "hsts-implemented-max-age-at-least-six-months"),  # the Observatory's 180-day floor
        ("max-age=15551999", "hsts-implemented-max-age-less-than-six-months"),
        ('max-age="31536000"', "hsts-implemented-max-age-at-least-six-months"),  # quoted value is valid (RFC 6797)
        ("MAX-AGE=31536000; INCLUDESUBDOMAINS", "hsts-implemented-max-age-at-least-six-months"),
        ("includeSubDomains", "hsts-header-invalid"),  # no max-age
        ("max-age=forever", "hsts-header-invalid"),
        ("max-age=31536000, max-age=300", "hsts-header-invalid"),  # sent twice
        ("max-age=31536000; includeSubDomains; preload", "hsts-preloaded"),
        ("max-age=31535999; includeSubDomains; preload", "hsts-implemented-max-age-at-least-six-months"),
        ("max-age=31536000; preload", "hsts-implemented-max-age-at-least-six-months"),
    ],
)
def test_hsts_results(value: str, result: str):
    grade = grade_headers({"Strict-Transport-Security": value})
    hsts = by_test(grade)["strict-transport-security"]
    assert hsts.result == result
    assert hsts.score == SCORE_TABLE[result][0]


def test_preload_ready_hsts_gets_the_bonus_and_says_the_list_was_not_checked():
    headers = strict(strict_transport_security="max-age=63072000; includeSubDomains; preload")
    grade = grade_headers(headers, redirects_to_https=True)
    # 130 (strict set) + 5 (hsts-preloaded) = 135, the Observatory's maximum for these tests
    assert grade.score == 135
    assert "not checked" in by_test(grade)["strict-transport-security"].reason


def test_hsts_reason_names_only_what_preloading_still_needs():
    reason = by_test(grade_headers(STRICT))["strict-transport-security"].reason
    assert "preload" in reason
    assert "includeSubDomains" not in reason


# --- CSP details ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("csp", "result"),
    [
        ("script-src 'self'", "csp-implemented-with-unsafe-inline"),  # object-src not restricted
        ("default-src 'self'; object-src *", "csp-implemented-with-unsafe-inline"),
        ("default-src 'self'; script-src https:", "csp-implemented-with-unsafe-inline"),  # overly broad
        ("default-src 'self'; script-src 'self' data:", "csp-implemented-with-unsafe-inline"),
        ("default-src 'self'; script-src http://cdn.example", "csp-implemented-with-insecure-scheme"),
        ("default-src 'self'; script-src 'self' 'unsafe-eval'", "csp-implemented-with-unsafe-eval"),
        (
            "default-src 'self'; img-src http://img.example",
            "csp-implemented-with-insecure-scheme-in-passive-content-only",
        ),
        ("default-src 'self'", "csp-implemented-with-no-unsafe"),
        ("default-src 'none'; script-src 'self'", "csp-implemented-with-no-unsafe-default-src-none"),
        ("default-src 'self'; script-src 'strict-dynamic'", "csp-header-invalid"),  # needs a nonce or hash
        (
            "default-src 'self'; script-src 'nonce-abc' 'strict-dynamic' https: 'unsafe-inline'",
            "csp-implemented-with-no-unsafe",
        ),
        ("default-src 'self'; default-src 'none'", "csp-header-invalid"),  # repeated directive
        ("default-src 'none'; report-uri /a; report-uri /b", "csp-implemented-but-duplicate-directives"),
        ("", "csp-header-invalid"),
    ],
)
def test_csp_results(csp: str, result: str):
    grade = grade_headers({"Content-Security-Policy": csp})
    modifier = by_test(grade)["content-security-policy"]
    assert modifier.result == result
    assert modifier.score == SCORE_TABLE[result][0]


def test_default_src_none_with_only_safe_overrides_gets_the_top_csp_result():
    grade = grade_headers({"Content-Security-Policy": "default-src 'none'; img-src 'self'; object-src 'none'"})
    assert results(grade)["content-security-policy"] == "csp-implemented-with-no-unsafe-default-src-none"


def test_http_sources_are_not_insecure_on_a_plain_http_site():
    grade = grade_headers({"Content-Security-Policy": "default-src 'self'; script-src http://cdn.example"}, https=False)
    assert results(grade)["content-security-policy"] == "csp-implemented-with-no-unsafe"


def test_report_only_csp_is_not_enforcement():
    grade = grade_headers({"Content-Security-Policy-Report-Only": STRICT_CSP})
    csp = by_test(grade)["content-security-policy"]
    assert (csp.result, csp.score) == ("csp-not-implemented-but-reporting-enabled", -25)
    # and frame-ancestors in a report-only policy does not stop framing
    assert results(grade)["x-frame-options"] == "x-frame-options-not-implemented"


def test_a_comma_does_not_split_csp_into_policies():
    # Like the Observatory, the joined value of a repeated header is read as one policy,
    # so here script-src appears twice in it and the policy is invalid.
    joined = "default-src 'none'; script-src 'self' 'unsafe-inline', default-src 'none'; script-src 'self'"
    grade = grade_headers({"Content-Security-Policy": joined})
    assert results(grade)["content-security-policy"] == "csp-header-invalid"


# --- Other single-header tests ------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "value", "test", "result"),
    [
        ("Referrer-Policy", "unsafe-url", "referrer-policy", "referrer-policy-unsafe"),
        ("Referrer-Policy", "no-referrer, unsafe-url", "referrer-policy", "referrer-policy-unsafe"),  # last wins
        (
            "Referrer-Policy",
            "unsafe-url, strict-origin-when-cross-origin",
            "referrer-policy",
            "referrer-policy-private",
        ),
        ("Referrer-Policy", "strict-origin-when-cross-origin, bogus", "referrer-policy", "referrer-policy-private"),
        ("Referrer-Policy", "bogus", "referrer-policy", "referrer-policy-header-invalid"),
        ("X-Content-Type-Options", "sniff-away", "x-content-type-options", "x-content-type-options-header-invalid"),
        ("X-Content-Type-Options", "NoSniff", "x-content-type-options", "x-content-type-options-nosniff"),
        ("X-Frame-Options", "sameorigin", "x-frame-options", "x-frame-options-sameorigin-or-deny"),
        ("X-Frame-Options", "DENY, DENY", "x-frame-options", "x-frame-options-header-invalid"),  # sent twice
        ("X-Frame-Options", "DENY, SAMEORIGIN", "x-frame-options", "x-frame-options-header-invalid"),
        ("X-Frame-Options", "ALLOW-FROM https://a.example", "x-frame-options", "x-frame-options-allow-from-origin"),
        ("X-Frame-Options", "ALLOWALL", "x-frame-options", "x-frame-options-header-invalid"),
        (
            "Cross-Origin-Resource-Policy",
            "same-site",
            "cross-origin-resource-policy",
            "corp-implemented-with-same-site",
        ),
        (
            "Cross-Origin-Resource-Policy",
            "cross-origin",
            "cross-origin-resource-policy",
            "corp-implemented-with-cross-origin",
        ),
        ("Cross-Origin-Resource-Policy", "same-host", "cross-origin-resource-policy", "corp-header-invalid"),
    ],
)
def test_single_header_results(header: str, value: str, test: str, result: str):
    modifier = by_test(grade_headers({header: value}))[test]
    assert modifier.result == result
    assert modifier.score == SCORE_TABLE[result][0]


@pytest.mark.parametrize(
    ("redirects", "result", "score"),
    [(True, "redirection-to-https", 0), (False, "redirection-missing", -20), (None, "redirection-not-tested", 0)],
)
def test_redirection(redirects: bool | None, result: str, score: int):
    modifier = by_test(grade_headers({}, redirects_to_https=redirects))["redirection"]
    assert (modifier.result, modifier.score) == (result, score)


def test_untested_redirect_says_so():
    assert "not tested" in by_test(grade_headers({}))["redirection"].reason


# --- Cookies ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cookies", "headers", "https", "result"),
    [
        (
            ["sessionid=a; Secure; HttpOnly; SameSite=Strict"],
            STRICT,
            True,
            "cookies-secure-with-httponly-sessions-and-samesite",
        ),
        (["sessionid=a; Secure; HttpOnly"], STRICT, True, "cookies-secure-with-httponly-sessions"),
        (
            ["sessionid=a; HttpOnly; SameSite=Lax"],
            STRICT,
            True,
            "cookies-session-without-secure-flag-but-protected-by-hsts",
        ),
        (["sessionid=a; HttpOnly; SameSite=Lax"], {}, True, "cookies-session-without-secure-flag"),
        (["theme=dark; SameSite=Lax"], STRICT, True, "cookies-without-secure-flag-but-protected-by-hsts"),
        (["theme=dark; SameSite=Lax"], {}, True, "cookies-without-secure-flag"),
        (["sessionid=a; Secure; SameSite=Lax"], STRICT, True, "cookies-session-without-httponly-flag"),
        (["csrftoken=a; Secure"], STRICT, True, "cookies-anticsrf-without-samesite-flag"),
        (["theme=dark; Secure; SameSite=Sometimes"], STRICT, True, "cookies-samesite-flag-invalid"),
        (["theme=dark; SameSite=None"], STRICT, True, "cookies-samesite-flag-invalid"),  # None needs Secure
        # the Observatory grades the flags, not the transport the cookie came over
        (
            ["sessionid=a; Secure; HttpOnly; SameSite=Lax"],
            STRICT,
            False,
            "cookies-secure-with-httponly-sessions-and-samesite",
        ),
        (["heroku-session-affinity=x"], STRICT, True, "cookies-not-found"),
    ],
)
def test_cookie_results(cookies: list[str], headers: dict[str, str], https: bool, result: str):
    modifier = by_test(grade_headers(headers, https=https, cookies=cookies))["cookies"]
    assert modifier.result == result
    assert modifier.score == SCORE_TABLE[result][0]


def test_worst_cookie_decides_and_is_named():
    cookies = ["theme=dark; Secure; SameSite=Lax", "sessionid=a; Secure; SameSite=Lax"]
    modifier = by_test(grade_headers(STRICT, cookies=cookies, redirects_to_https=True))["cookies"]
    assert modifier.result == "cookies-session-without-httponly-flag"
    assert "sessionid" in modifier.reason and "theme" not in modifier.reason


def test_good_cookies_add_to_the_strict_score():
    grade = grade_headers(STRICT, redirects_to_https=True, cookies=["sessionid=a; Secure; HttpOnly; SameSite=Lax"])
    # 130 (strict set) + 5 (cookies-secure-with-httponly-sessions-and-samesite) = 135
    assert grade.score == 135


def test_score_never_goes_below_zero():
    headers = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Credentials": "true"}
    grade = grade_headers(headers, redirects_to_https=False, cookies=["sessionid=a"])
    # 100 - 25 (csp) - 20 (hsts) - 5 (xcto) - 20 (xfo) - 20 (redirect) - 50 (cors) - 40 (session cookie) = -80 -> 0
    assert (grade.score, grade.grade) == (0, "F")


# --- Input handling and reasons --------------------------------------------------------------


def test_header_names_are_case_insensitive():
    mixed = grade_headers(STRICT, redirects_to_https=True)
    lower = grade_headers({k.lower(): v for k, v in STRICT.items()}, redirects_to_https=True)
    upper = grade_headers({k.upper(): v for k, v in STRICT.items()}, redirects_to_https=True)
    assert mixed == lower == upper
    assert mixed.score == 130


def test_same_header_in_two_cases_is_joined():
    # joined as "max-age=31536000, max-age=300", i.e. HSTS sent twice -> invalid
    headers = {"Strict-Transport-Security": "max-age=31536000", "strict-transport-security": "max-age=300"}
    assert results(grade_headers(headers))["strict-transport-security"] == "hsts-header-invalid"


HEADER_SETS = [
    ({}, {}),
    (STRICT, {"redirects_to_https": True}),
    (strict(content_security_policy=CONSOLE_CSP), {"redirects_to_https": False}),
    (strict(strict_transport_security="max-age=abc"), {"cookies": ["csrftoken=1", "sessionid=2"]}),
    (strict(content_security_policy="script-src *; style-src http:"), {"https": False}),
    (
        {"Access-Control-Allow-Origin": "https://x.example", "Access-Control-Allow-Credentials": "true"},
        {"cors_origin_probe": "https://x.example"},
    ),
    ({"Referrer-Policy": "nope", "X-Frame-Options": "nope", "Cross-Origin-Resource-Policy": "nope"}, {}),
]


@pytest.mark.parametrize(("headers", "kwargs"), HEADER_SETS)
def test_every_modifier_has_a_filled_in_reason(headers: dict[str, str], kwargs: dict):
    grade = grade_headers(headers, **kwargs)
    assert len(grade.modifiers) == len(TESTS_IN_ORDER)
    for modifier in grade.modifiers:
        assert modifier.reason.strip(), modifier
        assert "{" not in modifier.reason and "}" not in modifier.reason, modifier  # no unfilled template field
        assert modifier.score == SCORE_TABLE[modifier.result][0]


def test_results_are_frozen():
    grade = grade_headers({})
    with pytest.raises(dataclasses.FrozenInstanceError):
        grade.score = 100  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        grade.modifiers[0].score = 0  # type: ignore[misc]


# --- Grade bands --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        (135, "A+"),
        (100, "A+"),
        (99, "A"),
        (90, "A"),
        (89, "A-"),
        (85, "A-"),
        (84, "B+"),
        (80, "B+"),
        (79, "B"),
        (70, "B"),
        (69, "B-"),
        (65, "B-"),
        (64, "C+"),
        (60, "C+"),
        (59, "C"),
        (50, "C"),
        (49, "C-"),
        (45, "C-"),
        (44, "D+"),
        (40, "D+"),
        (39, "D"),
        (30, "D"),
        (29, "D-"),
        (25, "D-"),
        (24, "F"),
        (0, "F"),
        (-1, "F"),
        (-80, "F"),
    ],
)
def test_grade_for_band_edges(score: int, grade: str):
    assert grade_for(score) == grade


# The Observatory's GRADE_CHART (multiples of 5), copied from its source as an independent check.
OBSERVATORY_GRADE_CHART = {
    100: "A+",
    95: "A",
    90: "A",
    85: "A-",
    80: "B+",
    75: "B",
    70: "B",
    65: "B-",
    60: "C+",
    55: "C",
    50: "C",
    45: "C-",
    40: "D+",
    35: "D",
    30: "D",
    25: "D-",
    20: "F",
    15: "F",
    10: "F",
    5: "F",
    0: "F",
}


@pytest.mark.parametrize("score", range(0, 141))
def test_grade_for_matches_the_observatory_chart(score: int):
    assert grade_for(score) == OBSERVATORY_GRADE_CHART[min(score - score % 5, 100)]


def test_grade_bands_is_a_descending_table_ending_at_zero():
    floors = [floor for floor, _ in GRADE_BANDS]
    assert floors == sorted(floors, reverse=True)
    assert floors[-1] == 0
    assert len({grade for _, grade in GRADE_BANDS}) == len(GRADE_BANDS) == 13
