"""Edge policies: each with a passing and a failing stack or resource."""

from __future__ import annotations

import json
from typing import Any

from policy.policies.edge import (
    cors_explicit_origins,
    hsts_after_tls,
    oidc_callback_on_domain,
    security_headers_present,
    tls_at_edge,
)
from tests.policykit import UNKNOWN, Stack, judged, resource_args, violating_urns, violations

CERT = "aws:acm/certificate:Certificate"
VALIDATION = "aws:acm/certificateValidation:CertificateValidation"
RHP = "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy"
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
INGRESS = "kubernetes:networking.k8s.io/v1:Ingress"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
LISTENER = "aws:lb/listener:Listener"
ALB = "alb.ingress.kubernetes.io/"
ORIGIN_HEADER = "X-Origin-Verify"
ORIGIN_SECRET = "k3x9q2" * 8


def requires_header(value: str = ORIGIN_SECRET, header: str = ORIGIN_HEADER) -> dict:
    """The conditions annotation that makes the ALB forward only requests carrying the header."""
    condition = {"field": "http-header", "httpHeaderConfig": {"httpHeaderName": header, "values": [value]}}
    return {ALB + "conditions.objectos": json.dumps([condition])}


def headers_policy(**changes: Any) -> dict:
    props = {
        "securityHeadersConfig": {
            "contentSecurityPolicy": {"contentSecurityPolicy": "default-src 'self'", "override": True},
            "contentTypeOptions": {"override": True},
            "frameOptions": {"frameOption": "DENY", "override": True},
            "referrerPolicy": {"referrerPolicy": "no-referrer", "override": True},
            "strictTransportSecurity": {
                "accessControlMaxAgeSec": 31536000,
                "includeSubdomains": True,
                "override": True,
            },
        },
        "customHeadersConfig": {
            "items": [
                {"header": "Permissions-Policy", "value": "geolocation=()", "override": True},
                {"header": "Cross-Origin-Resource-Policy", "value": "same-origin", "override": True},
            ]
        },
        "corsConfig": {
            "accessControlAllowCredentials": True,
            "accessControlAllowOrigins": {"items": ["https://app.example.com"]},
            "accessControlAllowMethods": {"items": ["GET"]},
            "accessControlAllowHeaders": {"items": ["Authorization"]},
            "originOverride": True,
        },
    }
    props.update(changes)
    return props


def distribution(**changes: Any) -> dict:
    props = {
        "enabled": True,
        "aliases": ["app.example.com"],
        "webAclId": "arn:aws:wafv2:us-east-1:123456789012:global/webacl/objectos/1",
        "defaultCacheBehavior": {
            "viewerProtocolPolicy": "redirect-to-https",
            "responseHeadersPolicyId": "rhp-id",
            "targetOriginId": "alb",
        },
        "viewerCertificate": {
            "acmCertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/1",
            "sslSupportMethod": "sni-only",
            "minimumProtocolVersion": "TLSv1.2_2021",
        },
        "origins": [
            {
                "originId": "alb",
                "domainName": "origin.app.example.com",
                "customOriginConfig": {"originProtocolPolicy": "https-only", "originSslProtocols": ["TLSv1.2"]},
                "customHeaders": [{"name": ORIGIN_HEADER, "value": ORIGIN_SECRET}],
            }
        ],
    }
    props.update(changes)
    return props


def ingress(extra: dict | None = None, listener_attributes: str | None = None) -> dict:
    notes = {
        ALB + "listen-ports": json.dumps([{"HTTP": 80}, {"HTTPS": 443}]),
        ALB + "ssl-redirect": "443",
        ALB + "certificate-arn": "arn:aws:acm:eu-west-1:123456789012:certificate/2",
        ALB + "ssl-policy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
    }
    if listener_attributes is not None:
        notes[ALB + "listener-attributes.HTTPS-443"] = listener_attributes
    notes.update(extra or {})
    backend = {"service": {"name": "objectos", "port": {"number": 80}}}
    paths = [{"path": "/", "pathType": "Prefix", "backend": backend}]
    return {
        "metadata": {"name": "objectos", "annotations": notes},
        "spec": {"ingressClassName": "alb", "rules": [{"host": "origin.app.example.com", "http": {"paths": paths}}]},
    }


def deployment(env: dict[str, str]) -> dict:
    return {
        "spec": {
            "template": {
                "spec": {
                    "containers": [
                        {
                            "name": "objectos",
                            "image": "x@sha256:" + "a" * 64,
                            "env": [{"name": k, "value": v} for k, v in env.items()],
                        }
                    ]
                }
            }
        }
    }


