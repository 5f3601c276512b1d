"""The HTTP and TLS side of a verification run: what to request, in which order."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Optional
from urllib.parse import SplitResult, urlsplit

from golive import progress
from golive.results import Finding
from golive.verify import checks, tls
from golive.verify.checks import Expectations, FetchError, RateProbe, TlsObservation
from golive.verify.http import HttpProbe

# The console, the auth API (which the runtime may leave without its own headers),
# a dispatcher route, and the root: the edge must cover every one.
ROUTES = ("/", "/api/v1/auth/get-session", "/api/v1/health", "/_console/")
CORS_PATH = "/api/v1/auth/get-session"
# A read of the session is counted by the auth rule and harmless: no login attempts, no lockouts.
RATE_LIMIT_PATH = "/api/v1/auth/get-session"
UNLISTED_ORIGIN = "https://golive-verify.invalid"  # .invalid never resolves (RFC 6761)
UNREACHED_WITHOUT_TLS = (  # the checks a run's deadline leaves out when it comes before the TLS handshake
    ("tls-at-edge", "TLS protocol"),
    ("tls-at-edge", "TLS certificate"),
    ("hsts-after-tls", "responses over HTTPS"),
    ("security-headers-present", "responses over HTTPS"),
    ("cors-explicit-origins", "responses over HTTPS"),
)


@dataclass(frozen=True)
class Target:
    https_url: str  # scheme://host[:port], no path
    http_url: str  # the plain-HTTP origin whose redirect is checked

    @property
    def host(self) -> str:
        return urlsplit(self.https_url).hostname or ""

    @property
    def port(self) -> int:
        return urlsplit(self.https_url).port or 443


def target(url: str, http_url: Optional[str] = None) -> Target:
    """The origin to verify; ValueError says what is wrong with the URL."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise ValueError(f"--url '{url}' must be https://HOST[:PORT]")
    if parts.path not in ("", "/") or parts.query or parts.username:
        raise ValueError(f"--url '{url}' must be an origin only (no path, query or user)")
    _check_port("--url", url, parts)
    https_url = f"https://{parts.netloc}"
    if http_url is None:
        http_url = f"http://{parts.hostname}"
    plain = urlsplit(http_url)
    if plain.scheme != "http" or not plain.hostname:
        raise ValueError(f"--http-url '{http_url}' must be http://HOST[:PORT]")
    _check_port("--http-url", http_url, plain)
    return Target(https_url=https_url, http_url=f"http://{plain.netloc}")


def _check_port(option: str, url: str, parts: SplitResult) -> None:
    try:
        port = parts.port  # urllib raises only when the port is read
    except ValueError:
        port = 0
    if port == 0 or (port is None and parts.netloc.endswith(":")):
        raise ValueError(f"{option} '{url}' has no valid port; use a number from 1 to 65535, or none")


@dataclass(frozen=True)
class WebResult:
    outcomes: list[Finding]
    trusted: bool  # the certificate verified: HTTPS answers mean something
    untrusted_reason: str = ""  # why nothing was sent over HTTPS, when not trusted


def untrusted_reason(observed: TlsObservation) -> str:
    """Why HTTPS answers cannot be trusted, in the words of what actually went wrong."""
    error = observed.error
    if error is None or error.startswith("certificate rejected"):
        return "the TLS certificate is rejected (see TLS certificate)"
    return f"no trusted TLS connection: {error} (see TLS certificate)"


