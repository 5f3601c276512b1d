"""The header model, without Pulumi: strict defaults, overrides, HSTS rules, CORS, what an ALB can carry."""

from __future__ import annotations

import dataclasses

import pytest

from golive.grader import grade_headers, parse_csp
from objectos_core import headers
from objectos_core.headers import ALB_UNSUPPORTED, CorsPolicy, hsts_parts, hsts_value
from program.adapters import header_set
from tests.conftest import stack_settings

PRIVATE_REFERRER_POLICIES = {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}


def cors(**changes) -> CorsPolicy:
    base = dict(
        origins=("https://app.example.com",),
        allow_credentials=True,
        allowed_methods=("GET", "POST"),
        allowed_headers=("Authorization", "Content-Type"),
        max_age_seconds=600,
    )
    return CorsPolicy(**{**base, **changes})


@pytest.fixture(scope="module")
def prod_headers():
    return header_set(stack_settings("prod"))


# --- the defaults -------------------------------------------------------------------


def test_prod_default_header_set_grades_a_plus(prod_headers):
    grade = grade_headers(prod_headers.as_map(), redirects_to_https=True)
    assert grade.score >= 100, [m.reason for m in grade.modifiers if m.score < 0]
    assert grade.grade == "A+"


def test_no_default_header_costs_points(prod_headers):
    grade = grade_headers(prod_headers.as_map(), redirects_to_https=True)
    assert [m.result for m in grade.modifiers if m.score < 0] == []


def test_defaults_are_the_strict_values(prod_headers):
    assert prod_headers.content_type_options == "nosniff"
    assert prod_headers.frame_options == "DENY"
    assert prod_headers.referrer_policy in PRIVATE_REFERRER_POLICIES
    assert prod_headers.cross_origin_resource_policy == "same-origin"
    assert prod_headers.permissions_policy == "geolocation=(), camera=(), microphone=(), payment=()"


def test_default_csp_runs_only_this_origins_scripts(prod_headers):
    csp = parse_csp(prod_headers.content_security_policy).directives
    assert csp["script-src"] == {"'self'"}
    assert csp["object-src"] == {"'none'"}
    assert csp["frame-ancestors"] == {"'none'"}


def test_default_csp_lets_the_console_load_its_own_assets_and_call_the_api(prod_headers):
    csp = parse_csp(prod_headers.content_security_policy).directives
    for directive in ("default-src", "style-src", "img-src", "font-src", "connect-src"):
        assert "'self'" in csp[directive], directive


def test_an_override_replaces_one_value_only(prod_headers):
    overridden = header_set(stack_settings("prod", headers={"frameOptions": "SAMEORIGIN"}))
    assert overridden.frame_options == "SAMEORIGIN"
    assert dataclasses.replace(overridden, frame_options=prod_headers.frame_options) == prod_headers


def test_as_map_names_every_header_once(prod_headers):
    assert set(prod_headers.as_map()) == {
        "Content-Security-Policy",
        "X-Content-Type-Options",
        "X-Frame-Options",
        "Referrer-Policy",
        "Permissions-Policy",
        "Cross-Origin-Resource-Policy",
        "Strict-Transport-Security",
    }


# --- HSTS ---------------------------------------------------------------------------


def test_hsts_follows_the_stack_settings():
    settings = stack_settings("prod")
    assert (
        header_set(settings).strict_transport_security == f"max-age={settings.hsts.max_age_seconds}; includeSubDomains"
    )


def test_hsts_is_absent_when_disabled():
    disabled = header_set(stack_settings("prod", hsts={"enabled": False}))
    assert disabled.strict_transport_security is None
    assert "Strict-Transport-Security" not in disabled.as_map()


def test_hsts_value_is_formatted_as_the_edge_sends_it():
    assert hsts_value(31536000, True, True) == "max-age=31536000; includeSubDomains; preload"
    assert hsts_value(300, False, False) == "max-age=300"


