"""Judgements of the live verifier over HTTP and TLS: one observation in, one Finding out.

Pure: no network and no clock unless passed in. The observation types live here
so that every judge can be tested from literals; http.py, tls.py and access.py
produce them from the wire.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Optional, Union
from urllib.parse import urlsplit

from golive.grader import grade_headers
from golive.results import Enforcement, Finding, Source, Status, check_id
from objectos_core.checklist import BY_ID
from objectos_core.headers import HSTS
from objectos_core.headers import parse_hsts as hsts_directives

PASS, WARN, FAIL, NOT_JUDGED = Status.PASS, Status.WARN, Status.FAIL, Status.NOT_JUDGED
MIN_TLS = "TLSv1.2"
TLS_ORDER = ("SSLv2", "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3")
EXPIRY_WARN_DAYS = 21
PASSING_SCORE = 90  # an Observatory A: the prod header set is built to score A+
DENIED_STATUSES = (401, 403, 404)
REDIRECT_STATUSES = (301, 302, 303, 307, 308)


# --- observations -------------------------------------------------------------


@dataclass(frozen=True)
class Response:
    """A response as received: headers in order, repeats kept; the body cut at the read cap."""

    url: str
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes = b""

    def values(self, name: str) -> list[str]:
        wanted = name.lower()
        return [value for key, value in self.headers if key.lower() == wanted]

    def header(self, name: str) -> Optional[str]:
        found = self.values(name)
        return ", ".join(found) if found else None

    def header_map(self) -> dict[str, str]:
        """Lower-case name -> value, repeats joined with ', ' (Set-Cookie left out: joining it is ambiguous)."""
        out: dict[str, str] = {}
        for key, value in self.headers:
            name = key.lower()
            if name != "set-cookie":
                out[name] = f"{out[name]}, {value}" if name in out else value
        return out

    def json(self) -> Any:
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return None


@dataclass(frozen=True)
class FetchError:
    """No usable response: refused, timed out, bad certificate, hostile headers, redirect loop..."""

    url: str
    reason: str


@dataclass(frozen=True)
class Unreached(FetchError):
    """A request the run's overall deadline (`--deadline`) left unsent: its checks are not judged."""


Fetched = Union[Response, FetchError]


@dataclass(frozen=True)
class Expectations:
    """What the stack's settings promise, in the terms the checks compare."""

    headers: Mapping[str, str]  # sent on every response, HSTS excluded
    hsts: Optional[str]  # the Strict-Transport-Security value, None when HSTS is off
    cors_origins: tuple[str, ...]
    cors_credentials: bool
    auth_rate_limit: int
    auth_window_seconds: int
    not_at_edge: tuple[str, ...] = ()  # headers the edge cannot set (the ALB's gaps)


@dataclass(frozen=True)
class TlsObservation:
    host: str
    port: int
    protocol: Optional[str] = None  # as ssl reports it, e.g. "TLSv1.3"
    error: Optional[str] = None  # handshake or verification failure, None when trusted
    not_after: Optional[datetime] = None  # aware UTC, known when the certificate verified
    legacy_accepted: Optional[str] = None  # a pre-1.2 protocol the server agreed to


@dataclass(frozen=True)
class RateProbe:
    path: str
    limit: int  # requests per window the stack promises
    window_seconds: int
    sent: int
    elapsed_seconds: float
    limited_status: Optional[int] = None  # 429 or 403 once the limit bites
    limited_after: Optional[int] = None  # requests sent before the first limited answer
    retry_after: Optional[str] = None
    error: Optional[str] = None
    unreached: bool = False  # the run's deadline stopped the probe before the limit bit


@dataclass(frozen=True)
class AccessProbeResult:
    name: str
    request: str  # "METHOD /path" as written in the probe file (variables unexpanded)
    expect: tuple[str, ...]  # any of "denied", "empty", "allowed"
    fetched: Fetched
    credential: Optional[str] = None  # the environment variable's name; None for anonymous
    denied: Optional[tuple[int, ...]] = None  # statuses that count as a denial; default by credential


