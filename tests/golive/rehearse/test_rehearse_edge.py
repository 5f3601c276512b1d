"""The rehearsal's edge: real nginx rendered from the prod stack's HeaderSet and WAF rate rules.

In front of a small loopback upstream that answers like the runtime with the stack's
OS_CORS_* (its own security headers on dispatcher routes only, CORS for the listed
origins only). Needs nginx; without it the tests skip, and fail under CI=true.
"""

from __future__ import annotations

import dataclasses
import http.client
import json
import os
import socket
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Optional

import pytest

from golive.rehearse import edge as edge_module
from golive.rehearse import process
from golive.rehearse.edge import EdgeConfigError, render, started_edge
from golive.rehearse.pki import Pki, make_pki
from golive.rehearse.runtime import group_alive
from golive.results import Finding
from golive.verify import checks, command, tls, web
from golive.verify.http import HttpProbe
from objectos_core import waf_rules
from objectos_core.checklist import BY_ID
from objectos_core.headers import HeaderSet
from objectos_core.waf_rules import RateLimit
from program.adapters import header_set
from tests.conftest import stack_settings
from tests.golive.rehearse.test_rehearse_runtime import require

PARTNER = "https://partner.example.com"  # the upstream allows it, the stack's policy does not list it
EVIL = "https://evil.example.com"
RUNTIME_HEADERS = {  # what the runtime sets itself, on dispatcher routes only (REFERENCE.md)
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "geolocation=(), camera=(), microphone=(), payment=()",
    "Cross-Origin-Resource-Policy": "same-origin",
}
ROOMY = {"auth": RateLimit(1000), "write": RateLimit(1000), "read": RateLimit(1000)}


@pytest.fixture(scope="module", autouse=True)
def nginx_installed() -> None:
    require(edge_module.missing())


@pytest.fixture(scope="module")
def settings():
    return stack_settings("prod")


@pytest.fixture(scope="module")
def prod_headers(settings) -> HeaderSet:
    return header_set(settings)


@pytest.fixture(scope="module")
def prod_rates(settings) -> dict:
    limits = settings.rate_limits
    return {"auth": limits.auth, "write": limits.write, "read": limits.read}


@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki") / "ca", ["localhost", "127.0.0.1"])


# --- a loopback upstream that answers like the runtime ------------------------------


@dataclass
class Upstream:
    address: str
    seen: list[tuple[str, str, dict]] = field(default_factory=list)  # (method, raw path, headers)


def _handler(allowed: tuple[str, ...], seen: list) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:  # quiet
            pass

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            seen.append((self.command, self.path, {k.lower(): v for k, v in self.headers.items()}))
            body = b"" if self.command == "HEAD" else json.dumps({"method": self.command, "path": self.path}).encode()
            self.send_response(204 if self.command == "OPTIONS" else 200)
            path = self.path.split("?", 1)[0]
            if path.startswith("/api/v1/") and not path.startswith("/api/v1/auth/"):
                for name, value in RUNTIME_HEADERS.items():
                    self.send_header(name, value)
            self.send_header("X-Powered-By", "upstream")
            origin = self.headers.get("Origin")
            if origin in allowed:
                self.send_header("Access-Control-Allow-Origin", origin)
                self.send_header("Access-Control-Allow-Credentials", "true")
                if self.command == "OPTIONS":
                    self.send_header("Access-Control-Allow-Methods", "GET")
                    self.send_header("Access-Control-Max-Age", "5")
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _answer

    return Handler


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        """nginx closing its kept-alive connections on stop is no error of the upstream's."""


@pytest.fixture(scope="module")
def upstream(prod_headers) -> Iterator[Upstream]:
    seen: list = []
    server = QuietServer(("127.0.0.1", 0), _handler((*prod_headers.cors.origins, PARTNER), seen))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Upstream(f"127.0.0.1:{server.server_address[1]}", seen)
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def prod_edge(prod_headers, prod_rates, upstream, pki) -> Iterator[edge_module.Edge]:
    """The prod stack's edge, kept for the module (requests here stay under its rate limits)."""
    with started_edge(prod_headers, ROOMY, upstream.address, pki) as running:
        yield running


