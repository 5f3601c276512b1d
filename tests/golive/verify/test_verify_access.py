"""Cross-organization access probes: the shipped example against an isolated and a leaky API."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from io import StringIO
from pathlib import Path

import pytest

from golive import results
from golive.verify import access, command, report
from golive.verify.http import HttpProbe
from tests.conftest import ROOT
from tests.verify_tenants import ENVIRONMENT, SESSION_COOKIE, tenant_api

EXAMPLE = ROOT / "examples" / "access-probes.yaml"
WALL_PROBES = {
    "access: A reads B's record by id",
    "access: A queries B's organization",
    "access: A writes a record forged into B",
    "access: A reads another environment by header",
    "access: A reads another environment by path",
}


def run_example(leaky: bool, environ: dict[str, str] = ENVIRONMENT):
    probes = access.load(EXAMPLE)
    with tenant_api(leaky) as base, HttpProbe() as client:
        return access.run(probes, client, base, environ)


def test_the_isolated_api_passes_every_probe_of_the_example():
    outcomes = run_example(leaky=False)
    assert {o.rule for o in outcomes} == {"cross-org-access-denied"}
    assert {o.name: o.status for o in outcomes if o.status != "pass"} == {}


def test_the_leaky_api_is_caught_on_every_wall():
    outcomes = run_example(leaky=True)
    failed = {o.name: o.reason for o in outcomes if o.status == "fail"}
    assert set(failed) == WALL_PROBES
    assert "leaks" in failed["access: A reads B's record by id"]


def test_an_expired_credential_fails_instead_of_passing_as_denied():
    outcomes = run_example(leaky=False, environ={**ENVIRONMENT, "OBJECTOS_PROBE_ORG_A_COOKIE": "stale=1"})
    failed = {o.name: o.reason for o in outcomes if o.status == "fail"}
    assert "access: control - A reads its own accounts" in failed
    assert "$OBJECTOS_PROBE_ORG_A_COOKIE was refused" in failed["access: A reads B's record by id"]


def test_no_credential_or_expanded_value_reaches_any_report():
    outcomes = run_example(leaky=True)
    run = report.build("prod", "https://app.example.com", "2026-11-29T00:00:00+00:00", 0.1, outcomes)
    table = StringIO()
    report.print_table(run, table)
    texts = [table.getvalue(), str(run.to_json()), ET.tostring(results.junit(run), encoding="unicode")]
    for text in texts:
        assert SESSION_COOKIE not in text and SESSION_COOKIE.split("=", 1)[1] not in text
        assert "${OBJECTOS_PROBE_ORG_B_RECORD_ID}" in text  # probes are shown as written


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "probes.yaml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    "probe, words",
    [
        ("{name: p, method: GET, path: /api/v1/data/account, expect: denied}", "probes[0].credential: required"),
        ("{name: p, credential: anonymous, path: /api/v1/data/x, expect: hidden}", "probes[0].expect"),
        ("{name: p, credential: anonymous, path: api/v1/data/x, expect: denied}", "probes[0].path"),
        ("{name: p, credential: {env: 'abc-123'}, path: /x, expect: denied}", "never the value"),
        (
            "{name: p, credential: anonymous, path: /x, expect: denied, headers: {Authorization: x}}",
            "under `credential`",
        ),
        ("{name: p, credential: anonymous, path: /x, expect: denied, timeout: 3}", "probes[0].timeout"),
    ],
)
def test_a_broken_probe_is_refused_with_where_and_what(tmp_path, probe, words):
    with pytest.raises(access.AccessFileError) as caught:
        access.load(write(tmp_path, f"probes:\n  - {probe}\n"))
    assert words in str(caught.value)


def test_duplicate_probe_names_are_refused(tmp_path):
    probe = "{name: same, credential: anonymous, path: /x, expect: denied}"
    with pytest.raises(access.AccessFileError, match="used twice"):
        access.load(write(tmp_path, f"probes:\n  - {probe}\n  - {probe}\n"))


def test_the_example_names_its_variables_and_holds_no_credential():
    probes = access.load(EXAMPLE)
    assert access.missing_variables(probes, {}) == sorted(ENVIRONMENT)
    assert SESSION_COOKIE.split("=", 1)[1] not in EXAMPLE.read_text()


def test_the_command_refuses_to_start_without_the_probe_variables():
    err = StringIO()
    options = command.Options(stack="prod", url="https://app.example.com", access=EXAMPLE)
    code = command.main(options, environ={"OBJECTOS_PROBE_ORG_B_ID": "org_b"}, out=StringIO(), err=err)
    assert code == command.EXIT_USAGE
    assert "OBJECTOS_PROBE_ORG_A_COOKIE" in err.getvalue() and "OBJECTOS_PROBE_ORG_B_ID" not in err.getvalue()