def outcome(
    rule: str, name: str, status: Status, reason: str, resource: Optional[str] = None, check: Optional[str] = None
) -> Finding:
    """One finding of the live verifier under a checklist id; its sub-check id is `check`, or comes from `name`.

    Every live check is held as mandatory: a `fail` fails the run, and a `warn`
    is the advisory violation a check reports when the promise holds imperfectly.
    """
    if rule not in BY_ID:
        raise ValueError(f"unknown checklist id {rule!r}")
    status = Status(status)
    enforcement = Enforcement.ADVISORY if status is WARN else Enforcement.MANDATORY
    return Finding(
        rule,
        status,
        enforcement,
        reason,
        check=check or check_id(name),
        name=name,
        resource=resource,
        source=Source.VERIFY,
    )


def _on(fetched: Fetched, rule: str, name: str, status: Status, reason: str) -> Finding:
    """A finding about the URL that was fetched."""
    return outcome(rule, name, status, reason, resource=fetched.url)


def _unfetched(fetched: FetchError, rule: str, name: str) -> Finding:
    """No response to judge: a failure, unless the run's deadline came before the request."""
    return _on(fetched, rule, name, NOT_JUDGED if isinstance(fetched, Unreached) else FAIL, fetched.reason)


# --- headers ------------------------------------------------------------------


def _normal(value: str) -> str:
    parts = [" ".join(part.split()) for part in value.split(";")]
    return "; ".join(part for part in parts if part).lower()


def same_value(header: str, seen: str, promised: str) -> bool:
    """Equal up to spacing and case; HSTS compared by its directives."""
    if header.lower() == HSTS.lower():
        return hsts_directives(seen) == hsts_directives(promised)
    return _normal(seen) == _normal(promised)


def security_headers(route: str, fetched: Fetched, expected: Expectations) -> Finding:
    """Every promised header is on the final response of `route`, once, with the promised value."""
    name = f"headers on {route}"
    if isinstance(fetched, FetchError):
        return _unfetched(fetched, "security-headers-present", name)
    problems, doubles = [], []
    for header, value in expected.headers.items():
        seen = fetched.values(header)
        gap = " (the ALB edge cannot set it; use the cloudfront edge)" if header in expected.not_at_edge else ""
        if not seen:
            problems.append(f"{header} is missing{gap}")
        elif not any(same_value(header, v, value) for v in seen):
            problems.append(f"{header} is '{', '.join(seen)}', the stack promises '{value}'")
        elif len(seen) > 1:
            doubles.append(header)
    if problems:
        return _on(fetched, "security-headers-present", name, FAIL, "; ".join(problems))
    if doubles:
        return _on(
            fetched,
            "security-headers-present",
            name,
            WARN,
            f"{', '.join(doubles)} sent more than once (edge and origin both set it); "
            "browsers apply every copy, so let only the edge send it",
        )
    return _on(fetched, "security-headers-present", name, PASS, f"all {len(expected.headers)} promised headers match")


def header_grade(route: str, fetched: Fetched, redirects_to_https: Optional[bool]) -> Finding:
    """The Observatory-style grade of the final response; an A or better passes."""
    name = f"grade of {route}"
    if isinstance(fetched, FetchError):
        return _unfetched(fetched, "security-headers-present", name)
    https = urlsplit(fetched.url).scheme == "https"
    grade = grade_headers(
        fetched.header_map(), https=https, redirects_to_https=redirects_to_https, cookies=fetched.values("set-cookie")
    )
    summary = f"{grade.grade} ({grade.score}/100)"
    if grade.score >= PASSING_SCORE:
        return _on(fetched, "security-headers-present", name, PASS, summary)
    penalties = [m.reason for m in grade.modifiers if m.score < 0]
    return _on(fetched, "security-headers-present", name, FAIL, f"{summary}: " + " ".join(penalties))


# --- redirect and HSTS --------------------------------------------------------


def _origin(url: str) -> tuple[str, str, Optional[int]]:
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or ""), parts.port or default