def request(
    running: edge_module.Edge, method: str, path: str, headers: Optional[dict] = None, pki: Optional[Pki] = None
) -> http.client.HTTPResponse:
    """One request over TLS with the raw path as given (no client-side normalisation)."""
    context = ssl.create_default_context(cafile=str(running.ca_file))
    connection = http.client.HTTPSConnection("localhost", running.https_port, context=context, timeout=10)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        response.body = response.read()  # type: ignore[attr-defined]
        return response
    finally:
        connection.close()


# --- the verifier against the edge ------------------------------------------------


def failing(outcomes: list[Finding]) -> dict[str, str]:
    return {o.name: o.reason for o in outcomes if o.status == "fail"}


def verify(running: edge_module.Edge, expected, rate: Optional[tuple[int, int]] = None) -> list[Finding]:
    with HttpProbe(running.ca_file) as client:
        where = web.target(running.https_url, running.http_url)
        outcomes = web.run(client, where, expected, running.ca_file, datetime.now(UTC)).outcomes
        if rate:
            found = web.probe_rate_limit(client, where, *rate, settle_seconds=0.3, pace_seconds=0.05)
            outcomes.append(checks.rate_limited(found))
    return outcomes


def test_every_verify_check_passes_on_the_edge_rendered_from_the_prod_stack(
    settings, prod_headers, prod_rates, upstream, pki
):
    _, expected = command.promised_headers(settings)
    auth = settings.rate_limits.auth
    with started_edge(prod_headers, prod_rates, upstream.address, pki) as running:
        outcomes = verify(running, expected, rate=(auth.limit, auth.window_seconds))
        counted = [e.status for e in running.access_log() if waf_rules.AUTH_RULE in e.rules]
    assert {o.status for o in outcomes} == {"pass"}, failing(outcomes)
    assert {o.rule for o in outcomes} == {
        "tls-at-edge",
        "hsts-after-tls",
        "security-headers-present",
        "cors-explicit-origins",
        "rate-limits-auth-write",
    }
    # The verifier's own auth-route requests count too: the limit bites after exactly `limit` of them all.
    assert counted[: auth.limit].count(200) + counted[: auth.limit].count(204) == auth.limit
    assert counted[auth.limit] == 429
    assert f"Retry-After: {waf_rules.retry_after(auth.window_seconds)}" in outcomes[-1].reason


class WithoutPermissionsPolicy(HeaderSet):
    """A header set that lost a header on its way to the edge (the planted fault)."""

    def as_map(self) -> dict[str, str]:
        return {k: v for k, v in super().as_map().items() if k != "Permissions-Policy"}


def test_a_header_set_missing_a_header_fails_the_header_check_where_the_runtime_does_not_send_it(
    settings, prod_headers, upstream, pki
):
    _, expected = command.promised_headers(settings)
    values = {f.name: getattr(prod_headers, f.name) for f in dataclasses.fields(HeaderSet)}
    weakened = WithoutPermissionsPolicy(**values)
    with started_edge(weakened, ROOMY, upstream.address, pki) as running:
        outcomes = verify(running, expected)
    failed = failing(outcomes)
    # The runtime sets its own on dispatcher routes (/api/v1/health): there the promise still holds.
    assert set(failed) == {"headers on /", "headers on /api/v1/auth/get-session", "headers on /_console/"}
    assert all("Permissions-Policy is missing" in reason for reason in failed.values())


def test_a_rate_limit_left_off_fails_the_probe(settings, prod_headers, prod_rates, upstream, pki):
    _, expected = command.promised_headers(settings)
    auth = settings.rate_limits.auth
    with started_edge(prod_headers, {**prod_rates, "auth": None}, upstream.address, pki) as running:
        outcome = verify(running, expected, rate=(auth.limit, auth.window_seconds))[-1]
    assert (outcome.rule, outcome.status) == ("rate-limits-auth-write", "fail")
    assert "none was limited" in outcome.reason


def test_an_edge_with_every_bucket_off_starts_and_limits_nothing(prod_headers, upstream, pki):
    """Every variable the config reads exists also with no rate zone (nginx refuses an unknown one)."""
    with started_edge(prod_headers, {"auth": None, "write": None, "read": None}, upstream.address, pki) as running:
        answers = [request(running, "POST", "/api/v1/auth/sign-in/email") for _ in range(12)]
    assert 429 not in [answer.status for answer in answers]


