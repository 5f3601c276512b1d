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
    HOSTILE_EXPECTATIONS,
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
EXPECTED = HOSTILE_EXPECTATIONS


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


# --- planted secrets: none reaches any output -----------------------------------

PLANTED = {
    "PROBE_TOKEN": "tok-Zq81-planted-bearer",
    "PROBE_COOKIE": "session=planted-cookie-4471",
    "PROBE_KEY": "key planted/with+odd&chars",
    "PROBE_RECORD": "rec-planted-998",
}
SECRET_PROBES = """\
probes:
  - name: bearer
    credential: {env: PROBE_TOKEN, kind: bearer}
    path: /api/v1/data/account/${PROBE_RECORD}
    expect: denied
  - name: cookie
    credential: {env: PROBE_COOKIE, kind: cookie}
    path: /api/v1/data/account?id=${PROBE_RECORD}
    headers: {X-Record: "${PROBE_RECORD}"}
    expect: denied
  - name: api key
    credential: {env: PROBE_KEY, kind: header, header: X-Api-Key}
    method: POST
    path: /api/v1/data/account
    body: {id: "${PROBE_RECORD}"}
    expect: denied
"""


def run_verify(pki, tmp_path, https_handler, environ, probes=SECRET_PROBES):
    from io import StringIO

    from golive.verify import command
    from tests.verify_servers import redirect_to_https, tls_raw_server

    access_file = tmp_path / "probes.yaml"
    access_file.write_text(probes)
    out, err = StringIO(), StringIO()
    with tls_raw_server(pki.certs["good"], https_handler) as https_url:
        with raw_server(redirect_to_https(https_url)) as http_url:
            options = command.Options(
                stack="prod",
                url=https_url,
                http_url=http_url,
                ca_file=pki.ca_file,
                access=access_file,
                json_path=tmp_path / "verify.json",
                junit_path=tmp_path / "verify.xml",
            )
            code = command.main(options, environ=environ, out=out, err=err, promise=lambda s: ({}, EXPECTED))
    written = [p.read_text() for p in (options.json_path, options.junit_path) if p.exists()]
    return code, [out.getvalue(), err.getvalue(), *written]


def leaked(texts, secrets):
    from golive.redact import spellings

    return sorted({s for s in secrets for form in spellings(s) for text in texts if form in text})


def test_credentials_echoed_by_a_server_are_masked_in_the_table_json_and_junit(pki, tmp_path):
    from tests.verify_servers import echo_credentials

    code, texts = run_verify(pki, tmp_path, echo_credentials, PLANTED)
    assert code == 1 and len(texts) == 4
    document = texts[2]
    assert "illegal status line" in document and "***" in document  # the server's words, masked
    assert leaked(texts, PLANTED.values()) == []


def test_the_redaction_is_what_keeps_them_out(pki, tmp_path, monkeypatch):
    from golive import redact
    from tests.verify_servers import echo_credentials

    monkeypatch.setattr(redact.Redactor, "text", lambda self, value: value)  # the planted fault
    _, texts = run_verify(pki, tmp_path, echo_credentials, PLANTED)
    assert leaked(texts, PLANTED.values())


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("tok-planted-crlf\r", "ends with a carriage return"),
        ("tok-planted-lf\n", "ends with a line break"),
        ("tok-planted\x00tail", "holds a control character"),
        ("tok-planted-sécret", "holds non-ASCII"),
    ],
)
def test_a_credential_no_request_can_carry_is_a_usage_error_that_names_only_the_variable(pki, tmp_path, value, words):
    from tests.verify_servers import echo_credentials

    environ = {**PLANTED, "PROBE_TOKEN": value}
    code, texts = run_verify(pki, tmp_path, echo_credentials, environ)
    assert code == 2
    assert "$PROBE_TOKEN " + words in texts[1] and "Traceback" not in texts[1]
    assert leaked(texts, environ.values()) == []


@pytest.mark.parametrize(
    "headers",
    ["{1: x}", "{X-A: [1]}", "{'X A': v}", '{X-A: "a\\r\\nSet-Cookie: x"}', "{X-A: true}", "[a]", "{X-A: é}"],
)
def test_a_probe_file_with_odd_headers_is_refused_not_a_crash(tmp_path, headers):
    from golive.verify import access

    path = tmp_path / "probes.yaml"
    path.write_text(
        f"probes:\n  - name: a\n    credential: anonymous\n    path: /\n    expect: denied\n    headers: {headers}\n"
    )
    with pytest.raises(access.AccessFileError, match=r"probes\[0\]\.headers"):
        access.load(path)