def https_redirect(fetched: Fetched, https_url: str) -> Finding:
    """Plain HTTP answers with a redirect to HTTPS on the same host at the first hop."""
    name = "HTTP redirects to HTTPS"
    if isinstance(fetched, FetchError):
        return _unfetched(fetched, "tls-at-edge", name)
    location = fetched.header("location")
    if fetched.status not in REDIRECT_STATUSES or not location:
        return _on(
            fetched,
            "tls-at-edge",
            name,
            FAIL,
            f"{fetched.url} answered {fetched.status} instead of a redirect to HTTPS",
        )
    scheme, host, port = _origin(location)
    _, want_host, want_port = _origin(https_url)
    if scheme != "https":
        return _on(fetched, "tls-at-edge", name, FAIL, f"the first hop goes to {location}, not to https://")
    if (host, port) != (want_host, want_port):
        return _on(
            fetched, "tls-at-edge", name, FAIL, f"the first hop goes to {location}, another host than {https_url}"
        )
    status = PASS if fetched.status in (301, 308) else WARN
    note = "" if status == PASS else "; use a permanent redirect (301 or 308) so clients remember it"
    return _on(fetched, "tls-at-edge", name, status, f"{fetched.status} to {location}{note}")


def hsts_over_https(fetched: Fetched, expected: Optional[str]) -> Finding:
    """HTTPS responses carry HSTS exactly as configured, and none when objectos:hsts is off."""
    name = "HSTS over HTTPS"
    if isinstance(fetched, FetchError):
        return _unfetched(fetched, "hsts-after-tls", name)
    seen = fetched.header(HSTS)
    if expected is None:
        if seen is None:
            return _on(fetched, "hsts-after-tls", name, PASS, "not sent, as objectos:hsts.enabled is false")
        return _on(fetched, "hsts-after-tls", name, FAIL, f"'{seen}' is sent although objectos:hsts.enabled is false")
    if seen is None:
        return _on(fetched, "hsts-after-tls", name, FAIL, f"missing; the stack promises '{expected}'")
    if len(fetched.values(HSTS)) > 1 or hsts_directives(seen) != hsts_directives(expected):
        return _on(fetched, "hsts-after-tls", name, FAIL, f"'{seen}' differs from the promised '{expected}'")
    return _on(fetched, "hsts-after-tls", name, PASS, seen)


def no_hsts_over_http(fetched: Fetched) -> Finding:
    """Plain-HTTP responses carry no HSTS: it belongs only on responses over validated TLS."""
    name = "no HSTS over plain HTTP"
    if isinstance(fetched, FetchError):
        return _unfetched(fetched, "hsts-after-tls", name)
    seen = fetched.header(HSTS)
    if seen is None:
        return _on(fetched, "hsts-after-tls", name, PASS, "plain HTTP carries no Strict-Transport-Security")
    return _on(
        fetched,
        "hsts-after-tls",
        name,
        FAIL,
        f"plain HTTP sends '{seen}'; set HSTS on the HTTPS listener only (browsers ignore it over HTTP)",
    )


# --- CORS ---------------------------------------------------------------------


def cors_allowed(fetched: Fetched, origin: str, credentials: bool) -> Finding:
    """A preflight from an allowed origin gets that exact origin back, never '*'."""
    name = f"CORS preflight from {origin}"
    if isinstance(fetched, FetchError):
        return _unfetched(fetched, "cors-explicit-origins", name)
    allowed = fetched.header("access-control-allow-origin")
    sent_credentials = (fetched.header("access-control-allow-credentials") or "").strip().lower() == "true"
    if allowed is None:
        return _on(
            fetched,
            "cors-explicit-origins",
            name,
            FAIL,
            f"no Access-Control-Allow-Origin for the allowed origin {origin}",
        )
    if allowed.strip() == "*":
        return _on(
            fetched, "cors-explicit-origins", name, FAIL, "Access-Control-Allow-Origin is '*'; list explicit origins"
        )
    if allowed.strip().rstrip("/").lower() != origin.lower():
        return _on(
            fetched,
            "cors-explicit-origins",
            name,
            FAIL,
            f"Access-Control-Allow-Origin is '{allowed}', expected '{origin}'",
        )
    if credentials != sent_credentials:
        sent, want = ("true" if flag else "absent" for flag in (sent_credentials, credentials))
        return _on(
            fetched,
            "cors-explicit-origins",
            name,
            FAIL,
            f"Access-Control-Allow-Credentials is {sent}; the stack promises {want}",
        )
    return _on(
        fetched, "cors-explicit-origins", name, PASS, f"echoes {origin}" + (" with credentials" if credentials else "")
    )