def test_the_limited_answer_is_the_wafs_custom_response(settings, prod_headers, upstream, pki):
    rates = {"auth": RateLimit(10, 120), "write": RateLimit(1000), "read": RateLimit(1000)}
    with started_edge(prod_headers, rates, upstream.address, pki) as running:
        answers = [request(running, "POST", "/api/v1/auth/sign-in/email") for _ in range(11)]
    limited = answers[-1]
    assert [a.status for a in answers[:10]] == [200] * 10
    assert limited.status == waf_rules.RATE_LIMITED_STATUS
    assert limited.body == waf_rules.RATE_LIMITED_BODY["content"].encode()
    assert limited.getheader("Content-Type") == "application/json"
    assert limited.getheader("Retry-After") == "120"
    assert limited.getheader("Content-Security-Policy") == prod_headers.content_security_policy


# --- which bucket counts a request: nginx against the WAF's own evaluator -------------

# (method, path) as sent on the wire; nginx refuses a path above the root with 400 before
# any limit, where the WAF would count it: those are listed apart and must never reach the upstream.
REQUESTS = [
    ("POST", "/api/v1/auth/sign-in/email"),
    ("GET", "/api/v1/auth/get-session"),
    ("GET", "/api/v1/auth/sso/callback/okta"),
    ("GET", "/API/V1/AUTH/get-session"),
    ("POST", "/Api/v1/Auth/sign-in/email"),
    ("GET", "/api/v1/%61uth/get-session"),
    ("GET", "/api/v1/%41UTH/get-session"),
    ("GET", "/api/v1/%2561uth/get-session"),
    ("POST", "/api/v1/data/x/../../auth/sign-in/email"),
    ("GET", "/api/v1/x/%2e%2e/auth/get-session"),
    ("GET", "//api//v1//auth/get-session"),
    ("GET", "/api/v1%2fauth%2fget-session"),
    ("GET", "/api/v1/auth/../data/account"),
    ("GET", "/api/v1/authx"),
    ("GET", "/api/v1/auth"),
    ("POST", "/api/v1/data/account"),
    ("PUT", "/api/v1/data/account/1"),
    ("PATCH", "/api/v1/data/account/1"),
    ("DELETE", "/api/v1/data/account/1"),
    ("DELETE", "/api/v1/data/account/1?next=/api/v1/auth/"),
    ("POST", "/api/v1/data/account/batch"),
    ("POST", "/api/v1/data/account/query"),
    ("POST", "/api/v1/analytics/query"),
    ("POST", "/api/v1/data/account/QUERY"),
    ("POST", "/api/v1/data/account/%71uery"),
    ("POST", "/api/v1/data/account/query/"),
    ("POST", "/api/v1/data/a/b/query"),
    ("POST", "/api/v1/data/account/x/../query"),
    ("POST", "/api/v1/data/account%2fquery"),
    ("GET", "/api/v1/data/account"),
    ("HEAD", "/api/v1/meta/objects"),
    ("OPTIONS", "/api/v1/data/account"),
    ("GET", "/_console/"),
    ("GET", "/"),
]
REFUSED_BY_NGINX = [("GET", "/../api/v1/auth/get-session"), ("POST", "/../../api/v1/data/account")]


def test_nginx_counts_each_request_in_the_buckets_the_waf_rules_count_it_in(prod_edge, upstream):
    rules = edge_module.rate_rules(ROOMY)
    sent = {}
    for number, (method, path) in enumerate(REQUESTS + REFUSED_BY_NGINX):
        marked = f"{path}{'&' if '?' in path else '?'}n={number}"
        status = request(prod_edge, method, marked).status
        sent[marked] = (method, path, status)
    logged = {entry.request_uri: entry for entry in prod_edge.access_log()}
    reached = {raw for _, raw, _ in upstream.seen}
    mismatched = []
    for marked, (method, path, status) in sent.items():
        if (method, path) in REFUSED_BY_NGINX:
            assert status == 400 and marked not in reached, (method, path)
            continue
        expected = waf_rules.counted_by(rules, method, path.split("?", 1)[0])
        if list(logged[marked].rules) != expected:
            mismatched.append((method, path, logged[marked].rules, expected))
    assert not mismatched
    counted = {rule for entry in logged.values() for rule in entry.rules}
    assert counted == set(edge_module.BUCKETS.values())  # the table reaches every bucket


