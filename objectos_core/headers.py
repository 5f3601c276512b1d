"""The one model of the response headers the edge sends, and how each edge can carry it.

Standard library only. `HeaderSet` holds the values (strict defaults unless
overridden, HSTS, CORS), with the one HSTS format (`hsts_value`, `format_hsts`)
and parse (`parse_hsts`, `hsts_parts`) the settings, the HeaderPolicy component,
the policy pack and the live verifier all use. The renderers below turn a header
set into what CloudFront or the AWS Load Balancer Controller accept.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Optional

from .fields import fill_defaults, filled, member_of
from .limits import CLOUDFRONT_CSP_MAX_LENGTH, HSTS_PRELOAD_MIN_AGE


class EdgeMode(StrEnum):
    """Which edge sends the headers to viewers."""

    CLOUDFRONT = "cloudfront"
    """A CloudFront response headers policy: every header on every route."""
    ALB = "alb"
    """ALB listener attributes: no Referrer-Policy, Permissions-Policy or Cross-Origin-Resource-Policy."""


# Why each directive (the console is a same-origin SPA under /_console/ that calls /api/v1):
#   default-src 'self'               anything not named below loads from this origin only
#   script-src 'self'                no inline or third-party scripts, so an injected <script> is inert
#   style-src 'self' 'unsafe-inline' UI libraries set inline styles; styles cannot run code
#   img-src 'self' data:             icons are bundled or inlined as data: URIs
#   font-src, connect-src 'self'     fonts are bundled; the console only calls its own API
#   object-src 'none'                no plugins
#   base-uri 'self'                  an injected <base> cannot re-point relative URLs elsewhere
#   form-action 'self'               forms post back to this origin only
#   frame-ancestors 'none'           no framing (clickjacking); supersedes X-Frame-Options
#   upgrade-insecure-requests        a stray http:// subresource is fetched over https
DEFAULT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'; upgrade-insecure-requests"
)
DEFAULT_FRAME_OPTIONS = "DENY"
# The full URL stays on this origin; other sites see the origin only, and nothing on a downgrade.
DEFAULT_REFERRER_POLICY = "strict-origin-when-cross-origin"
DEFAULT_PERMISSIONS_POLICY = "geolocation=(), camera=(), microphone=(), payment=()"
DEFAULT_CORP = "same-origin"
NOSNIFF = "nosniff"

# Headers an ALB listener cannot add: reported as not covered at the edge, never dropped silently.
ALB_UNSUPPORTED: tuple[str, ...] = ("Referrer-Policy", "Permissions-Policy", "Cross-Origin-Resource-Policy")

# The AWS Load Balancer Controller reads listener attributes as a comma-separated k=v map.
ALB_ATTRIBUTE_PREFIX = "routing.http.response."

# CORS defaults: what the console and API clients send, nothing more.
DEFAULT_CORS_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
DEFAULT_CORS_HEADERS = ("Authorization", "Content-Type", "X-Environment-Id", "X-Requested-With")
DEFAULT_CORS_MAX_AGE = 600


@dataclass(frozen=True)
class CorsPolicy:
    """Cross-origin access to the API: the same values the runtime gets as OS_CORS_*."""

    origins: Sequence[str]
    """Explicit https origins that may call the API (never '*' with credentials)."""
    allow_credentials: Optional[bool] = True
    """Whether browsers may send cookies and credentials cross-origin."""
    allowed_methods: Optional[Sequence[str]] = DEFAULT_CORS_METHODS
    """HTTP methods allowed cross-origin."""
    allowed_headers: Optional[Sequence[str]] = DEFAULT_CORS_HEADERS
    """Request headers allowed cross-origin."""
    max_age_seconds: Optional[int] = DEFAULT_CORS_MAX_AGE
    """How long a browser may cache a preflight answer (0..86400)."""

    def __post_init__(self) -> None:
        fill_defaults(self)
        for name in ("origins", "allowed_methods", "allowed_headers"):
            object.__setattr__(self, name, tuple(getattr(self, name)))  # immutable, like the rest of the policy
        problem = cors_problem(self)
        if problem:
            raise ValueError(f"CorsPolicy: {problem}")


@dataclass(frozen=True)
class HeaderSet:
    """The response headers the edge sends on every route, plus CORS; strict values unless overridden."""

    cors: CorsPolicy
    """Cross-origin access to the API."""
    content_security_policy: Optional[str] = DEFAULT_CSP
    """Content-Security-Policy."""
    content_type_options: Optional[str] = NOSNIFF
    """X-Content-Type-Options (nosniff)."""
    frame_options: Optional[str] = DEFAULT_FRAME_OPTIONS
    """X-Frame-Options (DENY or SAMEORIGIN)."""
    referrer_policy: Optional[str] = DEFAULT_REFERRER_POLICY
    """Referrer-Policy."""
    permissions_policy: Optional[str] = DEFAULT_PERMISSIONS_POLICY
    """Permissions-Policy."""
    cross_origin_resource_policy: Optional[str] = DEFAULT_CORP
    """Cross-Origin-Resource-Policy."""
    strict_transport_security: Optional[str] = None
    """Strict-Transport-Security (see hsts_value); None sends no HSTS."""

    def __post_init__(self) -> None:
        fill_defaults(self)

    def as_map(self) -> dict[str, str]:
        """Header name -> value on every response. CORS headers depend on the request's Origin, so they are not here."""
        headers = {
            "Content-Security-Policy": filled(self.content_security_policy),
            "X-Content-Type-Options": filled(self.content_type_options),
            "X-Frame-Options": filled(self.frame_options),
            "Referrer-Policy": filled(self.referrer_policy),
            "Permissions-Policy": filled(self.permissions_policy),
            "Cross-Origin-Resource-Policy": filled(self.cross_origin_resource_policy),
        }
        if self.strict_transport_security is not None:
            headers[HSTS] = self.strict_transport_security
        return headers