RUNTIME_ENV = {
    "OS_PORT": "8080",
    "OS_AUTH_URL": "https://app.example.com",
    "OS_CORS_ORIGIN": "https://app.example.com,https://admin.example.com",
    "OS_TRUSTED_ORIGINS": "https://app.example.com,https://admin.example.com",
}


def cloudfront_stack(
    hsts_waits: bool = True,
    certificate_validated: bool = True,
    distribution_props: dict | None = None,
    headers: dict | None = None,
    env: dict | None = None,
    ingress_notes: dict | None = None,
) -> Stack:
    stack = Stack()
    cert = stack.add(CERT, "edge-cert", {"domainName": "app.example.com", "validationMethod": "DNS"})
    validation = stack.add(
        VALIDATION, "edge-cert-validation", {"certificateArn": "arn"}, props_from={"certificateArn": [cert]}
    )
    origin_cert = stack.add(CERT, "origin-cert", {"domainName": "origin.app.example.com"})
    origin_validation = stack.add(VALIDATION, "origin-validation", {}, props_from={"certificateArn": [origin_cert]})
    policy = stack.add(
        RHP,
        "headers",
        headers or headers_policy(),
        props_from={"securityHeadersConfig": [validation] if hsts_waits else []},
    )
    stack.add(
        DISTRIBUTION,
        "cdn",
        distribution_props or distribution(),
        props_from={
            "defaultCacheBehavior": [policy],
            "viewerCertificate": [validation if certificate_validated else cert],
        },
    )
    notes = requires_header() if ingress_notes is None else ingress_notes
    stack.add(INGRESS, "ingress", ingress(notes), props_from={"metadata": [origin_validation]})
    stack.add(DEPLOYMENT, "objectos", deployment(env or RUNTIME_ENV))
    return stack


def alb_stack(listener_attributes: str) -> Stack:
    stack = Stack()
    stack.add(INGRESS, "ingress", ingress(listener_attributes=listener_attributes))
    return stack


ALB_HEADERS = (
    "routing.http.response.strict_transport_security.header_value=max-age=86400,"
    "routing.http.response.content_security_policy.header_value=default-src 'self',"
    "routing.http.response.x_content_type_options.header_value=nosniff,"
    "routing.http.response.x_frame_options.header_value=DENY"
)


# --- tls-at-edge ------------------------------------------------------------------------


def test_tls_passes_a_cloudfront_edge_with_validated_certificates():
    assert violations(tls_at_edge, cloudfront_stack().args()) == []


def test_tls_fails_a_behaviour_that_allows_plain_http():
    props = distribution(defaultCacheBehavior={"viewerProtocolPolicy": "allow-all", "responseHeadersPolicyId": "x"})
    found = violations(tls_at_edge, cloudfront_stack(distribution_props=props).args())
    assert any("allow-all" in v for v in found)


def test_tls_fails_a_certificate_used_before_its_validation():
    found = violations(tls_at_edge, cloudfront_stack(certificate_validated=False).args())
    assert any("before its DNS validation" in v for v in found)


def test_tls_fails_an_old_viewer_protocol():
    props = distribution(viewerCertificate={"acmCertificateArn": "arn", "minimumProtocolVersion": "TLSv1_2016"})
    assert any("TLSv1_2016" in v for v in violations(tls_at_edge, cloudfront_stack(distribution_props=props).args()))


def test_tls_fails_a_plain_http_origin_leg():
    props = distribution(origins=[{"originId": "alb", "customOriginConfig": {"originProtocolPolicy": "http-only"}}])
    assert any("http-only" in v for v in violations(tls_at_edge, cloudfront_stack(distribution_props=props).args()))


def test_tls_fails_an_alb_origin_cloudfront_reaches_without_a_secret_header():
    props = distribution()
    del props["origins"][0]["customHeaders"]
    found = violations(tls_at_edge, cloudfront_stack(distribution_props=props).args())
    assert any("adds no secret header" in v for v in found)


def test_tls_fails_an_alb_origin_that_forwards_without_requiring_the_header():
    stack = cloudfront_stack(ingress_notes={})
    urns = violating_urns(tls_at_edge, stack.args())
    assert urns == [next(r.urn for r in stack.resources if r.resource_type == INGRESS)]