def test_a_scope_nginx_cannot_select_by_is_refused_with_the_rule_named():
    rule = waf_rules.rate_rule(waf_rules.AUTH_RULE, RateLimit(10), {"IPSetReferenceStatement": {"ARN": "x"}})
    with pytest.raises(EdgeConfigError, match="rule auth-rate-limit: nginx cannot select requests by IPSetReference"):
        edge_module._zones([rule], edge_module._Maps())


# --- headers, CORS, TLS, redirects ------------------------------------------------------


def test_the_edges_headers_replace_the_upstreams_and_its_x_powered_by_is_removed(prod_edge, prod_headers):
    answer = request(prod_edge, "GET", "/api/v1/health")
    for name, value in prod_headers.as_map().items():
        assert answer.headers.get_all(name) == [value], name
    assert answer.getheader("X-Powered-By") is None
    assert answer.getheader("Server") == "nginx"  # server_tokens off: no version


def test_a_listed_origin_gets_the_policys_cors_headers_over_the_upstreams(prod_edge, prod_headers):
    cors = prod_headers.cors
    origin = cors.origins[-1]
    preflight = request(prod_edge, "OPTIONS", "/api/v1/data/account", {"Origin": origin})
    assert preflight.headers.get_all("Access-Control-Allow-Origin") == [origin]
    assert preflight.getheader("Access-Control-Allow-Credentials") == "true"
    assert preflight.getheader("Access-Control-Allow-Methods") == ", ".join(cors.allowed_methods)
    assert preflight.getheader("Access-Control-Allow-Headers") == ", ".join(cors.allowed_headers)
    assert preflight.getheader("Access-Control-Max-Age") == str(cors.max_age_seconds)
    simple = request(prod_edge, "GET", "/api/v1/data/account", {"Origin": origin})
    assert simple.getheader("Access-Control-Allow-Origin") == origin
    assert simple.getheader("Access-Control-Allow-Methods") is None  # preflight answers only, as CloudFront


def test_any_other_origin_gets_the_upstreams_own_answer(prod_edge):
    partner = request(prod_edge, "OPTIONS", "/api/v1/data/account", {"Origin": PARTNER})
    assert partner.getheader("Access-Control-Allow-Origin") == PARTNER
    assert (partner.getheader("Access-Control-Allow-Methods"), partner.getheader("Access-Control-Max-Age")) == (
        "GET",
        "5",
    )
    evil = request(prod_edge, "OPTIONS", "/api/v1/data/account", {"Origin": EVIL})
    assert not any(name.lower().startswith("access-control-") for name in evil.headers)


@pytest.mark.parametrize("method, path", [("GET", "/"), ("GET", "/api/v1/auth/get-session?x=1"), ("POST", "/a/b")])
def test_plain_http_answers_301_to_https_on_every_path(prod_edge, method, path):
    connection = http.client.HTTPConnection("127.0.0.1", prod_edge.http_port, timeout=10)
    try:
        connection.request(method, path)
        answer = connection.getresponse()
        answer.read()
    finally:
        connection.close()
    assert answer.status == 301
    assert answer.getheader("Location") == f"{prod_edge.https_url}{path}"
    assert answer.getheader("Strict-Transport-Security") is None


def test_tls_before_1_2_is_refused_and_1_3_negotiated(prod_edge):
    observed = tls.observe("localhost", prod_edge.https_port, prod_edge.ca_file)
    assert (observed.error, observed.legacy_accepted, observed.protocol) == (None, None, "TLSv1.3")


def test_hsts_is_sent_only_when_the_header_set_carries_it(prod_headers, upstream, pki):
    without = dataclasses.replace(prod_headers, strict_transport_security=None)
    conf = render(prod_headers, ROOMY, upstream.address, "localhost", 1, 2, pki, Path("d"))
    assert "Strict-Transport-Security" in conf
    with started_edge(without, ROOMY, upstream.address, pki) as running:
        answer = request(running, "GET", "/")
        assert "Strict-Transport-Security" not in running.conf
    assert answer.status == 200 and answer.getheader("Strict-Transport-Security") is None


# --- bad input --------------------------------------------------------------------


