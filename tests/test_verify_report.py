"""The verifier's outputs and exit codes: table, JSON, JUnit XML; 0 pass, 1 fail, 2 usage."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from io import StringIO

import pytest

from golive.verify import command, report
from golive.verify.checks import CheckOutcome
from tests.conftest import ROOT

OUTCOMES = (
    CheckOutcome("tls-at-edge", "TLS certificate", "warn", "expires in 12 days"),
    CheckOutcome(
        "cors-explicit-origins", "CORS preflight from an unlisted origin", "fail", "Access-Control-Allow-Origin is '*'"
    ),
    CheckOutcome("security-headers-present", "headers on /", "pass", "all 6 promised headers match"),
    CheckOutcome("audit-log-retention", "AWS resources", "skip", "not run; pass --aws"),
)


def run(*outcomes: CheckOutcome) -> report.Run:
    return report.Run("prod", "https://app.example.com", "2026-11-29T10:00:00+00:00", 2.5, outcomes)


def test_warnings_and_skips_do_not_fail_a_run_but_one_failure_does():
    assert run(OUTCOMES[0], OUTCOMES[2], OUTCOMES[3]).passed
    assert not run(*OUTCOMES).passed


def test_json_lists_every_check_in_checklist_order_with_counts():
    document = report.to_json(run(*OUTCOMES))
    assert document["counts"] == {"pass": 1, "warn": 1, "fail": 1, "skip": 1}
    assert [c["id"] for c in document["checks"]] == [
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
    assert "FAIL  cors-explicit-origins" in text
    assert text.rstrip().splitlines()[-1].startswith("NOT verified: 1 pass, 1 warn, 1 fail, 1 skip")


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