def cors_disallowed(fetched: Fetched, origin: str) -> Finding:
    """A preflight from an origin the stack does not list gets no Access-Control-Allow-Origin."""
    name = "CORS preflight from an unlisted origin"
    if isinstance(fetched, FetchError):
        return _unfetched(fetched, "cors-explicit-origins", name)
    allowed = fetched.header("access-control-allow-origin")
    if allowed is None:
        return _on(fetched, "cors-explicit-origins", name, PASS, f"{origin} gets no Access-Control-Allow-Origin")
    if allowed.strip() == "*":
        return _on(
            fetched,
            "cors-explicit-origins",
            name,
            FAIL,
            "Access-Control-Allow-Origin is '*': every site may call the API",
        )
    return _on(
        fetched,
        "cors-explicit-origins",
        name,
        FAIL,
        f"the unlisted origin {origin} is allowed ('{allowed}'): the edge or OS_CORS_ORIGIN reflects any origin",
    )


# --- TLS ----------------------------------------------------------------------


def _tls_rank(protocol: str) -> int:
    return TLS_ORDER.index(protocol) if protocol in TLS_ORDER else -1


def tls_protocol(observed: TlsObservation) -> Finding:
    """The negotiated protocol is at least TLS 1.2 and nothing older is accepted."""
    name = "TLS protocol"
    if observed.protocol is None:
        return outcome(
            "tls-at-edge", name, FAIL, f"no TLS handshake with {observed.host}:{observed.port}: {observed.error}"
        )
    if _tls_rank(observed.protocol) < _tls_rank(MIN_TLS):
        return outcome("tls-at-edge", name, FAIL, f"negotiated {observed.protocol}; require {MIN_TLS} or later")
    if observed.legacy_accepted:
        return outcome(
            "tls-at-edge",
            name,
            FAIL,
            f"negotiated {observed.protocol} but also accepts {observed.legacy_accepted}; "
            "use a TLS 1.2+ security policy (ELBSecurityPolicy-TLS13-1-2-2021-06, TLSv1.2_2021)",
        )
    return outcome("tls-at-edge", name, PASS, f"negotiated {observed.protocol}")


def tls_certificate(observed: TlsObservation, now: datetime, warn_days: int = EXPIRY_WARN_DAYS) -> Finding:
    """The certificate is trusted, valid for the host and not about to expire."""
    name = "TLS certificate"
    if observed.error is not None:
        return outcome("tls-at-edge", name, FAIL, f"{observed.host}: {observed.error}")
    if observed.not_after is None:
        return outcome("tls-at-edge", name, FAIL, f"{observed.host}: the certificate's expiry could not be read")
    days = (observed.not_after - now).days
    if days < 0:
        return outcome("tls-at-edge", name, FAIL, f"{observed.host}: the certificate expired {-days} days ago")
    detail = f"trusted and valid for {observed.host}; expires in {days} days"
    if days < warn_days:
        return outcome(
            "tls-at-edge", name, WARN, f"{detail} (under {warn_days}); check that ACM renewal (DNS validation) works"
        )
    return outcome("tls-at-edge", name, PASS, detail)


# --- rate limit ---------------------------------------------------------------