def run(
    client: HttpProbe,
    where: Target,
    expected: Expectations,
    ca_file: Optional[Path],
    now: datetime,
    observe: Optional[Callable[..., TlsObservation]] = None,
) -> WebResult:
    plain = client.fetch("GET", where.http_url + "/")
    redirect = checks.https_redirect(plain, where.https_url)
    # Like the Observatory, a site not served over plain HTTP at all is not marked down for it.
    no_plain_http = isinstance(plain, FetchError) and plain.reason.startswith("cannot connect")
    redirects = None if no_plain_http else redirect.status != checks.FAIL
    if client.out_of_time():
        why = client.unreached_reason
        outcomes = [redirect, checks.no_hsts_over_http(plain)]
        for check_id, name in UNREACHED_WITHOUT_TLS:
            outcomes.append(checks.not_judged(check_id, name, why))
        return WebResult(outcomes, trusted=False, untrusted_reason=why)
    observed_tls = (observe or tls.observe)(where.host, where.port, ca_file, timeout=client.remaining(5.0))
    certificate = checks.tls_certificate(observed_tls, now)
    outcomes = [redirect, checks.no_hsts_over_http(plain), checks.tls_protocol(observed_tls), certificate]
    if certificate.status == checks.FAIL:
        why = untrusted_reason(observed_tls)
        for check_id in ("hsts-after-tls", "security-headers-present", "cors-explicit-origins"):
            outcomes.append(checks.not_judged(check_id, "responses over HTTPS", f"not checked: {why}"))
        return WebResult(outcomes, trusted=False, untrusted_reason=why)
    pages = {route: client.fetch("GET", where.https_url + route, follow_redirects=True) for route in ROUTES}
    outcomes.append(checks.hsts_over_https(pages["/"], expected.hsts))
    for route, page in pages.items():
        outcomes.append(checks.security_headers(route, page, expected))
        # The redirect is a property of the host: the Observatory scores it with the site's root.
        outcomes.append(checks.header_grade(route, page, redirects if route == "/" else None))
    outcomes += cors(client, where, expected)
    return WebResult(outcomes, trusted=True)


def cors(client: HttpProbe, where: Target, expected: Expectations) -> list[Finding]:
    url = where.https_url + CORS_PATH
    outcomes = []
    listed = [origin for origin in expected.cors_origins if origin != "*"]
    if listed:
        allowed = client.fetch("OPTIONS", url, headers=_preflight(listed[0]))
        outcomes.append(checks.cors_allowed(allowed, listed[0], expected.cors_credentials))
    else:
        outcomes.append(
            checks.failed("cors-explicit-origins", "CORS origins", "objectos:cors.origins lists no explicit origin")
        )
    stranger = client.fetch("OPTIONS", url, headers=_preflight(UNLISTED_ORIGIN))
    outcomes.append(checks.cors_disallowed(stranger, UNLISTED_ORIGIN))
    return outcomes


def _preflight(origin: str) -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    }


def probe_rate_limit(
    client: HttpProbe,
    where: Target,
    limit: int,
    window_seconds: int,
    extra: int = 5,
    settle_seconds: float = 40.0,
    pace_seconds: float = 1.0,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> RateProbe:
    """Send limit + extra requests at once, then (AWS WAF reacts within about 30 s) one per
    pace_seconds until the limit bites or settle_seconds pass. Bounded in count and in time."""
    url = where.https_url + RATE_LIMIT_PATH
    most = limit + extra + int(settle_seconds / pace_seconds) + 1
    start, sent = clock(), 0
    while sent < most:
        answer = client.fetch("GET", url)
        sent += 1
        elapsed = clock() - start
        common = dict(
            path=RATE_LIMIT_PATH, limit=limit, window_seconds=window_seconds, sent=sent, elapsed_seconds=elapsed
        )
        if isinstance(answer, FetchError):
            return RateProbe(**common, error=answer.reason, unreached=isinstance(answer, checks.Unreached))
        if answer.status in (429, 403):
            return RateProbe(
                **common, limited_status=answer.status, limited_after=sent - 1, retry_after=answer.header("retry-after")
            )
        if sent >= limit + extra:
            if elapsed >= settle_seconds:
                break
            if (sent - limit - extra) % 10 == 0:  # the WAF takes up to ~30 s: say the probe is waiting
                progress.step(f"rate-limit probe: {sent} sent, no 429 yet, {elapsed:.0f} of {settle_seconds:.0f} s")
            sleep(pace_seconds)
    return RateProbe(
        path=RATE_LIMIT_PATH, limit=limit, window_seconds=window_seconds, sent=sent, elapsed_seconds=clock() - start
    )
