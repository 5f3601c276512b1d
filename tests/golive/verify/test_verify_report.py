"""The verifier's outputs and exit codes: table, JSON, JUnit XML; 0 pass, 1 fail, 2 usage."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import xml.etree.ElementTree as ET
from io import StringIO

import pytest

from golive import results
from golive.results import Finding
from golive.verify import command, report, tls
from golive.verify.checks import TlsObservation, outcome
from tests.conftest import ROOT

OUTCOMES = (
    outcome("tls-at-edge", "TLS certificate", "warn", "expires in 12 days"),
    outcome(
        "cors-explicit-origins", "CORS preflight from an unlisted origin", "fail", "Access-Control-Allow-Origin is '*'"
    ),
    outcome("security-headers-present", "headers on /", "pass", "all 6 promised headers match"),
    outcome("audit-log-retention", "AWS resources", "not_judged", "not run; pass --aws"),
)


def run(*outcomes: Finding) -> results.Report:
    return report.build("prod", "https://app.example.com", "2026-11-29T10:00:00+00:00", 2.5, outcomes)


def test_warnings_and_unjudged_checks_do_not_fail_a_run_but_one_failure_does():
    assert run(OUTCOMES[0], OUTCOMES[2], OUTCOMES[3]).passed
    assert not run(*OUTCOMES).passed


def test_json_lists_every_check_in_checklist_order_with_counts():
    document = run(*OUTCOMES).to_json()
    assert document["counts"] == {"pass": 1, "fail": 1, "warn": 1, "not_judged": 1, "waived": 0}
    assert [c["rule"] for c in document["findings"]] == [
        "tls-at-edge",
        "security-headers-present",
        "cors-explicit-origins",
        "audit-log-retention",
    ]
    json.dumps(document)  # serialisable as is


def test_junit_marks_failures_and_skips_and_keeps_warnings_visible(tmp_path):
    path = tmp_path / "reports" / "verify.xml"
    report.write_junit(run(*OUTCOMES), path)
    suite = ET.parse(path).getroot().find("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("4", "1", "1")
    failure = suite.find("testcase[@classname='cors-explicit-origins']/failure")
    assert failure is not None and "'*'" in failure.get("message")
    warned = suite.find("testcase[@classname='tls-at-edge']/system-out")
    assert warned.text.startswith("warn:")


def test_the_table_shows_failures_in_capitals_and_the_verdict():
    out = StringIO()
    report.print_table(run(*OUTCOMES), out)
    text = out.getvalue()
    assert "FAIL       cors-explicit-origins" in text
    assert text.splitlines()[0].startswith("Verdict: FAIL: 1 pass, 1 FAIL, 1 WARN, 1 not judged")


@pytest.mark.parametrize(
    "options, words",
    [
        (dict(stack="prod", url="http://app.example.com"), "must be https://HOST"),
        (dict(stack="prod", url="https://app.example.com/login"), "origin only"),
        (dict(stack="nope", url="https://app.example.com"), "does not exist"),
        (dict(stack="prod", url="https://app.example.com", ca_file=ROOT / "missing-ca.pem"), "--ca-file"),
    ],
)
def test_usage_errors_exit_2_before_any_request(options, words):
    err = StringIO()
    code = command.main(command.Options(**options), environ={}, out=StringIO(), err=err)
    assert code == command.EXIT_USAGE
    assert words in err.getvalue()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def verify(**options) -> tuple[int, str]:
    err = StringIO()
    closed = f"127.0.0.1:{closed_port()}"
    defaults = dict(stack="prod", url=f"https://{closed}", http_url=f"http://{closed}")
    code = command.main(command.Options(**{**defaults, **options}), environ={}, out=StringIO(), err=err)
    return code, err.getvalue()


@pytest.mark.parametrize("url", ["https://127.0.0.1:99999", "https://app.example.com:abc", "https://app.example.com:"])
def test_a_url_with_a_bad_port_is_a_usage_error(url):
    code, err = verify(url=url)
    assert code == command.EXIT_USAGE and "valid port" in err


def test_a_ca_file_that_is_not_pem_is_a_usage_error(tmp_path):
    bundle = tmp_path / "ca.pem"
    bundle.write_text("not a certificate\n")
    code, err = verify(ca_file=bundle)
    assert code == command.EXIT_USAGE and "PEM" in err


def test_a_ca_file_that_is_a_folder_is_named_as_such(tmp_path):
    code, err = verify(ca_file=tmp_path)
    assert code == command.EXIT_USAGE and "is not a file" in err


@pytest.mark.parametrize("option", ["json_path", "junit_path"])
def test_a_report_path_that_is_a_folder_is_refused_before_any_check(tmp_path, option, monkeypatch):
    monkeypatch.setattr(command.web, "run", lambda *args, **kwargs: pytest.fail("checks ran"))
    code, err = verify(**{option: tmp_path})
    assert code == command.EXIT_USAGE and "is a folder" in err


def test_a_report_under_a_file_is_refused_before_any_check(tmp_path, monkeypatch):
    (tmp_path / "file").write_text("")
    monkeypatch.setattr(command.web, "run", lambda *args, **kwargs: pytest.fail("checks ran"))
    code, err = verify(json_path=tmp_path / "file" / "verify.json")
    assert code == command.EXIT_USAGE and "is not a folder" in err


def test_a_report_that_cannot_be_written_exits_2(tmp_path, monkeypatch):
    def full_disk(run, path, stdout):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(report, "write_json", full_disk)
    code, err = verify(json_path=tmp_path / "verify.json")
    assert code == command.EXIT_USAGE and "No space left on device" in err


def test_a_tls_handshake_timeout_is_not_reported_as_a_rejected_certificate(monkeypatch, tmp_path):
    stalled = TlsObservation("127.0.0.1", 443, error="no TLS handshake within 5 s")
    monkeypatch.setattr(tls, "observe", lambda *args, **kwargs: stalled)
    verify(probe_rate_limit=True, json_path=tmp_path / "verify.json")
    checks = json.loads((tmp_path / "verify.json").read_text())["findings"]
    skipped = [c["reason"] for c in checks if c["status"] == "not_judged" and c["rule"] != "cross-org-access-denied"]
    skipped = [reason for reason in skipped if "pass --aws" not in reason]
    assert len(skipped) == 4  # three HTTPS checks and the rate limit probe
    assert all("handshake within 5 s" in reason and "rejected" not in reason for reason in skipped)


def test_the_cli_wires_verify_and_a_usage_error_has_no_traceback():
    done = subprocess.run(
        [sys.executable, "-m", "golive", "verify", "--stack", "prod", "--url", "ftp://app.example.com"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "must be https://HOST" in done.stderr and "Traceback" not in done.stderr