def cors_problem(cors: CorsPolicy) -> Optional[str]:
    """Why a CORS policy must be refused (checklist item cors-explicit-origins), or None."""
    if not cors.origins:
        return "origins is empty; list the https origins that may call the API"
    if "*" in cors.origins and cors.allow_credentials:
        return "origins holds '*' with allow_credentials=True (cors-explicit-origins); list explicit origins"
    if not 0 <= filled(cors.max_age_seconds) <= 86400:
        return f"max_age_seconds must be 0..86400, got {cors.max_age_seconds}"
    return None


# --- HSTS: one format, one parse ------------------------------------------------

HSTS = "Strict-Transport-Security"


def format_hsts(max_age_seconds: object, include_sub_domains: bool, preload: bool) -> str:
    """The header value for these fields, as CloudFront sends it (no judgement: see `hsts_problem`)."""
    age = (
        int(max_age_seconds) if isinstance(max_age_seconds, float) and max_age_seconds.is_integer() else max_age_seconds
    )
    parts = [f"max-age={age}"]
    if include_sub_domains:
        parts.append("includeSubDomains")
    if preload:
        parts.append("preload")
    return "; ".join(parts)


def hsts_value(max_age_seconds: int, include_sub_domains: bool, preload: bool) -> str:
    """The Strict-Transport-Security value; ValueError for fields browsers or the preload list refuse."""
    problem = hsts_problem(HstsParts(max_age_seconds, include_sub_domains, preload))
    if problem:
        raise ValueError(problem)
    return format_hsts(max_age_seconds, include_sub_domains, preload)


@dataclass(frozen=True)
class HstsParts:
    max_age_seconds: Optional[int]
    """None when the value has no readable max-age."""
    include_sub_domains: bool
    preload: bool


# RFC 6797: max-age is delta-seconds (ASCII digits), optionally quoted.
_DELTA_SECONDS = re.compile(r'(\d+)|"(\d+)"', re.ASCII)
MAX_AGE_CAP = 10**18  # longer values are clamped, as browsers do, and never parsed digit by digit


def max_age_of(raw: str) -> Optional[int]:
    """The seconds in a max-age value, or None when it is not a (quoted) decimal number."""
    match = _DELTA_SECONDS.fullmatch(raw.strip())
    if match is None:
        return None
    digits = (match.group(1) or match.group(2)).lstrip("0") or "0"
    return MAX_AGE_CAP if len(digits) > 18 else int(digits)


def parse_hsts(value: str) -> HstsParts:
    """The directives of a header value as a browser reads them: names in any case, unknown ones ignored."""
    max_age, subdomains, preload = None, False, False
    for part in value.split(";"):
        key, _, raw = part.strip().partition("=")
        key = key.strip().lower()
        if key == "max-age":
            max_age = max_age_of(raw)
        subdomains = subdomains or key == "includesubdomains"
        preload = preload or key == "preload"
    return HstsParts(max_age, subdomains, preload)


def hsts_problem(parts: HstsParts) -> Optional[str]:
    """Why the header would not protect (no positive max-age) or not qualify for preload, or None."""
    if parts.max_age_seconds is None or parts.max_age_seconds <= 0:
        return f"HSTS max-age must be a positive number of seconds, got {parts.max_age_seconds}"
    if parts.preload and not (parts.include_sub_domains and parts.max_age_seconds >= HSTS_PRELOAD_MIN_AGE):
        return f"HSTS preload needs includeSubDomains and max-age >= {HSTS_PRELOAD_MIN_AGE} (hsts-after-tls)"
    return None


_MAX_AGE = re.compile(r"max-age=(\d+)")


def hsts_parts(value: str) -> HstsParts:
    """Split a value made by `hsts_value` back into the fields CloudFront's policy takes; strict."""
    directives = [d.strip() for d in value.split(";") if d.strip()]
    match = _MAX_AGE.fullmatch(directives[0]) if directives else None
    if match is None:
        raise ValueError(f"'{value}' does not start with max-age=<seconds>")
    rest = {d.lower() for d in directives[1:]}
    unknown = rest - {"includesubdomains", "preload"}
    if unknown:
        raise ValueError(f"'{value}' has unknown HSTS directives: {', '.join(sorted(unknown))}")
    return HstsParts(int(match.group(1)), "includesubdomains" in rest, "preload" in rest)


