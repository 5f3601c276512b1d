"""Edge policies: TLS, security headers, HSTS after TLS, CORS origins, OIDC callbacks."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from pulumi_policy import ResourceValidationArgs, Severity

from objectos_core.headers import hsts_problem, parse_hsts
from policy.policies import _edge as e
from policy.policies._base import OBJECTOS_STACK, Config, Report, resource_policy, stack_policy
from policy.policies._graph import Graph
from policy.policies._k8s import INGRESS, containers, is_workload
from policy.policies._props import UNKNOWN, elements, get, strings, text

EDGE_TYPES = (e.DISTRIBUTION, INGRESS, *e.LISTENERS)
CLOUDFRONT_PROTOCOLS = (
    "SSLv3", "TLSv1", "TLSv1_2016", "TLSv1.1_2016", "TLSv1.2_2018", "TLSv1.2_2019", "TLSv1.2_2021", "TLSv1.2_2025",
    "TLSv1.3_2025",
)  # fmt: skip
WEAK_ORIGIN_PROTOCOLS = {"SSLv3", "TLSv1", "TLSv1.1"}
ORIGIN = re.compile(r"https://([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(:\d{1,5})?")
AUTH_PREFIX = "/api/v1/auth/"


# --- tls-at-edge ------------------------------------------------------------------


def _tls_at_edge(graph: Graph, config: Config, report: Report) -> None:
    distributions = graph.of_type(e.DISTRIBUTION)
    ingresses = [r for r in graph.of_type(INGRESS) if e.is_alb_ingress(r.props)]
    listeners = graph.of_type(*e.LISTENERS)
    if not (distributions or ingresses or listeners):
        report.missing(
            "the stack has no edge (CloudFront distribution, ALB Ingress or listener) terminating TLS; add the edge component"
        )
        return
    managed_certificates = bool(graph.of_type(e.CERTIFICATE))
    by_host: dict[str, list[Any]] = {}  # indexed once, not per origin: a fleet of ALBs stays linear
    for ingress in ingresses if distributions else []:
        for host in e.served_hosts([], [ingress]):
            by_host.setdefault(host, []).append(ingress)
    for distribution in distributions:
        _distribution_tls(graph, distribution, config, managed_certificates, report)
        _origin_header(distribution, by_host, report)
    for ingress in ingresses:
        _ingress_tls(graph, ingress, managed_certificates, report)
    for listener in listeners:
        _listener_tls(listener, report)


def _distribution_tls(graph: Graph, distribution: Any, config: Config, managed: bool, report: Report) -> None:
    props, urn = distribution.props, distribution.urn
    for prop, behavior in e.cache_behaviors(props):
        policy = get(behavior, "viewerProtocolPolicy")
        known = report.known(policy, f"{distribution.name}.{prop}.viewerProtocolPolicy")
        if known and policy not in ("redirect-to-https", "https-only"):
            report(f"{prop}.viewerProtocolPolicy is '{policy}': viewers may use plain HTTP; set redirect-to-https", urn)
    certificate = get(props, "viewerCertificate")
    if get(certificate, "cloudfrontDefaultCertificate") is True or get(certificate, "acmCertificateArn") is None:
        report("viewerCertificate has no ACM certificate for the domain; set acmCertificateArn (us-east-1)", urn)
    minimum = config["minimumProtocolVersion"]
    version = get(certificate, "minimumProtocolVersion")
    if report.known(version, f"{distribution.name}.viewerCertificate.minimumProtocolVersion") and _protocol_rank(
        version
    ) < _protocol_rank(minimum):
        report(f"viewerCertificate.minimumProtocolVersion is '{version}'; use {minimum} or later", urn)
    for origin in elements(get(props, "origins")):
        custom = get(origin, "customOriginConfig")
        if custom is None:
            continue
        name = get(origin, "originId")
        policy = get(custom, "originProtocolPolicy")
        if report.known(policy, f"{distribution.name}.origins.{name}.originProtocolPolicy") and policy != "https-only":
            report(
                f"origin '{name}' uses originProtocolPolicy '{policy}'; use https-only so the origin leg is encrypted",
                urn,
            )
        weak = sorted(WEAK_ORIGIN_PROTOCOLS.intersection(strings(get(custom, "originSslProtocols"))))
        if weak:
            report(f"origin '{name}' allows {', '.join(weak)}; allow TLSv1.2 only", urn)
    if managed:
        _validated_before_use(graph, distribution, "viewerCertificate", report)


def _origin_header(distribution: Any, by_host: dict[str, list[Any]], report: Report) -> None:
    """An ALB origin must forward only requests carrying the secret header this distribution adds:
    CloudFront's prefix list admits every customer's distribution. `by_host`: the ALB Ingresses by host served."""
    for origin in elements(get(distribution.props, "origins")):
        host = text(get(origin, "domainName"))
        albs = by_host.get(host.lower(), []) if host else []
        if get(origin, "customOriginConfig") is None or not albs:
            continue
        sent = e.origin_headers(origin)
        if not sent:
            report(
                f"origin '{get(origin, 'originId')}' adds no secret header, so the ALB at {host} forwards requests "
                "from any CloudFront distribution, around this one's WAF; add a custom origin header and require it "
                "on the Ingress (TlsIngressArgs.origin_header_name)",
                distribution.urn,
            )
            continue
        for ingress in albs:
            _ingress_requires(ingress, sent, report)


def _ingress_requires(ingress: Any, sent: dict[str, Any], report: Report) -> None:
    for backend in sorted(e.backend_services(ingress.props)):
        conditions = e.header_conditions(ingress.props, backend)
        if not report.known(conditions, f'{ingress.name}.metadata.annotations["{e.ALB}conditions.{backend}"]'):
            continue
        required = [(h, values) for h, values in conditions if isinstance(h, str) and h.lower() in sent]
        if not required:
            report(
                f"the Ingress forwards to '{backend}' without requiring the origin header "
                f"({', '.join(sorted(sent))}) CloudFront adds: any distribution reaches it; add an http-header "
                f"condition in the annotation {e.ALB}conditions.{backend}",
                ingress.urn,
            )
        for header, values in required:
            value = sent[header.lower()]
            accepted = [v.lower() for v in values if isinstance(v, str)]
            if isinstance(value, str) and len(accepted) == len(values) and value.lower() not in accepted:
                report(
                    f"the Ingress's {header} condition for '{backend}' does not accept the value CloudFront sends, "
                    "so every request gets 404; derive both from one secret (TlsIngress.origin_header_value)",
                    ingress.urn,
                )


def _ingress_tls(graph: Graph, ingress: Any, managed: bool, report: Report) -> None:
    props, urn = ingress.props, ingress.urn
    notes = e.annotations(props)
    ports = e.listen_ports(props)
    if report.known(ports, f'{ingress.name}.metadata.annotations["{e.ALB}listen-ports"]'):
        protocols = {protocol for protocol, _ in ports}
        if ("HTTPS", 443) not in [(p, int(n)) for p, n in ports if isinstance(n, (int, float))]:
            report('the ALB has no HTTPS:443 listener; set listen-ports to [{"HTTP":80},{"HTTPS":443}]', urn)
        if "HTTP" in protocols and get(notes, e.ALB + "ssl-redirect") not in (UNKNOWN, "443"):
            report("the ALB serves plain HTTP without redirecting; set the ssl-redirect annotation to '443'", urn)
    if get(notes, e.ALB + "certificate-arn") is None and not list(elements(get(props, "spec", "tls"))):
        report("the ALB has no certificate; set the certificate-arn annotation (or spec.tls hosts)", urn)
    policy = get(notes, e.ALB + "ssl-policy")
    if policy is None:
        report(
            "no ssl-policy annotation: the ALB default still accepts TLS 1.0; use ELBSecurityPolicy-TLS13-1-2-2021-06",
            urn,
        )
    elif isinstance(policy, str) and not e.TLS12_POLICY.search(policy):
        report(f"ssl-policy '{policy}' accepts TLS older than 1.2; use ELBSecurityPolicy-TLS13-1-2-2021-06", urn)
    if managed:
        _validated_before_use(graph, ingress, "metadata", report)


def _listener_tls(listener: Any, report: Report) -> None:
    props, urn = listener.props, listener.urn
    protocol = get(props, "protocol")
    report.known(protocol, f"{listener.name}.protocol")
    if protocol == "HTTP":
        redirects = [
            a for a in elements(get(props, "defaultActions")) if get(a, "redirect", "protocol") in ("HTTPS", UNKNOWN)
        ]
        if not redirects:
            report(
                "an HTTP listener forwards traffic instead of redirecting to HTTPS; make its default action a redirect",
                urn,
            )
    elif protocol == "HTTPS":
        if get(props, "certificateArn") is None:
            report("the HTTPS listener has no certificateArn", urn)
        policy = get(props, "sslPolicy")
        if not report.known(policy, f"{listener.name}.sslPolicy"):
            pass
        elif policy is None or (isinstance(policy, str) and not e.TLS12_POLICY.search(policy)):
            report(f"sslPolicy '{policy}' accepts TLS older than 1.2; use ELBSecurityPolicy-TLS13-1-2-2021-06", urn)


def _validated_before_use(graph: Graph, consumer: Any, prop: str, report: Report) -> None:
    """A consumer of a kit-requested certificate must wait for its DNS validation."""
    certificates = graph.reaches(consumer, {e.CERTIFICATE}, prop)
    if certificates and not graph.reaches(consumer, {e.CERTIFICATE_VALIDATION}, prop):
        report(
            f"{prop} uses certificate '{certificates[0].name}' before its DNS validation completes; "
            "pass the CertificateValidation's certificate_arn instead of the certificate's arn",
            consumer.urn,
        )


def _protocol_rank(version: Any) -> int:
    return CLOUDFRONT_PROTOCOLS.index(version) if version in CLOUDFRONT_PROTOCOLS else -1


tls_at_edge = stack_policy(
    "tls-at-edge",
    "The public edge must serve HTTPS only, with a validated ACM certificate, TLS 1.2 or later, "
    "HTTP redirected to HTTPS and an encrypted origin leg; behind CloudFront the ALB forwards only "
    "requests carrying the secret header the distribution adds.",
    Severity.CRITICAL,
    _tls_at_edge,
    kind=OBJECTOS_STACK,
    config={
        "minimumProtocolVersion": {
            "type": "string",
            "enum": list(CLOUDFRONT_PROTOCOLS[4:]),
            "default": "TLSv1.2_2021",
            "description": "Oldest CloudFront viewer security policy allowed.",
        }
    },
    tags=["edge"],
)


# --- security-headers-present --------------------------------------------------------

DEFAULT_HEADERS = [
    "Content-Security-Policy",
    "X-Content-Type-Options",
    "X-Frame-Options",
    "Referrer-Policy",
    "Permissions-Policy",
    "Cross-Origin-Resource-Policy",
]


def _security_headers(graph: Graph, config: Config, report: Report) -> None:
    if not report.objectos:
        return  # the headers cover the routes the ObjectOS runtime does not
    required = list(config["requiredHeaders"])
    distributions = graph.of_type(e.DISTRIBUTION)
    if distributions:
        for distribution in distributions:
            _distribution_headers(graph, distribution, required, report)
        return
    edges = [r for r in graph.of_type(INGRESS) if e.is_alb_ingress(r.props)] + [
        r for r in graph.of_type(*e.LISTENERS) if get(r.props, "protocol") == "HTTPS"
    ]
    if not edges:
        report.missing("the stack has no edge that sets security headers; add the edge component")
    for edge in edges:
        sent = _alb_headers(edge)
        missing = [h for h in required if sent.get(h) is None]
        settable = [h for h in missing if h in e.ALB_HEADER_ATTRIBUTES]
        cannot = [h for h in missing if h not in e.ALB_HEADER_ATTRIBUTES]
        if settable:
            report(f"the ALB does not send {', '.join(settable)}; set them in the HTTPS listener attributes", edge.urn)
        if cannot:
            report(
                f"the ALB cannot send {', '.join(cannot)}, so auth routes go without them: use edge.mode cloudfront, "
                "or drop them from requiredHeaders in the policy config if the risk is accepted",
                edge.urn,
            )


def _distribution_headers(graph: Graph, distribution: Any, required: list[str], report: Report) -> None:
    for prop, behavior in e.cache_behaviors(distribution.props):
        pattern = get(behavior, "pathPattern") or "*"
        if get(behavior, "responseHeadersPolicyId") is None:
            report(
                f"cache behaviour '{pattern}' has no response headers policy; attach the HeaderPolicy", distribution.urn
            )
            continue
        policies = [p for p in graph.direct(distribution, prop) if p.resource_type == e.RESPONSE_HEADERS_POLICY]
        if not policies:
            report(
                f"cache behaviour '{pattern}' uses a response headers policy this stack does not define, "
                "so its headers cannot be checked; use the kit's HeaderPolicy",
                distribution.urn,
            )
        for policy in policies:
            sent = e.headers_of_policy(policy.props)
            missing = [h for h in required if sent.get(h) is None or sent.get(h) == ""]
            if missing:
                report(f"response headers policy '{policy.name}' does not send {', '.join(missing)}", policy.urn)


def _alb_headers(edge: Any) -> dict[str, Any]:
    if edge.resource_type == INGRESS:
        attributes = e.listener_attributes(edge.props)
        return {header: attributes.get(key) for header, key in e.ALB_HEADER_ATTRIBUTES.items()}
    return {header: get(edge.props, prop) for header, prop in e.LISTENER_HEADER_PROPERTIES.items()}


security_headers_present = stack_policy(
    "security-headers-present",
    "The edge must send the security headers on every route, including the auth routes the runtime "
    "does not cover: CSP, X-Content-Type-Options, X-Frame-Options, Referrer-Policy, Permissions-Policy, CORP.",
    Severity.HIGH,
    _security_headers,
    kind=OBJECTOS_STACK,
    config={
        "requiredHeaders": {
            "type": "array",
            "items": {"type": "string"},
            "default": DEFAULT_HEADERS,
            "description": "Response headers the edge must send on every route.",
        }
    },
    tags=["edge"],
)


# --- hsts-after-tls ------------------------------------------------------------------


def _hsts_after_tls(graph: Graph, config: Config, report: Report) -> None:
    carriers = list(_hsts_carriers(graph))
    if not carriers and config["required"]:
        report.missing(
            "no edge sends Strict-Transport-Security; enable objectos:hsts once the certificate is validated"
        )
    managed = bool(graph.of_type(e.CERTIFICATE))
    for resource, prop, value in carriers:
        if resource.resource_type in e.LISTENERS and get(resource.props, "protocol") == "HTTP":
            report(
                "Strict-Transport-Security is set on a plain-HTTP listener; set it on the HTTPS listener only",
                resource.urn,
            )
        if isinstance(value, str):
            _hsts_value(resource, value, report)
        if managed and not graph.reaches(resource, {e.CERTIFICATE_VALIDATION}, prop):
            report(
                f"Strict-Transport-Security ({prop}) does not wait for the certificate's DNS validation; "
                "derive the header from the CertificateValidation output so HSTS starts only once TLS works",
                resource.urn,
            )


def _hsts_carriers(graph: Graph):
    """(resource, property, HSTS value) for every place that sets HSTS."""
    for policy in graph.of_type(e.RESPONSE_HEADERS_POLICY):
        config = get(policy.props, "securityHeadersConfig", "strictTransportSecurity")
        if config is not None:
            yield policy, "securityHeadersConfig", e.hsts_from_cloudfront(config)
    for ingress in graph.of_type(INGRESS):
        value = e.listener_attributes(ingress.props).get(e.ALB_HEADER_ATTRIBUTES["Strict-Transport-Security"])
        if value is not None:
            yield ingress, "metadata", value
    for listener in graph.of_type(*e.LISTENERS):
        prop = e.LISTENER_HEADER_PROPERTIES["Strict-Transport-Security"]
        value = get(listener.props, prop)
        if value is not None:
            yield listener, prop, value


def _hsts_value(resource: Any, value: str, report: Report) -> None:
    problem = hsts_problem(parse_hsts(value))
    if problem:
        report(f"Strict-Transport-Security '{value}': {problem}", resource.urn)


hsts_after_tls = stack_policy(
    "hsts-after-tls",
    "Strict-Transport-Security may only be sent once the certificate is validated: every resource that sets "
    "HSTS must depend on the certificate's DNS validation, and the header must be well formed.",
    Severity.HIGH,
    _hsts_after_tls,
    kind=OBJECTOS_STACK,
    config={
        "required": {
            "type": "boolean",
            "default": False,
            "description": "Fail when no edge sends HSTS at all (set true for production).",
        }
    },
    tags=["edge"],
)


# --- cors-explicit-origins -----------------------------------------------------------


def _cors(args: ResourceValidationArgs, config: Config, report: Report) -> None:
    props = args.props
    if args.resource_type == e.RESPONSE_HEADERS_POLICY:
        cors = get(props, "corsConfig")
        if cors not in (None, UNKNOWN):
            origins = strings(get(cors, "accessControlAllowOrigins", "items"))
            _origins("corsConfig.accessControlAllowOrigins", origins, report)
    elif args.resource_type == INGRESS:
        value = e.listener_attributes(props).get(e.ALB_HEADER_ATTRIBUTES["Access-Control-Allow-Origin"])
        if isinstance(value, str):
            _origins("the access_control_allow_origin listener attribute", strings(value), report)
    elif args.resource_type in e.LISTENERS:
        value = get(props, e.LISTENER_HEADER_PROPERTIES["Access-Control-Allow-Origin"])
        if isinstance(value, str):
            _origins("routingHttpResponseAccessControlAllowOriginHeaderValue", strings(value), report)
    else:
        for container in containers(args.resource_type, props):
            if container.runs_objectos:
                _runtime_cors(container, report)


def _runtime_cors(container: Any, report: Report) -> None:
    if str(container.literal("OS_CORS_ENABLED")).lower() == "false":
        return
    if "OS_CORS_ORIGIN" not in container.env:
        report(
            f"container '{container.name}' leaves OS_CORS_ORIGIN unset: the runtime then reflects any origin "
            "with credentials; set it to the explicit origins"
        )
    for name in ("OS_CORS_ORIGIN", "OS_TRUSTED_ORIGINS"):
        value = container.literal(name)
        if isinstance(value, str):
            _origins(f"container '{container.name}' {name}", strings(value), report)


def _origins(where: str, origins: list[str], report: Report) -> None:
    if "*" in origins:
        report(f"{where} allows '*'; list the explicit https origins")
    bad = [o for o in origins if o != "*" and not ORIGIN.fullmatch(o)]
    if bad:
        report(f"{where} has {', '.join(repr(o) for o in bad)}: not an https://host[:port] origin")


cors_explicit_origins = resource_policy(
    "cors-explicit-origins",
    "CORS must allow explicit https origins only: no '*' at the edge or in the runtime "
    "(whose default reflects any origin with credentials).",
    Severity.CRITICAL,
    _cors,
    type_filter=lambda t: t in (e.RESPONSE_HEADERS_POLICY, INGRESS, *e.LISTENERS) or is_workload(t),
    tags=["edge"],
)


# --- oidc-callback-on-domain ---------------------------------------------------------


def _oidc_callbacks(graph: Graph, config: Config, report: Report) -> None:
    hosts = e.served_hosts(
        graph.of_type(e.DISTRIBUTION), [r for r in graph.of_type(INGRESS) if e.is_alb_ingress(r.props)]
    )
    for resource in graph.resources:
        if not is_workload(resource.resource_type):
            continue
        for container in containers(resource.resource_type, resource.props):
            if container.runs_objectos and container.env:
                _callbacks_of(container, hosts, resource.urn, report)


def _callbacks_of(container: Any, hosts: set[str], urn: str, report: Report) -> None:
    base = container.literal("OS_AUTH_URL")
    if "OS_AUTH_URL" not in container.env:
        report(f"container '{container.name}' has no OS_AUTH_URL: OIDC callbacks have no public base URL", urn)
        return
    if not isinstance(base, str):
        return
    parts = urlsplit(base)
    if parts.scheme != "https" or parts.path not in ("", "/") or parts.query or parts.fragment:
        report(f"OS_AUTH_URL '{base}' must be https://<domain> with no path: callbacks are built on it", urn)
        return
    host = (parts.hostname or "").lower()
    if hosts and host not in hosts:
        report(
            f"OS_AUTH_URL host '{host}' is not served by the edge ({', '.join(sorted(hosts))}); "
            "OIDC callbacks to it would fail",
            urn,
        )
    prefix = base.rstrip("/") + AUTH_PREFIX
    for name in container.env:
        if "CALLBACK" in name or "REDIRECT_URI" in name:
            value = container.literal(name)
            if isinstance(value, str) and not value.startswith(prefix):
                report(f"{name} '{value}' is not under {prefix}: set it to {prefix}sso/callback/<providerId>", urn)


oidc_callback_on_domain = stack_policy(
    "oidc-callback-on-domain",
    "OIDC callbacks must land on the public domain: OS_AUTH_URL (the base of every callback) must be "
    "https://<domain> and that domain must be served by the edge.",
    Severity.HIGH,
    _oidc_callbacks,
    kind=OBJECTOS_STACK,
    tags=["edge", "auth"],
)

POLICIES = [tls_at_edge, security_headers_present, hsts_after_tls, cors_explicit_origins, oidc_callback_on_domain]
