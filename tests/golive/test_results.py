"""One results model for the preview and the verifier: text, JSON and JUnit tell the same story."""

from __future__ import annotations

import io
import json
import re
import socket
import xml.etree.ElementTree as ET
from io import StringIO
from pathlib import Path

import pytest

from golive import analyzer, checklist, cli, results
from golive import preview as preview_mod
from golive.results import SCHEMA_VERSION, Enforcement, Finding, Report, Status, violation
from golive.verify import command, report
from golive.verify.checks import outcome
from objectos_core.checklist import BY_ID, LIVE_ONLY

LABELS = {status.label: status.value for status in Status}
LABEL = "|".join(re.escape(label) for label in sorted(LABELS, key=len, reverse=True))

VERIFIED = (
    outcome(
        "tls-at-edge", "HTTP redirects to HTTPS", "warn", "302 to https://app.example.com/; use a permanent redirect"
    ),
    outcome("tls-at-edge", "TLS certificate", "pass", "trusted; expires in 80 days"),
    outcome(
        "cors-explicit-origins", "CORS preflight from an unlisted origin", "fail", "Access-Control-Allow-Origin is '*'"
    ),
    outcome("audit-log-retention", "AWS resources", "not_judged", "not run; pass --aws with read-only credentials"),
)


def verify_report(*findings: Finding) -> Report:
    return report.build("prod", "https://app.example.com", "2026-11-29T10:00:00+00:00", 1.5, findings)


def junit_statuses(root: ET.Element) -> list[tuple[str, str]]:
    """(rule, status) of every test case, read back from the JUnit XML."""
    found = []
    for case in root.iter("testcase"):
        if case.find("failure") is not None:
            status = "fail"
        elif case.find("skipped") is not None:
            status = case.find("skipped").get("message").split(":", 1)[0]
        else:
            status = case.find("system-out").text.split(":", 1)[0]
        found.append((case.get("classname"), status))
    return found


def verify_table_statuses(text: str) -> list[tuple[str, str]]:
    rows = re.findall(rf"^  ({LABEL}) +(\S+) ", text, flags=re.MULTILINE)
    return [(rule, LABELS[label]) for label, rule in rows]


def preview_table_statuses(text: str) -> list[tuple[str, str]]:
    rows = re.findall(rf"^  ([a-z0-9-]+) +({LABEL}) ", text, flags=re.MULTILINE)
    return [(rule, LABELS[label]) for rule, label in rows]


def json_statuses(
    document: dict, sources: tuple[str, ...] = ("policy", "plan", "settings", "verify")
) -> list[tuple[str, str]]:
    return [(f["rule"], f["status"]) for f in document["findings"] if f["source"] in sources]


# --- the model ----------------------------------------------------------------------------------


def test_an_advisory_violation_is_warn_and_a_mandatory_one_fails():
    assert violation("tls-at-edge", Enforcement.ADVISORY, "302").status is Status.WARN
    assert violation("tls-at-edge", Enforcement.MANDATORY, "no redirect").status is Status.FAIL


@pytest.mark.parametrize(
    "status, enforcement, words",
    [("fail", "advisory", "an advisory violation is 'warn'"), ("warn", "mandatory", "a mandatory violation is 'fail'")],
)
def test_a_finding_cannot_call_a_violation_by_the_other_level(status, enforcement, words):
    with pytest.raises(ValueError, match=words):
        Finding("tls-at-edge", status, enforcement, "why")


def test_an_unknown_status_is_refused_with_the_allowed_ones():
    with pytest.raises(ValueError, match="status 'skip': use one of pass, fail, warn, not_judged, waived"):
        Finding("tls-at-edge", "skip", "mandatory", "why")


def test_only_a_mandatory_violation_blocks_the_verdict_and_sets_exit_1():
    calm = [
        Finding("tls-at-edge", "pass", "mandatory", "ok"),
        violation("hsts-after-tls", Enforcement.ADVISORY, "short max-age"),
        Finding("cross-org-access-denied", "not_judged", "mandatory", "live only"),
        Finding("audit-log-retention", "waived", "mandatory", "accepted until the archive moves"),
    ]
    ready = Report("preview", "dev", calm)
    assert (ready.verdict, ready.exit_code) == ("READY", 0)
    blocked = Report("preview", "dev", [*calm, violation("tls-at-edge", Enforcement.MANDATORY, "no TLS")])
    assert (blocked.verdict, blocked.exit_code) == ("NOT READY", 1)
    assert (Report("verify", "dev", calm).verdict, Report("verify", "dev", blocked.findings).verdict) == (
        "PASS",
        "FAIL",
    )


