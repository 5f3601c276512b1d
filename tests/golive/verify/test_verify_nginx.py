"""The live verifier against real nginx on loopback, with certificates from a test CA.

A correct edge passes every check; each broken edge fails the check that guards it.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import pytest

from golive.results import Finding
from golive.verify import checks, command, tls, web
from golive.verify.checks import Expectations
from golive.verify.http import HttpProbe
from objectos_core.checklist import AWS_VERIFIED
from tests import verify_servers
from tests.conftest import ROOT, stack_settings
from tests.verify_servers import ALLOWED_ORIGIN, HSTS_VALUE, SECURITY_HEADERS, Pki, Site, make_pki, needs_nginx, nginx

pytestmark = [pytest.mark.nginx, needs_nginx]

STANDIN = Expectations(
    headers=SECURITY_HEADERS,
    hsts=HSTS_VALUE,
    cors_origins=(ALLOWED_ORIGIN,),
    cors_credentials=True,
    auth_rate_limit=10,
    auth_window_seconds=60,
)


@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


def verify(site: Site, pki: Pki, tmp_path: Path, expected: Expectations = STANDIN, rate: bool = False) -> list[Finding]:
    with nginx(site, pki, tmp_path / "nginx") as edge, HttpProbe(pki.ca_file) as client:
        where = web.target(edge.https_url, edge.http_url)
        outcomes = web.run(client, where, expected, pki.ca_file, datetime.now(UTC)).outcomes
        if rate:
            found = web.probe_rate_limit(client, where, 10, 60, settle_seconds=0.3, pace_seconds=0.05)
            outcomes.append(checks.rate_limited(found))
        return outcomes


def test_nginx_starts_on_new_ports_when_a_free_port_is_taken_before_it_binds(pki, tmp_path, monkeypatch):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        real, calls = verify_servers._free_ports, []

        def racing(count: int) -> list[int]:
            calls.append(count)
            return [taken, *real(count - 1)] if len(calls) == 1 else real(count)

        monkeypatch.setattr(verify_servers, "_free_ports", racing)
        with nginx(Site(), pki, tmp_path / "nginx") as edge, HttpProbe(pki.ca_file) as client:
            assert f":{taken}" not in edge.http_url + edge.https_url
            answer = client.fetch("GET", edge.https_url + "/")
    assert len(calls) == 2 and answer.status == 200


def failing(outcomes: list[Finding]) -> dict[str, str]:
    return {o.name: o.reason for o in outcomes if o.status == "fail"}


def named(outcomes: list[Finding], name: str) -> Finding:
    return next(o for o in outcomes if o.name == name)


def test_a_correct_edge_passes_every_check(pki, tmp_path):
    outcomes = verify(Site(), pki, tmp_path, rate=True)
    assert {o.status for o in outcomes} == {"pass"}, failing(outcomes)
    assert {o.rule for o in outcomes} >= {
        "tls-at-edge",
        "hsts-after-tls",
        "security-headers-present",
        "cors-explicit-origins",
        "rate-limits-auth-write",
    }


def test_a_missing_header_fails_the_header_check_on_every_route(pki, tmp_path):
    headers = {k: v for k, v in SECURITY_HEADERS.items() if k != "Permissions-Policy"}
    outcomes = verify(Site(headers=headers), pki, tmp_path)
    failed = failing(outcomes)
    assert set(failed) == {f"headers on {route}" for route in web.ROUTES}
    assert all("Permissions-Policy is missing" in reason for reason in failed.values())


def test_wildcard_cors_fails_both_cors_checks_only(pki, tmp_path):
    outcomes = verify(Site(cors="wildcard"), pki, tmp_path)
    assert {o.rule for o in outcomes if o.status == "fail"} == {"cors-explicit-origins"}
    assert "'*'" in named(outcomes, "CORS preflight from an unlisted origin").reason


def test_an_edge_reflecting_any_origin_fails_the_unlisted_origin_check(pki, tmp_path):
    outcomes = verify(Site(cors="reflect"), pki, tmp_path)
    assert set(failing(outcomes)) == {"CORS preflight from an unlisted origin"}


def test_no_redirect_fails_the_redirect_check(pki, tmp_path):
    outcomes = verify(Site(redirect=False), pki, tmp_path)
    redirect = named(outcomes, "HTTP redirects to HTTPS")
    assert (redirect.rule, redirect.status) == ("tls-at-edge", "fail")
    assert "answered 200" in redirect.reason
    # The Observatory scores the missing redirect on the site's root, nowhere else.
    assert set(failing(outcomes)) == {"HTTP redirects to HTTPS", "grade of /"}


def test_hsts_over_plain_http_fails_hsts_after_tls_only(pki, tmp_path):
    outcomes = verify(Site(hsts_over_http=True), pki, tmp_path)
    assert set(failing(outcomes)) == {"no HSTS over plain HTTP"}
    assert named(outcomes, "no HSTS over plain HTTP").rule == "hsts-after-tls"


def test_hsts_missing_over_https_fails(pki, tmp_path):
    outcomes = verify(Site(hsts=None), pki, tmp_path)
    hsts = named(outcomes, "HSTS over HTTPS")
    assert (hsts.rule, hsts.status) == ("hsts-after-tls", "fail")


@pytest.mark.parametrize(
    "cert, words",
    [
        ("expired", "certificate has expired"),
        ("wrong_host", "Hostname mismatch"),
        ("untrusted", "unable to get local issuer"),
    ],
)
def test_a_bad_certificate_fails_the_tls_check_and_nothing_is_read_over_it(pki, tmp_path, cert, words):
    outcomes = verify(Site(cert=cert), pki, tmp_path)
    certificate = named(outcomes, "TLS certificate")
    assert (certificate.rule, certificate.status) == ("tls-at-edge", "fail")
    assert words in certificate.reason
    assert set(failing(outcomes)) == {"TLS certificate"}
    assert {o.status for o in outcomes if o.name == "responses over HTTPS"} == {"not_judged"}


def test_a_certificate_close_to_expiry_warns(pki, tmp_path):
    outcomes = verify(Site(cert="soon"), pki, tmp_path)
    certificate = named(outcomes, "TLS certificate")
    assert certificate.status == "warn" and "expires in 10 days" in certificate.reason


def test_an_edge_still_accepting_tls_1_1_fails_the_protocol_check(pki, tmp_path):
    with nginx(Site(legacy_tls=True), pki, tmp_path / "nginx") as edge:
        observed = tls.observe("localhost", int(edge.https_url.rsplit(":", 1)[1]), pki.ca_file)
    outcome = checks.tls_protocol(observed)
    assert outcome.status == "fail" and "TLSv1.1" in outcome.reason


def test_limit_req_answering_429_passes_the_rate_limit_probe(pki, tmp_path):
    outcome = verify(Site(), pki, tmp_path, rate=True)[-1]
    assert (outcome.rule, outcome.status) == ("rate-limits-auth-write", "pass")
    assert "429" in outcome.reason and "Retry-After: 60" in outcome.reason


def test_no_rate_limit_fails_the_probe_within_its_bounds(pki, tmp_path):
    outcome = verify(Site(rate_limit_per_minute=None), pki, tmp_path, rate=True)[-1]
    assert (outcome.rule, outcome.status) == ("rate-limits-auth-write", "fail")
    assert "none was limited" in outcome.reason


def test_the_prod_header_set_served_by_the_edge_passes(pki, tmp_path):
    headers_module = pytest.importorskip("program.adapters")
    settings = stack_settings("prod")
    promised, expected = command.promised_headers(settings)
    assert promised == headers_module.header_set(settings).as_map()
    site = Site(headers=dict(expected.headers), hsts=expected.hsts)
    assert expected.cors_origins[0] == ALLOWED_ORIGIN  # the edge under test allows this one
    outcomes = verify(site, pki, tmp_path, expected=expected)
    assert {o.status for o in outcomes} == {"pass"}, failing(outcomes)


# --- the command, end to end --------------------------------------------------


def standin(settings):
    return {**SECURITY_HEADERS, "Strict-Transport-Security": HSTS_VALUE}, STANDIN


def run_command(edge, pki: Pki, tmp_path: Path, **options) -> tuple[int, str, dict, ET.Element]:
    out, err = StringIO(), StringIO()
    opts = command.Options(
        stack="prod",
        url=edge.https_url,
        http_url=edge.http_url,
        ca_file=pki.ca_file,
        json_path=tmp_path / "out" / "verify.json",
        junit_path=tmp_path / "out" / "verify.xml",
        **options,
    )
    code = command.main(opts, environ={}, out=out, err=err, promise=standin, rate_settle_seconds=0.3)
    return code, out.getvalue(), json.loads(opts.json_path.read_text()), ET.parse(opts.junit_path).getroot()


def test_the_command_exits_0_and_reports_a_correct_edge(pki, tmp_path):
    with nginx(Site(), pki, tmp_path / "nginx") as edge:
        code, table, document, junit = run_command(edge, pki, tmp_path, probe_rate_limit=True)
    assert code == command.EXIT_OK, table
    assert document["verdict"] == "PASS" and document["exitCode"] == 0 and document["counts"]["fail"] == 0
    assert "Verdict: PASS" in table
    suite = junit.find("testsuite")
    assert suite.get("failures") == "0" and int(suite.get("tests")) == len(document["findings"])


def test_the_command_exits_1_and_names_the_failure_in_json_and_junit(pki, tmp_path):
    with nginx(Site(cors="wildcard"), pki, tmp_path / "nginx") as edge:
        code, table, document, junit = run_command(edge, pki, tmp_path)
    assert code == command.EXIT_FAILED
    failed = [c for c in document["findings"] if c["status"] == "fail"]
    assert {c["rule"] for c in failed} == {"cors-explicit-origins"}
    failures = junit.findall(".//testcase[failure]")
    assert {case.get("classname") for case in failures} == {"cors-explicit-origins"}
    assert "FAIL" in table and "Verdict: FAIL" in table


def test_the_command_skips_what_it_was_not_asked_to_run(pki, tmp_path):
    with nginx(Site(), pki, tmp_path / "nginx") as edge:
        _, _, document, junit = run_command(edge, pki, tmp_path)
    skipped = {c["rule"] for c in document["findings"] if c["status"] == "not_judged"}
    assert {"rate-limits-auth-write", "cross-org-access-denied", *AWS_VERIFIED} <= skipped
    assert len(junit.findall(".//testcase/skipped")) == len(
        [c for c in document["findings"] if c["status"] == "not_judged"]
    )


def test_a_bad_certificate_skips_the_probes_that_would_send_over_it(pki, tmp_path):
    with nginx(Site(cert="expired"), pki, tmp_path / "nginx") as edge:
        code, _, document, _ = run_command(edge, pki, tmp_path, probe_rate_limit=True)
    assert code == command.EXIT_FAILED
    probe = next(c for c in document["findings"] if c["name"] == "rate limit probe")
    assert probe["status"] == "not_judged" and "certificate" in probe["reason"]


def test_expectations_come_from_the_stack_settings():
    settings = stack_settings("dev")
    _, expected = command.promised_headers(settings)
    assert expected.auth_rate_limit == settings.rate_limits.auth.limit
    assert expected.hsts == f"max-age={settings.hsts.max_age_seconds}"
    assert expected.not_at_edge  # dev is an ALB edge: some headers cannot be set there
    assert "Strict-Transport-Security" not in expected.headers
    assert command.promised_headers(stack_settings("prod"))[1].not_at_edge == ()


def test_the_cli_verifies_an_edge_serving_the_prod_promises(pki, tmp_path):
    pytest.importorskip("program.adapters")
    _, expected = command.promised_headers(stack_settings("prod"))
    site = Site(headers=dict(expected.headers), hsts=expected.hsts)
    with nginx(site, pki, tmp_path / "nginx") as edge:
        done = subprocess.run(
            [sys.executable, "-m", "golive", "verify", "--stack", "prod", "--url", edge.https_url]
            + ["--http-url", edge.http_url, "--ca-file", str(pki.ca_file), "--json", str(tmp_path / "v.json")],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads((tmp_path / "v.json").read_text())["verdict"] == "PASS"
    assert "is not objectos:domain app.example.com" in done.stderr