@pytest.mark.parametrize(
    "change, words",
    [
        ({"rates": {"auth": RateLimit(10), "write": RateLimit(60)}}, "rates['read'] is missing"),
        ({"rates": {**ROOMY, "reads": RateLimit(10)}}, "rates['reads'] is not a bucket"),
        ({"rates": {**ROOMY, "auth": object()}}, "rates['auth'].limit must be a positive whole number"),
        ({"upstream": "10.0.0.5:8080"}, "upstream '10.0.0.5:8080' must be 127.0.0.1:PORT"),
        ({"server_name": "local host;"}, "server_name 'local host;'"),
        ({"http_port": 0}, "http_port 0 must be a port number"),
        ({"directory": Path("my edge")}, "directory 'my edge' holds white space"),
    ],
)
def test_bad_input_is_refused_naming_the_key(prod_headers, pki, change, words):
    given = dict(
        headers=prod_headers,
        rates=ROOMY,
        upstream="127.0.0.1:8080",
        server_name="localhost",
        http_port=8081,
        https_port=8443,
        pki=pki,
        directory=Path("edge"),
    )
    with pytest.raises(EdgeConfigError, match=words.replace("[", r"\[").replace("]", r"\]")):
        render(**{**given, **change})


def test_a_header_value_with_a_line_break_or_empty_is_refused(prod_headers, pki):
    broken = dataclasses.replace(prod_headers, referrer_policy="no-referrer\r\nSet-Cookie: x=1")
    with pytest.raises(EdgeConfigError, match="Referrer-Policy holds a control character"):
        render(broken, ROOMY, "127.0.0.1:8080", "localhost", 1, 2, pki, Path("d"))


def test_a_dollar_in_a_header_value_reaches_the_client_unexpanded(prod_headers, upstream, pki):
    csp = "default-src 'self'; script-src 'self' 'nonce-$request_uri'"
    with_dollar = dataclasses.replace(prod_headers, content_security_policy=csp)
    with started_edge(with_dollar, ROOMY, upstream.address, pki) as running:
        assert request(running, "GET", "/").getheader("Content-Security-Policy") == csp


# --- running and stopping ------------------------------------------------------------


def test_the_edge_starts_on_new_ports_when_a_free_port_is_taken_before_it_binds(prod_headers, upstream, pki):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken, calls = squatter.getsockname()[1], []

        def racing(count: int) -> list[int]:
            calls.append(count)
            return [taken, *process.free_ports(count - 1)] if len(calls) == 1 else process.free_ports(count)

        with started_edge(prod_headers, ROOMY, upstream.address, pki, ports=racing) as running:
            assert taken not in (running.http_port, running.https_port)
            assert request(running, "GET", "/").status == 200
    assert len(calls) == 2


def test_stopping_the_edge_ends_its_process_group_and_removes_its_folder(prod_headers, upstream, pki):
    said: list[str] = []
    with started_edge(prod_headers, ROOMY, upstream.address, pki, progress=said.append) as running:
        group, folder = running.process.pid, running.directory
        assert folder.is_dir() and (folder / "nginx.conf").is_file()
    assert not group_alive(group)
    assert not folder.exists()
    assert said[0].startswith("starting nginx ") and "edge listening: https://localhost:" in said[1]


def test_a_caller_failing_inside_still_stops_the_edge(prod_headers, upstream, pki):
    with pytest.raises(RuntimeError), started_edge(prod_headers, ROOMY, upstream.address, pki) as running:
        group = running.process.pid
        raise RuntimeError("the caller failed")
    assert not group_alive(group)


# --- fidelity notes -------------------------------------------------------------------


def test_every_fidelity_note_names_a_check_the_verifier_reports(settings, prod_edge):
    _, expected = command.promised_headers(settings)
    reported = {o.rule for o in verify(prod_edge, expected)} | {"rate-limits-auth-write"}
    notes = edge_module.fidelity()
    assert {rule for rule, _ in notes} <= reported and all(rule in BY_ID for rule, _ in notes)
    assert {rule for rule, _ in notes} == reported  # and every check the edge serves has its note
    assert all(note and not note.endswith(".") for _, note in notes)


def test_the_edge_never_listens_beyond_loopback(prod_edge):
    listening = [line for line in prod_edge.conf.splitlines() if line.strip().startswith("listen ")]
    assert listening and all("127.0.0.1:" in line for line in listening)


def test_nothing_in_the_conf_depends_on_the_machines_nginx_defaults(prod_edge):
    conf = prod_edge.conf
    assert "server_tokens off;" in conf and "ssl_protocols TLSv1.2 TLSv1.3;" in conf
    assert os.fspath(prod_edge.directory) in conf  # pid, logs and temp files in its own folder