def test_a_sub_check_id_is_stable_and_readable():
    assert outcome("security-headers-present", "headers on /api/v1/health", "pass", "ok").id == (
        "security-headers-present/headers-on-api-v1-health"
    )
    assert results.check_id("headers on /") == "headers-on-root"
    assert results.check_id("access: A reads B's record by id") == "access-a-reads-b-s-record-by-id"


def test_the_json_carries_the_schema_version_verdict_exit_code_and_every_count():
    document = verify_report(*VERIFIED).to_json()
    assert (document["schemaVersion"], document["tool"]) == (SCHEMA_VERSION, "golive verify")
    assert (document["verdict"], document["exitCode"]) == ("FAIL", 1)
    assert document["counts"] == {"pass": 1, "fail": 1, "warn": 1, "not_judged": 1, "waived": 0}
    assert sum(document["counts"].values()) == len(document["findings"])
    json.dumps(document)


# --- the verifier's three renderings ----------------------------------------------------------


def test_the_verifier_text_json_and_junit_agree_on_every_status_and_the_verdict():
    run = verify_report(*VERIFIED)
    table = StringIO()
    report.print_table(run, table)
    document = run.to_json()
    junit = results.junit(run)
    expected = [(f.rule, f.status.value) for f in run.findings]
    assert verify_table_statuses(table.getvalue()) == expected
    assert json_statuses(document) == expected
    assert junit_statuses(junit) == expected
    properties = {p.get("name"): p.get("value") for p in junit.iter("property")}
    assert table.getvalue().splitlines()[0].startswith(f"Verdict: {document['verdict']}:")  # the verdict first
    assert (properties["verdict"], properties["exitCode"]) == (document["verdict"], str(document["exitCode"]))


def test_a_verifier_warning_is_warn_in_the_table_the_json_and_the_junit():
    run = verify_report(VERIFIED[0])
    table = StringIO()
    report.print_table(run, table)
    assert verify_table_statuses(table.getvalue()) == [("tls-at-edge", "warn")]
    assert run.to_json()["findings"][0]["status"] == "warn"
    assert run.to_json()["findings"][0]["enforcement"] == "advisory"
    (case,) = results.junit(run).iter("testcase")
    assert case.find("failure") is None and case.find("system-out").text.startswith("warn:")
    assert run.to_json()["verdict"] == "PASS"


# --- the preview's three renderings ------------------------------------------------------------


def test_an_advisory_policy_violation_is_a_warn_finding():
    levels = {policy_id: "advisory" for policy_id in BY_ID if policy_id not in LIVE_ONLY}
    diagnostic = analyzer.Diagnostic("hsts-after-tls", "max-age is a day", "urn:x::hsts", "advisory", "high")
    (row,) = [r for r in checklist.rows([diagnostic], levels, strict=False) if r.rule == "hsts-after-tls"]
    assert (row.status, row.enforcement, row.severity) == (Status.WARN, Enforcement.ADVISORY, "high")


def preview_outputs(preview) -> tuple[str, dict, ET.Element]:
    text = io.StringIO()
    preview_mod.print_summary(preview, text)
    return text.getvalue(), preview.to_json(), results.junit(preview.report)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_preview_text_json_and_junit_agree_on_every_status_and_the_verdict(previews, stack):
    text, document, junit = preview_outputs(previews(stack))
    checklist_rows = json_statuses(document, ("policy", "verify", "settings"))  # settings: the stack file's own keys
    assert preview_table_statuses(text) == checklist_rows
    assert junit_statuses(junit) == json_statuses(document)
    assert f"Verdict: {document['verdict']} " in text or f"Verdict: {document['verdict']}:" in text
    assert document["exitCode"] == previews(stack).exit_code