def test_tls_fails_an_alb_origin_requiring_another_value_than_cloudfront_sends():
    found = violations(tls_at_edge, cloudfront_stack(ingress_notes=requires_header("another" * 8)).args())
    assert any("does not accept the value CloudFront sends" in v for v in found)
    assert not any(ORIGIN_SECRET in v for v in found)  # messages never quote the secret


def test_tls_does_not_judge_an_origin_header_condition_unknown_during_preview():
    props = distribution()
    props["origins"][0]["customHeaders"][0]["value"] = UNKNOWN
    stack = cloudfront_stack(distribution_props=props, ingress_notes={ALB + "conditions.objectos": UNKNOWN})
    found, not_judged = judged(tls_at_edge, stack.args())
    assert found == [] and "conditions.objectos" in not_judged


def test_tls_fails_an_ingress_serving_http_without_redirect():
    stack = Stack()
    stack.add(INGRESS, "ingress", ingress({ALB + "ssl-redirect": None}))
    found = violations(tls_at_edge, stack.args())
    assert any("without redirecting" in v for v in found)


def test_tls_fails_an_ingress_without_an_https_listener():
    stack = Stack()
    stack.add(INGRESS, "ingress", ingress({ALB + "listen-ports": json.dumps([{"HTTP": 80}])}))
    assert any("no HTTPS:443" in v for v in violations(tls_at_edge, stack.args()))


def test_tls_fails_an_ingress_on_the_default_tls10_policy():
    stack = Stack()
    stack.add(INGRESS, "ingress", ingress({ALB + "ssl-policy": "ELBSecurityPolicy-2016-08"}))
    assert any("older than 1.2" in v for v in violations(tls_at_edge, stack.args()))


def test_tls_fails_an_http_listener_that_forwards():
    stack = Stack()
    stack.add(LISTENER, "http", {"protocol": "HTTP", "port": 80, "defaultActions": [{"type": "forward"}]})
    assert any("redirecting to HTTPS" in v for v in violations(tls_at_edge, stack.args()))


def test_tls_fails_a_stack_without_an_edge():
    stack = Stack()
    stack.add(DEPLOYMENT, "objectos", deployment(RUNTIME_ENV))
    assert any("no edge" in v for v in violations(tls_at_edge, stack.args()))


# --- security-headers-present ---------------------------------------------------------------


def test_headers_pass_when_the_edge_policy_sends_all_six():
    assert violations(security_headers_present, cloudfront_stack().args()) == []


def test_headers_fail_when_the_policy_misses_permissions_policy():
    headers = headers_policy(
        customHeadersConfig={"items": [{"header": "Cross-Origin-Resource-Policy", "value": "same-origin"}]}
    )
    found = violations(security_headers_present, cloudfront_stack(headers=headers).args())
    assert found and all("Permissions-Policy" in v for v in found)


def test_headers_fail_a_behaviour_without_a_response_headers_policy():
    props = distribution(defaultCacheBehavior={"viewerProtocolPolicy": "redirect-to-https"})
    found = violations(security_headers_present, cloudfront_stack(distribution_props=props).args())
    assert any("no response headers policy" in v for v in found)


def test_headers_fail_the_alb_edge_for_headers_it_cannot_set():
    found = violations(security_headers_present, alb_stack(ALB_HEADERS).args())
    assert len(found) == 1
    assert "Referrer-Policy" in found[0] and "cloudfront" in found[0]


def test_headers_fail_the_alb_edge_for_headers_it_could_set():
    config = {"requiredHeaders": ["Content-Security-Policy", "X-Frame-Options"]}
    found = violations(
        security_headers_present, alb_stack("routing.http.response.x_frame_options.header_value=DENY").args(config)
    )
    assert found == ["the ALB does not send Content-Security-Policy; set them in the HTTPS listener attributes"]


def test_headers_pass_the_alb_edge_when_the_config_accepts_its_limits():
    config = {"requiredHeaders": ["Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options"]}
    assert violations(security_headers_present, alb_stack(ALB_HEADERS).args(config)) == []


# --- hsts-after-tls ------------------------------------------------------------------------


def test_hsts_passes_when_the_header_waits_for_validation():
    assert violations(hsts_after_tls, cloudfront_stack().args({"required": True})) == []


def test_hsts_fails_when_the_header_does_not_wait_for_validation():
    stack = cloudfront_stack(hsts_waits=False)
    urns = violating_urns(hsts_after_tls, stack.args())
    assert urns == [next(r.urn for r in stack.resources if r.resource_type == RHP)]


def test_hsts_passes_with_an_existing_certificate_and_no_validation_resource():
    assert violations(hsts_after_tls, alb_stack(ALB_HEADERS).args({"required": True})) == []