def rate_limited(probe: RateProbe) -> Finding:
    """Going past the auth limit gets a 429 (or a WAF 403) with Retry-After."""
    name = f"rate limit on {probe.path}"
    sent = f"{probe.sent} requests in {probe.elapsed_seconds:.1f} s"
    if probe.limited_status is None:
        if probe.unreached:
            return outcome("rate-limits-auth-write", name, NOT_JUDGED, f"stopped after {sent}: {probe.error}")
        if probe.error:
            return outcome("rate-limits-auth-write", name, FAIL, f"probe stopped after {sent}: {probe.error}")
        return outcome(
            "rate-limits-auth-write",
            name,
            FAIL,
            f"{sent} and none was limited; the stack promises {probe.limit} per {probe.window_seconds} s",
        )
    when = f"{probe.limited_status} after {probe.limited_after} requests"
    if not probe.retry_after:
        return outcome(
            "rate-limits-auth-write",
            name,
            WARN,
            f"{when} but without Retry-After; give the WAF block a custom 429 response with Retry-After",
        )
    return outcome("rate-limits-auth-write", name, PASS, f"{when}, Retry-After: {probe.retry_after}")


# --- cross-organization access ------------------------------------------------

# Where an ObjectStack data response keeps its rows: the REST envelope
# {"success": true, "data": {"object", "records", "total"}}, the bare
# FindDataResponse {"records"}, OData {"value"}, or a plain {"data": [...]} list.
_ROW_PATHS = (("data", "records"), ("records",), ("data", "value"), ("value",), ("data",))


def rows_in(document: Any) -> Optional[tuple[int, Optional[int]]]:
    """(rows returned, total reported) of a data response, or None when it holds no row list."""
    if isinstance(document, list):
        return len(document), None
    for path in _ROW_PATHS:
        node, parent = document, None
        for key in path:
            parent = node
            node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, list):
            total = parent.get("total") if isinstance(parent, dict) else None
            return len(node), total if isinstance(total, int) and not isinstance(total, bool) else None
    return None


def _empty(result: Response) -> tuple[bool, str]:
    if not 200 <= result.status < 300:
        return False, f"answered {result.status}"
    rows = rows_in(result.json())
    if rows is None:
        return False, f"answered {result.status} with no recognisable record list, so emptiness is unproven"
    count, total = rows
    if count or total:
        return False, f"answered {result.status} with {count} records (total {total if total is not None else count})"
    return True, f"answered {result.status} with zero records"


def denied_statuses(credential: Optional[str]) -> tuple[int, ...]:
    """With a credential a 401 only says the credential was refused, so it proves no wall."""
    return DENIED_STATUSES if credential is None else (403, 404)


_WANTED = {"denied": "a denial", "empty": "zero records", "allowed": "a 2xx answer"}


def access_denied(result: AccessProbeResult) -> Finding:
    """A cross-organization or cross-environment request is denied or sees nothing;
    a control request (expect: allowed) proves the credential works at all."""
    name = f"access: {result.name}"
    fetched = result.fetched
    if isinstance(fetched, FetchError):
        status = NOT_JUDGED if isinstance(fetched, Unreached) else FAIL
        return outcome("cross-org-access-denied", name, status, fetched.reason)
    status, denials = fetched.status, result.denied or denied_statuses(result.credential)
    if "denied" in result.expect and status in denials:
        return outcome("cross-org-access-denied", name, PASS, f"{result.request} denied with {status}")
    if "allowed" in result.expect and 200 <= status < 300:
        return outcome("cross-org-access-denied", name, PASS, f"{result.request} allowed with {status}")
    why = f"answered {status}"
    if "empty" in result.expect:
        empty, why = _empty(fetched)
        if empty:
            return outcome("cross-org-access-denied", name, PASS, f"{result.request} {why}")
    if status == 401 and result.credential:
        why += f": the credential in ${result.credential} was refused (expired?), so nothing was proven"
    elif 200 <= status < 300 and "allowed" not in result.expect:
        why += " - the wall leaks"
    wanted = " or ".join(_WANTED[e] for e in result.expect)
    return outcome("cross-org-access-denied", name, FAIL, f"{result.request} {why}; expected {wanted}")


def not_judged(rule: str, name: str, reason: str) -> Finding:
    """A check that was not asked for or could not run: no verdict, and the reason says why."""
    return outcome(rule, name, NOT_JUDGED, reason)


def failed(rule: str, name: str, reason: str) -> Finding:
    return outcome(rule, name, FAIL, reason)
