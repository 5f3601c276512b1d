"""What the edge resources say: CloudFront behaviours, ALB Ingress annotations, ALB listeners."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from objectos_core.headers import format_hsts
from policy.policies._k8s import annotations
from policy.policies._props import UNKNOWN, elements, get, is_mapping, text

DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
RESPONSE_HEADERS_POLICY = "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy"
LISTENER = "aws:lb/listener:Listener"
LISTENERS = (LISTENER, "aws:alb/listener:Listener")  # one resource, two type tokens
CERTIFICATE = "aws:acm/certificate:Certificate"
CERTIFICATE_VALIDATION = "aws:acm/certificateValidation:CertificateValidation"

ALB = "alb.ingress.kubernetes.io/"
HTTPS_LISTENER_ATTRIBUTES = ALB + "listener-attributes.HTTPS-443"
_ATTRIBUTE_SPLIT = re.compile(r",(?=\s*[a-z0-9_.]+=)")

# The ALB listener attribute that carries each response header.
ALB_HEADER_ATTRIBUTES = {
    "Strict-Transport-Security": "routing.http.response.strict_transport_security.header_value",
    "Content-Security-Policy": "routing.http.response.content_security_policy.header_value",
    "X-Content-Type-Options": "routing.http.response.x_content_type_options.header_value",
    "X-Frame-Options": "routing.http.response.x_frame_options.header_value",
    "Access-Control-Allow-Origin": "routing.http.response.access_control_allow_origin.header_value",
}

# The same headers as aws.lb.Listener properties.
LISTENER_HEADER_PROPERTIES = {
    "Strict-Transport-Security": "routingHttpResponseStrictTransportSecurityHeaderValue",
    "Content-Security-Policy": "routingHttpResponseContentSecurityPolicyHeaderValue",
    "X-Content-Type-Options": "routingHttpResponseXContentTypeOptionsHeaderValue",
    "X-Frame-Options": "routingHttpResponseXFrameOptionsHeaderValue",
    "Access-Control-Allow-Origin": "routingHttpResponseAccessControlAllowOriginHeaderValue",
}

# CloudFront security headers and the header each one sends.
CLOUDFRONT_SECURITY_HEADERS = {
    "contentSecurityPolicy": "Content-Security-Policy",
    "contentTypeOptions": "X-Content-Type-Options",
    "frameOptions": "X-Frame-Options",
    "referrerPolicy": "Referrer-Policy",
    "strictTransportSecurity": "Strict-Transport-Security",
    "xssProtection": "X-XSS-Protection",
}

# Listener security policies that allow TLS 1.2 and later only.
TLS12_POLICY = re.compile(r"TLS13|TLS-1-2|FS-1-2")


def is_alb_ingress(props: Any) -> bool:
    ingress_class = get(props, "spec", "ingressClassName")
    legacy = get(annotations(props), "kubernetes.io/ingress.class")
    return "alb" in (ingress_class, legacy) or any(key.startswith(ALB) for key in annotations(props))


def listener_attributes(props: Any) -> dict[str, Any]:
    """The HTTPS listener's attributes from the Ingress annotation (key -> value, or UNKNOWN)."""
    raw = get(annotations(props), HTTPS_LISTENER_ATTRIBUTES)
    if raw is UNKNOWN:
        return {key: UNKNOWN for key in ALB_HEADER_ATTRIBUTES.values()}
    if not isinstance(raw, str):
        return {}
    found: dict[str, Any] = {}
    for part in _ATTRIBUTE_SPLIT.split(raw):
        key, sep, value = part.partition("=")
        if sep:
            found[key.strip()] = value.strip()
    return found


def listen_ports(props: Any) -> Any:
    """[(protocol, port)] from the listen-ports annotation; the controller's default is HTTP:80."""
    raw = get(annotations(props), ALB + "listen-ports")
    if raw is UNKNOWN:
        return UNKNOWN
    if raw is None:
        return [("HTTP", 80)]
    try:
        entries = json.loads(raw)
    except (TypeError, ValueError):
        return []
    return [(str(k).upper(), v) for entry in entries if isinstance(entry, dict) for k, v in entry.items()]