def test_hsts_fails_when_required_and_not_sent():
    stack = alb_stack("routing.http.response.x_frame_options.header_value=DENY")
    assert any("no edge sends" in v for v in violations(hsts_after_tls, stack.args({"required": True})))


def test_hsts_fails_preload_without_include_subdomains():
    attributes = "routing.http.response.strict_transport_security.header_value=max-age=31536000; preload"
    assert any("preload needs" in v for v in violations(hsts_after_tls, alb_stack(attributes).args()))


# --- cors-explicit-origins ----------------------------------------------------------------------


def test_cors_passes_explicit_origins_at_the_edge():
    assert violations(cors_explicit_origins, resource_args(RHP, headers_policy())) == []


def test_cors_fails_a_wildcard_origin_at_the_edge():
    cors = headers_policy()["corsConfig"] | {"accessControlAllowOrigins": {"items": ["*"]}}
    assert any(
        "'*'" in v for v in violations(cors_explicit_origins, resource_args(RHP, headers_policy(corsConfig=cors)))
    )


def test_cors_fails_a_plain_http_origin():
    cors = headers_policy()["corsConfig"] | {"accessControlAllowOrigins": {"items": ["http://app.example.com"]}}
    assert any(
        "not an https" in v
        for v in violations(cors_explicit_origins, resource_args(RHP, headers_policy(corsConfig=cors)))
    )


def test_cors_passes_a_runtime_with_explicit_origins():
    assert violations(cors_explicit_origins, resource_args(DEPLOYMENT, deployment(RUNTIME_ENV))) == []


def test_cors_fails_a_runtime_left_on_its_wildcard_default():
    env = {k: v for k, v in RUNTIME_ENV.items() if k != "OS_CORS_ORIGIN"}
    assert any(
        "OS_CORS_ORIGIN unset" in v
        for v in violations(cors_explicit_origins, resource_args(DEPLOYMENT, deployment(env)))
    )


def test_cors_fails_a_runtime_given_a_wildcard():
    env = RUNTIME_ENV | {"OS_CORS_ORIGIN": "*"}
    assert any("'*'" in v for v in violations(cors_explicit_origins, resource_args(DEPLOYMENT, deployment(env))))


def test_cors_passes_a_runtime_with_cors_disabled():
    env = {"OS_PORT": "8080", "OS_CORS_ENABLED": "false"}
    assert violations(cors_explicit_origins, resource_args(DEPLOYMENT, deployment(env))) == []


def test_cors_fails_a_wildcard_alb_listener_attribute():
    attributes = "routing.http.response.access_control_allow_origin.header_value=*"
    assert violations(cors_explicit_origins, resource_args(INGRESS, ingress(listener_attributes=attributes)))


def test_cors_skips_an_origin_list_unknown_during_preview():
    cors = headers_policy()["corsConfig"] | {"accessControlAllowOrigins": {"items": UNKNOWN}}
    assert violations(cors_explicit_origins, resource_args(RHP, headers_policy(corsConfig=cors))) == []


# --- oidc-callback-on-domain -----------------------------------------------------------------------


def test_oidc_passes_an_auth_url_on_the_served_domain():
    assert violations(oidc_callback_on_domain, cloudfront_stack().args()) == []


def test_oidc_fails_an_auth_url_the_edge_does_not_serve():
    env = RUNTIME_ENV | {"OS_AUTH_URL": "https://login.other.example"}
    found = violations(oidc_callback_on_domain, cloudfront_stack(env=env).args())
    assert any("not served by the edge" in v for v in found)


def test_oidc_fails_a_plain_http_auth_url():
    env = RUNTIME_ENV | {"OS_AUTH_URL": "http://app.example.com"}
    assert any("must be https" in v for v in violations(oidc_callback_on_domain, cloudfront_stack(env=env).args()))


def test_oidc_fails_a_runtime_without_an_auth_url():
    env = {k: v for k, v in RUNTIME_ENV.items() if k != "OS_AUTH_URL"}
    assert any("no OS_AUTH_URL" in v for v in violations(oidc_callback_on_domain, cloudfront_stack(env=env).args()))


def test_oidc_fails_a_callback_variable_off_the_auth_routes():
    env = RUNTIME_ENV | {"OKTA_CALLBACK_URL": "https://app.example.com/callback"}
    assert any("OKTA_CALLBACK_URL" in v for v in violations(oidc_callback_on_domain, cloudfront_stack(env=env).args()))