@pytest.mark.parametrize(
    "max_age, include_sub_domains", [(31536000, False), (86400, True)], ids=["no-subdomains", "short-max-age"]
)
def test_preload_needs_subdomains_and_a_year(max_age, include_sub_domains):
    with pytest.raises(ValueError, match="preload"):
        hsts_value(max_age, include_sub_domains, preload=True)


def test_hsts_parts_read_back_what_hsts_value_wrote():
    parts = hsts_parts(hsts_value(63072000, True, True))
    assert (parts.max_age_seconds, parts.include_sub_domains, parts.preload) == (63072000, True, True)


# --- CORS ---------------------------------------------------------------------------


def test_cors_origins_are_exactly_those_configured():
    settings = stack_settings("prod")
    assert header_set(settings).cors.origins == tuple(settings.cors.origins)


def test_wildcard_origin_with_credentials_is_refused():
    with pytest.raises(ValueError, match="origins"):
        cors(origins=("*",), allow_credentials=True)


def test_wildcard_origin_without_credentials_is_allowed():
    assert cors(origins=("*",), allow_credentials=False).origins == ("*",)


# --- what each edge carries ---------------------------------------------------------


def test_alb_reports_the_three_headers_it_cannot_send(prod_headers):
    assert set(ALB_UNSUPPORTED) <= set(headers.alb_rendering(prod_headers).not_covered)


def test_alb_sets_every_header_it_can_with_the_model_values(prod_headers):
    attributes = headers.alb_rendering(prod_headers).attributes
    prefix = headers.ALB_ATTRIBUTE_PREFIX
    expected = prod_headers.as_map()
    assert attributes[prefix + "content_security_policy.header_value"] == expected["Content-Security-Policy"]
    assert attributes[prefix + "x_content_type_options.header_value"] == expected["X-Content-Type-Options"]
    assert attributes[prefix + "x_frame_options.header_value"] == expected["X-Frame-Options"]
    assert attributes[prefix + "strict_transport_security.header_value"] == expected["Strict-Transport-Security"]
    assert attributes[prefix + "server.enabled"] == "false"


def test_alb_sends_a_single_origin_itself(prod_headers):
    single = dataclasses.replace(prod_headers, cors=cors(origins=("https://app.example.com",)))
    rendering = headers.alb_rendering(single)
    assert rendering.attributes[headers.ALB_ATTRIBUTE_PREFIX + "access_control_allow_origin.header_value"] == (
        "https://app.example.com"
    )
    assert "Access-Control-Allow-Origin" not in rendering.not_covered


def test_alb_leaves_several_origins_to_the_runtime_and_says_so(prod_headers):
    rendering = headers.alb_rendering(prod_headers)
    assert not any("access_control_allow_origin" in key for key in rendering.attributes)
    assert "Access-Control-Allow-Origin" in rendering.not_covered


def test_alb_edge_map_leaves_out_what_it_cannot_send(prod_headers):
    sent = headers.edge_header_map(prod_headers, "alb")
    assert not set(ALB_UNSUPPORTED) & set(sent)
    assert headers.edge_header_map(prod_headers, "cloudfront") == prod_headers.as_map()


def test_cloudfront_covers_every_header(prod_headers):
    assert headers.not_covered_at_edge(prod_headers, "cloudfront") == ()


def test_annotation_refuses_values_the_controller_would_split():
    with pytest.raises(ValueError, match="cannot be written"):
        headers.string_map_annotation({"routing.http.response.content_security_policy.header_value": "a, b"}, "csp")


def test_annotation_joins_pairs_as_the_controller_reads_them():
    assert headers.string_map_annotation({"a.b": "x=1", "c": "y"}, "test") == "a.b=x=1,c=y"


def test_settings_refuse_a_csp_the_alb_annotation_cannot_carry():
    from settings.errors import SettingsError

    with pytest.raises(SettingsError, match="contentSecurityPolicy"):
        stack_settings("staging", headers={"contentSecurityPolicy": "default-src 'self', img-src 'self'"})