def test_the_dev_stack_advisory_violations_are_warn_everywhere_and_do_not_block(previews):
    text, document, junit = preview_outputs(previews("dev"))
    warned = [f for f in document["findings"] if f["status"] == "warn"]
    assert warned, "the dev stack is expected to break advisory policies"
    assert all(f["enforcement"] == "advisory" for f in warned)
    assert not [f for f in document["findings"] if f["status"] == "fail"]
    assert " WARN " in text and " FAIL " not in text
    assert junit.find("testsuite").get("failures") == "0"
    assert (document["verdict"], document["exitCode"]) == ("READY", 0)


# --- `-` means stdout -----------------------------------------------------------------------


@pytest.fixture
def prod_preview(monkeypatch, previews, tmp_path):
    monkeypatch.setattr(preview_mod, "preview_stack", lambda stack, stack_file=None: previews("prod"))
    monkeypatch.chdir(tmp_path)  # a file named '-' would land here
    return tmp_path


def test_preview_json_dash_writes_the_document_to_stdout_and_the_summary_to_stderr(prod_preview, capsys):
    assert cli.main(["preview", "--stack", "prod", "--json", "-"]) == 0
    captured = capsys.readouterr()
    document = json.loads(captured.out)
    assert (document["schemaVersion"], document["exitCode"], document["verdict"]) == (SCHEMA_VERSION, 0, "READY")
    assert "resources" in document and "Verdict: READY" in captured.err
    assert not (prod_preview / "-").exists()


def test_preview_junit_dash_writes_xml_to_stdout(prod_preview, capsys):
    assert cli.main(["preview", "--stack", "prod", "--junit", "-"]) == 0
    suite = ET.fromstring(capsys.readouterr().out).find("testsuite")
    assert suite.get("failures") == "0" and int(suite.get("tests")) > 0
    assert not (prod_preview / "-").exists()


def test_preview_graph_dash_writes_mermaid_to_stdout(prod_preview, capsys):
    assert cli.main(["preview", "--stack", "prod", "--graph", "-"]) == 0
    assert capsys.readouterr().out.startswith("flowchart")
    assert not (prod_preview / "-").exists()


def test_two_documents_on_stdout_are_a_usage_error(prod_preview, capsys):
    assert cli.main(["preview", "--stack", "prod", "--json", "-", "--junit", "-"]) == 2
    assert "--json and --junit both write to stdout" in capsys.readouterr().err


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def verify_to_stdout(tmp_path: Path, monkeypatch, **paths: Path) -> tuple[int, str, str]:
    monkeypatch.chdir(tmp_path)
    closed = f"127.0.0.1:{closed_port()}"
    out, err = StringIO(), StringIO()
    options = command.Options(stack="prod", url=f"https://{closed}", http_url=f"http://{closed}", **paths)
    code = command.main(options, environ={}, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_verify_json_dash_writes_the_document_to_stdout_and_the_table_to_stderr(tmp_path, monkeypatch):
    code, out, err = verify_to_stdout(tmp_path, monkeypatch, json_path=Path("-"))
    document = json.loads(out)
    assert (document["schemaVersion"], document["exitCode"], document["verdict"]) == (SCHEMA_VERSION, code, "FAIL")
    assert code == command.EXIT_FAILED and "Verdict: FAIL" in err
    assert not (tmp_path / "-").exists()


def test_verify_junit_dash_writes_xml_to_stdout(tmp_path, monkeypatch):
    code, out, _ = verify_to_stdout(tmp_path, monkeypatch, junit_path=Path("-"))
    suite = ET.fromstring(out).find("testsuite")
    assert code == command.EXIT_FAILED and int(suite.get("failures")) > 0
    assert not (tmp_path / "-").exists()


def test_verify_refuses_two_documents_on_stdout_before_any_check(tmp_path, monkeypatch):
    monkeypatch.setattr(command.web, "run", lambda *args, **kwargs: pytest.fail("checks ran"))
    code, _, err = verify_to_stdout(tmp_path, monkeypatch, json_path=Path("-"), junit_path=Path("-"))
    assert code == command.EXIT_USAGE and "both write to stdout" in err