@pytest.mark.parametrize(
    "item",
    [
        "{name: 5, credential: anonymous, path: /, expect: denied}",
        "{name: a, credential: {env: X, kind: [bearer]}, path: /, expect: denied}",
        "{name: a, credential: {env: X, kind: header, header: 'a b'}, path: /, expect: denied}",
        "{name: a, credential: anonymous, path: '/a b', expect: denied}",
        "{name: a, credential: anonymous, path: /, expect: [{x: 1}]}",
        "{name: a, credential: anonymous, method: [GET], path: /, expect: denied}",
        "{name: a, credential: anonymous, path: /, expect: denied, deniedStatuses: [true]}",
    ],
)
def test_odd_probe_values_are_refused_with_where(tmp_path, item):
    from golive.verify import access

    path = tmp_path / "probes.yaml"
    path.write_text(f"probes:\n  - {item}\n")
    with pytest.raises(access.AccessFileError, match=r"probes\[0\]"):
        access.load(path)


# --- decoding under the cap ------------------------------------------------------


@pytest.mark.parametrize("encodings", [["gzip"], ["gzip", "gzip"], ["deflate", "gzip"]])
def test_a_compressed_body_is_decoded_only_up_to_the_cap(encodings):
    import tracemalloc

    from tests.verify_servers import bomb

    with raw_server(bomb(encodings, 200_000_000)) as url:
        tracemalloc.start()
        result = fetch(url + "/", limits=Limits(max_body_bytes=100_000, total_seconds=10))
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert isinstance(result, Response) and result.body == b"\0" * 100_000
    assert peak < 20_000_000  # decoding 200 MB whole would need 200 MB


def test_a_small_compressed_body_decodes_whole():
    from tests.verify_servers import bomb

    with raw_server(bomb(["gzip", "gzip"], 5_000)) as url:
        result = fetch(url + "/")
    assert isinstance(result, Response) and result.body == b"\0" * 5_000


@pytest.mark.parametrize(
    ("encoding", "words"),
    [("gzip, gzip, gzip", "stacks 3 encodings"), ("br", "'br' was not asked for"), ("gzip", "does not decode")],
)
def test_an_encoding_not_asked_for_or_broken_is_a_failed_fetch(encoding, words):
    from tests.verify_servers import respond

    with raw_server(respond("200 OK", {"Content-Encoding": encoding}, b"not compressed at all")) as url:
        result = fetch(url + "/")
    assert isinstance(result, FetchError) and words in result.reason


# --- redirects off the origin ---------------------------------------------------


def test_routes_redirected_to_another_origin_never_pass_on_its_headers(pki):
    from golive.verify import web
    from tests.verify_servers import redirect_everything_to, redirect_to_https, respond, tls_raw_server

    good = respond("200 OK", {"X-Frame-Options": "DENY", "Strict-Transport-Security": "max-age=31536000"})
    promised = Expectations(**{**EXPECTED.__dict__, "hsts": "max-age=31536000"})
    with tls_raw_server(pki.certs["good"], good) as elsewhere:
        with tls_raw_server(pki.certs["good"], redirect_everything_to(elsewhere)) as site:
            with raw_server(redirect_to_https(site)) as plain, HttpProbe(pki.ca_file, QUICK) as client:
                where = web.target(site, plain)
                outcomes = web.run(client, where, promised, pki.ca_file, datetime.now(UTC)).outcomes
                direct = client.fetch("GET", elsewhere + "/", follow_redirects=True)
    judged = [o for o in outcomes if o.name == "HSTS over HTTPS" or o.name.startswith("headers on")]
    assert judged and {o.status for o in judged} == {"fail"}
    assert all("off the origin" in o.reason for o in judged)
    assert checks.security_headers("/", direct, promised).status == "pass"  # the other origin itself is fine


def test_a_redirect_down_to_plain_http_is_not_followed(pki):
    from tests.verify_servers import redirect_everything_to, tls_raw_server

    with tls_raw_server(pki.certs["good"], redirect_everything_to("http://localhost:9")) as site:
        with HttpProbe(pki.ca_file, QUICK) as client:
            result = client.fetch("GET", site + "/", follow_redirects=True)
    assert (
        isinstance(result, FetchError) and "off the origin" in result.reason and "http://localhost:9/" in result.reason
    )