def cache_behaviors(props: Any) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(property name, behaviour) for the default and every ordered cache behaviour."""
    default = get(props, "defaultCacheBehavior")
    if is_mapping(default):
        yield "defaultCacheBehavior", default
    for behavior in elements(get(props, "orderedCacheBehaviors")):
        if is_mapping(behavior):
            yield "orderedCacheBehaviors", behavior


def headers_of_policy(props: Any) -> dict[str, Any]:
    """Header name -> value a CloudFront response headers policy sends (UNKNOWN when unknown)."""
    found: dict[str, Any] = {}
    security = get(props, "securityHeadersConfig")
    if security is UNKNOWN:
        return {name: UNKNOWN for name in CLOUDFRONT_SECURITY_HEADERS.values()}
    for key, header in CLOUDFRONT_SECURITY_HEADERS.items():
        config = get(security, key) if is_mapping(security) else None
        if config is None:
            continue
        if key == "contentSecurityPolicy":
            found[header] = get(config, "contentSecurityPolicy")
        elif key == "frameOptions":
            found[header] = get(config, "frameOption")
        elif key == "referrerPolicy":
            found[header] = get(config, "referrerPolicy")
        elif key == "contentTypeOptions":
            found[header] = "nosniff"
        elif key == "strictTransportSecurity":
            found[header] = hsts_from_cloudfront(config)
        else:
            found[header] = "set"
    for entry in elements(get(props, "customHeadersConfig", "items")):
        name = text(get(entry, "header"))
        if name:
            found[name] = get(entry, "value")
    return found


def hsts_from_cloudfront(config: Any) -> Any:
    """A CloudFront strictTransportSecurity block as the header value it sends."""
    age = get(config, "accessControlMaxAgeSec")
    if age is UNKNOWN:
        return UNKNOWN
    return format_hsts(age, get(config, "includeSubdomains") is True, get(config, "preload") is True)


def served_hosts(distributions: list, ingresses: list) -> set[str]:
    """Host names the edge answers for: CloudFront aliases and Ingress hosts."""
    hosts: set[str] = set()
    for distribution in distributions:
        hosts.update(h.lower() for h in elements(get(distribution.props, "aliases")) if isinstance(h, str))
    for ingress in ingresses:
        for rule in elements(get(ingress.props, "spec", "rules")):
            host = text(get(rule, "host"))
            if host:
                hosts.add(host.lower())
        for tls in elements(get(ingress.props, "spec", "tls")):
            hosts.update(h.lower() for h in elements(get(tls, "hosts")) if isinstance(h, str))
    return hosts


def origin_headers(origin: Any) -> dict[str, Any]:
    """Lowercased name -> value of the custom headers a CloudFront origin adds (values may be UNKNOWN)."""
    found: dict[str, Any] = {}
    for header in elements(get(origin, "customHeaders")):
        name = text(get(header, "name"))
        if name:
            found[name.lower()] = get(header, "value")
    return found


def backend_services(props: Any) -> set[str]:
    """Names of the Services (or annotation actions) the Ingress forwards to."""
    backends = [get(props, "spec", "defaultBackend")]
    for rule in elements(get(props, "spec", "rules")):
        backends += [get(path, "backend") for path in elements(get(rule, "http", "paths"))]
    return {name for name in (text(get(b, "service", "name")) for b in backends) if name}


def header_conditions(props: Any, backend: str) -> Any:
    """[(header name, [values])] the controller's conditions annotation requires for `backend`; UNKNOWN if unknown."""
    raw = get(annotations(props), f"{ALB}conditions.{backend}")
    if raw is UNKNOWN:
        return UNKNOWN
    try:
        conditions = json.loads(raw) if isinstance(raw, str) else []
    except ValueError:
        return []
    found = []
    for condition in conditions if isinstance(conditions, list) else []:
        if not isinstance(condition, dict) or condition.get("field") != "http-header":
            continue
        config = condition.get("httpHeaderConfig")
        if isinstance(config, dict):
            values = config.get("values")
            found.append((config.get("httpHeaderName"), values if isinstance(values, list) else []))
    return found