# --- CloudFront ----------------------------------------------------------------


def cloudfront_custom_headers(headers: HeaderSet) -> dict[str, str]:
    """Headers CloudFront's policy has no dedicated field for; they go in its custom headers."""
    return {
        "Permissions-Policy": filled(headers.permissions_policy),
        "Cross-Origin-Resource-Policy": filled(headers.cross_origin_resource_policy),
    }


def cloudfront_problems(headers: HeaderSet) -> list[str]:
    """Values a CloudFront response headers policy would refuse."""
    problems = []
    csp = filled(headers.content_security_policy)
    if len(csp) > CLOUDFRONT_CSP_MAX_LENGTH:
        problems.append(
            f"Content-Security-Policy is {len(csp)} characters; CloudFront accepts at most {CLOUDFRONT_CSP_MAX_LENGTH}"
        )
    if headers.frame_options not in ("DENY", "SAMEORIGIN"):
        problems.append(f"X-Frame-Options '{headers.frame_options}' must be DENY or SAMEORIGIN for CloudFront")
    return problems


# --- ALB (AWS Load Balancer Controller) ------------------------------------------


@dataclass(frozen=True)
class AlbRendering:
    """What an ALB listener carries, and what it cannot."""

    attributes: dict[str, str]
    """Listener attribute -> value, as `aws elbv2 modify-listener-attributes` names them."""
    not_covered: tuple[str, ...]
    """Header names the ALB cannot send from these settings."""
    reasons: dict[str, str]
    """Header name -> why it is not covered."""


def alb_rendering(headers: HeaderSet) -> AlbRendering:
    """The ALB listener attributes for a header set.

    The controller splits its listener-attributes annotation on commas, so a
    multi-valued CORS list cannot travel through it: those headers are left to
    the runtime, which gets the same lists as OS_CORS_*, and reported here.
    """
    cors = headers.cors
    attributes = {
        "content_security_policy.header_value": filled(headers.content_security_policy),
        "x_content_type_options.header_value": filled(headers.content_type_options),
        "x_frame_options.header_value": filled(headers.frame_options),
    }
    if headers.strict_transport_security is not None:
        attributes["strict_transport_security.header_value"] = headers.strict_transport_security
    reasons = {
        name: "an ALB listener cannot add this header; the runtime sets it on its own routes only"
        for name in ALB_UNSUPPORTED
    }
    if len(cors.origins) == 1:
        attributes["access_control_allow_origin.header_value"] = cors.origins[0]
    else:
        reasons["Access-Control-Allow-Origin"] = (
            "an ALB sends one fixed origin; with several origins the runtime matches the request's Origin"
        )
    if cors.allow_credentials:
        attributes["access_control_allow_credentials.header_value"] = "true"
    for name, key, values in (
        ("Access-Control-Allow-Methods", "access_control_allow_methods.header_value", filled(cors.allowed_methods)),
        ("Access-Control-Allow-Headers", "access_control_allow_headers.header_value", filled(cors.allowed_headers)),
    ):
        if len(values) == 1:
            attributes[key] = values[0]
        else:
            reasons[name] = "a list cannot pass the controller's comma-separated annotation; the runtime sends it"
    attributes["access_control_max_age.header_value"] = str(cors.max_age_seconds)
    prefixed = {ALB_ATTRIBUTE_PREFIX + key: value for key, value in attributes.items()}
    prefixed[ALB_ATTRIBUTE_PREFIX + "server.enabled"] = "false"
    return AlbRendering(prefixed, tuple(reasons), reasons)


def string_map_annotation(values: dict[str, str], what: str) -> str:
    """`k1=v1,k2=v2` as the AWS Load Balancer Controller parses it; refuses what it would misread."""
    for key, value in values.items():
        if "," in key or "," in value or "=" in key:
            raise ValueError(
                f"{what}: '{key}={value}' cannot be written in the controller's k=v,k=v annotation "
                "(no ',' in keys or values, no '=' in keys)"
            )
    return ",".join(f"{key}={value}" for key, value in values.items())


def not_covered_at_edge(headers: HeaderSet, mode: EdgeMode) -> tuple[str, ...]:
    """Header names the edge in `mode` does not send; empty for CloudFront."""
    mode = member_of(EdgeMode, mode, "edge mode")
    return alb_rendering(headers).not_covered if mode == EdgeMode.ALB else ()


def edge_header_map(headers: HeaderSet, mode: EdgeMode) -> dict[str, str]:
    """The headers the edge itself puts on every response in `mode`."""
    missing = set(not_covered_at_edge(headers, mode))
    return {name: value for name, value in headers.as_map().items() if name not in missing}
