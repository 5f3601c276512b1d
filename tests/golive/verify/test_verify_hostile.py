"""Hostile or broken servers: each becomes a failed check with a reason, never a crash or a hang."""

from __future__ import annotations

import socket
import ssl
import threading
from datetime import UTC, datetime

import pytest

from golive.verify import checks, tls
from golive.verify.checks import Expectations, FetchError, Response
from golive.verify.http import HttpProbe, Limits
from tests.verify_servers import (
    endless_redirects,
    huge_headers,
    make_pki,
    raw_server,
    read_request,
    redirect_loop,
    stall,
    trickle,
)

QUICK = Limits(connect_seconds=1.0, read_seconds=0.5, total_seconds=1.5)
EXPECTED = Expectations(
    headers={"X-Frame-Options": "DENY"},
    hsts=None,
    cors_origins=("https://app.example.com",),
    cors_credentials=True,
    auth_rate_limit=10,
    auth_window_seconds=60,
)


def fetch(url: str, limits: Limits = QUICK, **options) -> object:
    # The reason (e.g. "stalled") proves the bound fired; no wall-clock assertions on a shared machine.
    with HttpProbe(limits=limits) as client:
        return client.fetch("GET", url, **options)


def test_a_server_that_never_answers_times_out_as_a_failed_check():
    with raw_server(stall) as url:
        result = fetch(url + "/")
    assert isinstance(result, FetchError) and "stalled" in result.reason
    outcome = checks.security_headers("/", result, EXPECTED)
    assert outcome.status == "fail" and "stalled" in outcome.reason


def test_a_server_trickling_headers_is_cut_at_the_total_deadline():
    with raw_server(trickle) as url:
        result = fetch(url + "/")
    assert isinstance(result, FetchError) and "total time limit" in result.reason


def test_headers_over_the_cap_fail_with_their_size():
    with raw_server(huge_headers(40_000)) as url:
        result = fetch(url + "/")
    assert isinstance(result, FetchError) and "over the 32768-byte cap" in result.reason


def test_headers_too_big_to_parse_fail_as_oversized():
    with raw_server(huge_headers(400_000)) as url:
        result = fetch(url + "/")
    assert isinstance(result, FetchError) and "oversized" in result.reason


def test_a_redirect_loop_is_detected():
    with raw_server(redirect_loop) as url:
        result = fetch(url + "/a", follow_redirects=True)
    assert isinstance(result, FetchError)
    assert result.reason.startswith("redirect loop:") and result.reason.endswith("/a")


def test_redirects_are_followed_a_bounded_number_of_times():
    with raw_server(endless_redirects) as url:
        result = fetch(url + "/0", limits=Limits(max_redirects=3))
        assert isinstance(result, Response) and result.status == 302  # not followed unless asked
        result = fetch(url + "/0", limits=Limits(max_redirects=3), follow_redirects=True)
    assert isinstance(result, FetchError) and "more than 3 redirects" in result.reason


def test_a_huge_body_is_read_only_up_to_the_cap():
    def flood(conn: socket.socket, stop: threading.Event) -> None:
        read_request(conn)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 50000000\r\n\r\n")
        chunk = b"x" * 65536
        while not stop.is_set():
            conn.sendall(chunk)

    with raw_server(flood) as url:
        result = fetch(url + "/", limits=Limits(max_body_bytes=100_000, total_seconds=5))
    assert isinstance(result, Response) and len(result.body) == 100_000


def test_a_refused_connection_fails_with_a_reason():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = fetch(f"http://127.0.0.1:{port}/")
    assert isinstance(result, FetchError) and result.reason.startswith("cannot connect")


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return make_pki(tmp_path_factory.mktemp("pki"))


def tls_server(cert_key):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*map(str, cert_key))

    def answer(conn: socket.socket, stop: threading.Event) -> None:
        try:
            with context.wrap_socket(conn, server_side=True) as secure:
                read_request(secure)
                secure.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        except ssl.SSLError:
            pass  # the client refused our certificate

    return raw_server(answer)


def test_an_untrusted_certificate_fails_the_fetch_with_the_verification_message(pki):
    with tls_server(pki.certs["untrusted"]) as url:
        https = url.replace("http://127.0.0.1", "https://localhost")
        with HttpProbe(pki.ca_file, QUICK) as client:
            result = client.fetch("GET", https + "/")
    assert isinstance(result, FetchError)
    assert result.reason.startswith("TLS certificate rejected:") and "issuer" in result.reason


def test_the_same_server_with_a_trusted_certificate_answers(pki):
    with tls_server(pki.certs["good"]) as url:
        https = url.replace("http://127.0.0.1", "https://localhost")
        with HttpProbe(pki.ca_file, QUICK) as client:
            result = client.fetch("GET", https + "/")
    assert isinstance(result, Response) and result.status == 200


def test_a_tls_handshake_that_never_completes_times_out():
    with raw_server(stall) as url:
        port = int(url.rsplit(":", 1)[1])
        observed = tls.observe("127.0.0.1", port, timeout=0.5)
    assert observed.error is not None and observed.protocol is None
    assert checks.tls_certificate(observed, datetime.now(UTC)).status == "fail"
