"""The verifier's judges, from literal observations: each verdict names the checklist item it serves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from golive.results import Finding
from golive.verify import checks
from golive.verify.checks import (
    AccessProbeResult,
    Expectations,
    FetchError,
    RateProbe,
    Response,
    TlsObservation,
)

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; object-src 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "geolocation=(), camera=()",
    "Cross-Origin-Resource-Policy": "same-origin",
}
HSTS = "max-age=31536000; includeSubDomains"
EXPECTED = Expectations(
    headers=HEADERS,
    hsts=HSTS,
    cors_origins=("https://app.example.com",),
    cors_credentials=True,
    auth_rate_limit=10,
    auth_window_seconds=60,
)


def response(status: int = 200, url: str = "https://app.example.com/", body: bytes = b"", **headers: str) -> Response:
    return Response(url, status, tuple((k.replace("_", "-"), v) for k, v in headers.items()), body)


def page(**changes: str | None) -> Response:
    headers = {**HEADERS, "Strict-Transport-Security": HSTS}
    for key, value in changes.items():
        name = key.replace("_", "-")
        headers.pop(name, None) if value is None else headers.__setitem__(name, value)
    return Response("https://app.example.com/", 200, tuple(headers.items()))


def test_an_outcome_must_name_a_checklist_item():
    with pytest.raises(ValueError, match="unknown checklist id"):
        checks.outcome("headers-ok", "headers", "pass", "fine")


# --- headers ------------------------------------------------------------------


def test_promised_headers_pass_whatever_their_spacing_and_case():
    spaced = page(
        Content_Security_Policy="default-src 'self';frame-ancestors 'none';  object-src 'none';", X_Frame_Options="deny"
    )
    assert checks.security_headers("/", spaced, EXPECTED).status == "pass"


def test_a_missing_header_fails_and_is_named():
    outcome = checks.security_headers("/api/v1/health", page(X_Frame_Options=None), EXPECTED)
    assert (outcome.rule, outcome.status) == ("security-headers-present", "fail")
    assert "X-Frame-Options is missing" in outcome.reason


def test_a_different_value_fails_with_both_values():
    outcome = checks.security_headers("/", page(Referrer_Policy="unsafe-url"), EXPECTED)
    assert outcome.status == "fail"
    assert "'unsafe-url'" in outcome.reason and "strict-origin-when-cross-origin" in outcome.reason


def test_a_header_the_alb_cannot_set_says_so():
    alb = Expectations(**{**EXPECTED.__dict__, "not_at_edge": ("Referrer-Policy",)})
    outcome = checks.security_headers("/api/v1/auth/get-session", page(Referrer_Policy=None), alb)
    assert outcome.status == "fail" and "cloudfront edge" in outcome.reason


def test_a_header_sent_twice_warns():
    doubled = Response("https://a/", 200, (*page().headers, ("X-Frame-Options", "DENY")))
    assert checks.security_headers("/", doubled, EXPECTED).status == "warn"


def test_a_fetch_error_fails_the_route_with_its_reason():
    outcome = checks.security_headers("/", FetchError("https://a/", "the response stalled"), EXPECTED)
    assert outcome.status == "fail" and outcome.reason == "the response stalled"


def test_the_strict_header_set_grades_an_a():
    outcome = checks.header_grade("/", page(), redirects_to_https=True)
    assert outcome.status == "pass" and outcome.reason.startswith("A")


def test_a_response_without_csp_grades_below_a_and_says_why():
    outcome = checks.header_grade("/", page(Content_Security_Policy=None), redirects_to_https=True)
    assert outcome.status == "fail"
    assert "Content-Security-Policy" in outcome.reason


# --- redirect and HSTS --------------------------------------------------------


def test_a_permanent_redirect_to_https_on_the_same_host_passes():
    answer = response(301, "http://app.example.com/", location="https://app.example.com/")
    assert checks.https_redirect(answer, "https://app.example.com").status == "pass"


def test_a_temporary_redirect_warns():
    answer = response(302, "http://app.example.com/", location="https://app.example.com/")
    assert checks.https_redirect(answer, "https://app.example.com").status == "warn"


@pytest.mark.parametrize(
    "status, location",
    [(200, None), (301, "https://evil.example.net/"), (301, "http://app.example.com/login"), (301, "/login")],
)
def test_anything_but_a_first_hop_to_https_on_the_host_fails(status, location):
    headers = {"location": location} if location else {}
    outcome = checks.https_redirect(response(status, "http://app.example.com/", **headers), "https://app.example.com")
    assert (outcome.rule, outcome.status) == ("tls-at-edge", "fail")


def test_hsts_as_configured_passes_and_a_shorter_max_age_fails():
    assert (
        checks.hsts_over_https(page(Strict_Transport_Security="max-age=31536000; includesubdomains"), HSTS).status
        == "pass"
    )
    outcome = checks.hsts_over_https(page(Strict_Transport_Security="max-age=300"), HSTS)
    assert (outcome.rule, outcome.status) == ("hsts-after-tls", "fail")


def test_hsts_missing_fails():
    assert checks.hsts_over_https(page(Strict_Transport_Security=None), HSTS).status == "fail"


def test_hsts_sent_while_disabled_fails():
    assert checks.hsts_over_https(page(), None).status == "fail"
    assert checks.hsts_over_https(page(Strict_Transport_Security=None), None).status == "pass"


def test_hsts_over_plain_http_fails():
    plain = response(
        301, "http://app.example.com/", location="https://app.example.com/", strict_transport_security=HSTS
    )
    assert checks.no_hsts_over_http(plain).status == "fail"
    assert checks.no_hsts_over_http(response(301, "http://app.example.com/")).status == "pass"


# --- CORS ---------------------------------------------------------------------

ORIGIN = "https://app.example.com"


def preflight(**headers: str) -> Response:
    return response(204, **headers)


def test_the_allowed_origin_echoed_with_credentials_passes():
    answer = preflight(access_control_allow_origin=ORIGIN, access_control_allow_credentials="true")
    assert checks.cors_allowed(answer, ORIGIN, credentials=True).status == "pass"


@pytest.mark.parametrize(
    "headers",
    [
        {"access_control_allow_origin": "*"},
        {"access_control_allow_origin": "https://other.example.com", "access_control_allow_credentials": "true"},
        {"access_control_allow_origin": ORIGIN},  # credentials promised, not sent
        {},
    ],
)
def test_the_allowed_origin_gets_anything_else_fails(headers):
    outcome = checks.cors_allowed(preflight(**headers), ORIGIN, credentials=True)
    assert (outcome.rule, outcome.status) == ("cors-explicit-origins", "fail")


def test_an_unlisted_origin_gets_nothing():
    assert checks.cors_disallowed(preflight(), "https://x.invalid").status == "pass"


@pytest.mark.parametrize("allowed", ["*", "https://x.invalid"])
def test_an_unlisted_origin_allowed_or_wildcard_fails(allowed):
    outcome = checks.cors_disallowed(preflight(access_control_allow_origin=allowed), "https://x.invalid")
    assert outcome.status == "fail"


# --- TLS ----------------------------------------------------------------------


def tls(**fields) -> TlsObservation:
    base = dict(host="app.example.com", port=443, protocol="TLSv1.3", not_after=NOW + timedelta(days=80))
    return TlsObservation(**{**base, **fields})


def test_tls_1_3_with_a_fresh_certificate_passes():
    assert checks.tls_protocol(tls()).status == "pass"
    assert checks.tls_certificate(tls(), NOW).status == "pass"


def test_an_old_protocol_fails_and_so_does_accepting_one():
    assert checks.tls_protocol(tls(protocol="TLSv1.1")).status == "fail"
    accepted = checks.tls_protocol(tls(legacy_accepted="TLSv1"))
    assert accepted.status == "fail" and "TLSv1" in accepted.reason


def test_a_rejected_certificate_fails_with_the_verification_message():
    outcome = checks.tls_certificate(tls(error="certificate rejected: certificate has expired", not_after=None), NOW)
    assert (outcome.rule, outcome.status) == ("tls-at-edge", "fail") and "expired" in outcome.reason


def test_a_certificate_expiring_within_three_weeks_warns():
    outcome = checks.tls_certificate(tls(not_after=NOW + timedelta(days=20)), NOW)
    assert outcome.status == "warn" and "20 days" in outcome.reason


# --- rate limit ---------------------------------------------------------------


def probe(**fields) -> RateProbe:
    base = dict(path="/api/v1/auth/get-session", limit=10, window_seconds=60, sent=11, elapsed_seconds=0.4)
    return RateProbe(**{**base, **fields})


def test_a_429_with_retry_after_passes():
    assert checks.rate_limited(probe(limited_status=429, limited_after=10, retry_after="60")).status == "pass"


def test_a_block_without_retry_after_warns():
    assert checks.rate_limited(probe(limited_status=403, limited_after=10)).status == "warn"


def test_no_limit_fails_with_the_count_sent():
    outcome = checks.rate_limited(probe(sent=55, elapsed_seconds=40.2))
    assert (outcome.rule, outcome.status) == ("rate-limits-auth-write", "fail") and "55 requests" in outcome.reason


# --- access probes ------------------------------------------------------------


@pytest.mark.parametrize(
    "document, rows",
    [
        ({"success": True, "data": {"object": "account", "records": [], "total": 0}}, (0, 0)),
        ({"object": "account", "records": [{"id": 1}]}, (1, None)),
        ({"value": []}, (0, None)),
        ({"data": [{"id": 1}, {"id": 2}]}, (2, None)),
        ([], (0, None)),
        ({"error": "nope"}, None),
    ],
)
def test_rows_are_read_from_every_objectstack_shape(document, rows):
    assert checks.rows_in(document) == rows


def access(status: int, body: bytes = b"", expect=("denied",), credential: str | None = "ORG_A_TOKEN") -> Finding:
    fetched = response(status, "https://a/api/v1/data/account", body)
    return checks.access_denied(
        AccessProbeResult("read org B", "GET /api/v1/data/account", expect, fetched, credential)
    )


def test_a_denial_passes():
    assert access(403).status == "pass"
    assert access(401, credential=None).status == "pass"


def test_a_401_with_a_credential_proves_nothing():
    outcome = access(401)
    assert outcome.status == "fail" and "$ORG_A_TOKEN was refused" in outcome.reason


def test_records_from_another_organization_fail_as_a_leak():
    body = b'{"success":true,"data":{"records":[{"id":"acc_b"}],"total":1}}'
    outcome = access(200, body, expect=("denied", "empty"))
    assert (outcome.rule, outcome.status) == ("cross-org-access-denied", "fail")
    assert "1 records" in outcome.reason and "leaks" in outcome.reason


def test_zero_records_pass_when_empty_is_expected():
    assert access(200, b'{"success":true,"data":{"records":[],"total":0}}', expect=("empty",)).status == "pass"


def test_an_unreadable_200_is_not_taken_for_empty():
    assert access(200, b"<html>", expect=("empty",)).status == "fail"


def test_a_control_probe_passes_on_2xx_only():
    assert access(200, expect=("allowed",)).status == "pass"
    assert access(403, expect=("allowed",)).status == "fail"
