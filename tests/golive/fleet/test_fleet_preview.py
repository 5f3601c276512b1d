"""`golive preview` over many stacks: one row per stack, a failing or crashing stack hides no other."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from golive import cli
from golive.fleet import preview as fleet_preview
from golive.fleet import report
from golive.fleet.report import Problem, Row

ROOT = Path(__file__).resolve().parents[3]
PROD = ROOT / "stacks" / "Pulumi.prod.yaml"

# The kit's program, except for two stacks: one whose program raises, one whose worker dies.
PROGRAM = """
import os, signal
import pulumi

stack = pulumi.get_stack()
if stack == "crash":
    os.kill(os.getpid(), signal.SIGKILL)
if stack == "broken":
    raise RuntimeError("the program broke on purpose")
from program import main
main()
"""

# A waiver for prod-b that matches nothing: a mandatory finding in prod, so prod-b is NOT READY.
WAIVERS = """
waivers:
  - id: cors-explicit-origins
    resource: nothing-by-this-name
    reason: kept to show an unused waiver blocks
    owner: platform@example.com
    expires: {expires}
    stacks: [prod-b]
"""


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fleet")
    stacks = folder / "stacks"
    stacks.mkdir()
    for name in ("prod-a", "prod-b", "crash", "broken"):
        shutil.copy(PROD, stacks / f"Pulumi.{name}.yaml")
    (stacks / "Pulumi.invalid.yaml").write_text("config:\n  objectos:environment: prod\n  objectos:domian: x\n")
    expires = date.today() + timedelta(days=30)
    (stacks / "waivers.yaml").write_text(WAIVERS.format(expires=expires.isoformat()))
    program = folder / "program" / "__main__.py"
    program.parent.mkdir()
    program.write_text(PROGRAM)
    out_dir, printed = folder / "out", io.StringIO()
    code = fleet_preview.main(["all"], stacks, jobs=2, out_dir=out_dir, out=printed, program=program)
    rows = {r["stack"]: r for r in json.loads((out_dir / fleet_preview.FLEET_FILE).read_text())["stacks"]}
    return code, rows, printed.getvalue(), out_dir


def test_a_passing_stack_is_ready_beside_failing_ones(fleet):
    _, rows, _, _ = fleet
    assert rows["prod-a"]["verdict"] == "READY" and rows["prod-a"]["exitCode"] == 0, rows["prod-a"]


def test_a_failing_stack_is_not_ready_with_its_blocking_finding(fleet):
    _, rows, text, _ = fleet
    assert rows["prod-b"]["verdict"] == "NOT READY" and rows["prod-b"]["exitCode"] == 1
    assert [b["rule"] for b in rows["prod-b"]["blocking"]] == ["waiver-unused"]
    assert "prod-b: FAIL waiver-unused" in text


def test_a_crashing_worker_is_a_row_with_its_error(fleet):
    _, rows, _, _ = fleet
    assert rows["crash"]["verdict"] == "ERROR" and "killed by signal SIGKILL" in rows["crash"]["error"]


def test_a_broken_program_and_invalid_settings_are_rows_with_their_errors(fleet):
    _, rows, _, _ = fleet
    assert "the program broke on purpose" in rows["broken"]["error"]
    assert rows["invalid"]["error"].startswith("invalid settings") and "objectos:domian" in rows["invalid"]["error"]


def test_the_fleet_exits_2_when_any_stack_could_not_be_judged(fleet):
    code, _, text, _ = fleet
    assert code == 2
    assert text.splitlines()[0].startswith("Fleet verdict: ERROR: 5 stack(s): 1 READY, 1 NOT READY, 3 ERROR")


def test_the_table_has_a_line_per_stack_with_its_verdict(fleet):
    _, rows, text, _ = fleet
    lines = {line.split()[0]: line.split()[1] for line in text.splitlines() if line.startswith("  ") and line.split()}
    assert {name: lines[name] for name in rows} == {
        "broken": "ERROR",
        "crash": "ERROR",
        "invalid": "ERROR",
        "prod-a": "READY",
        "prod-b": "NOT",
    }


def test_each_judged_stack_gets_its_json_and_sarif(fleet):
    _, rows, _, out_dir = fleet
    plan = json.loads((out_dir / "plan-prod-a.json").read_text())
    assert plan["stack"] == "prod-a" and plan["verdict"] == "READY"
    sarif = json.loads((out_dir / "preview-prod-b.sarif").read_text())
    assert any(r["ruleId"] == "waiver-unused" for r in sarif["runs"][0]["results"])
    assert not (out_dir / "plan-crash.json").exists()


def test_a_stack_in_the_fleet_gets_the_same_findings_as_previewed_alone(fleet, previews):
    _, rows, _, _ = fleet
    assert rows["prod-a"]["counts"] == previews("prod").report.counts(), rows["prod-a"]


# --- the exit code and the stack list -------------------------------------------------------------


def _row(code: int) -> Row:
    return Row("s", "x", code, 0.0)


@pytest.mark.parametrize(
    ("codes", "expected"),
    [((0, 0), 0), ((0, 1), 1), ((1, 2, 0), 2), ((), 2)],
    ids=["ready", "blocked", "error", "none"],
)
def test_the_fleet_exit_code(codes, expected):
    assert report.exit_code([_row(c) for c in codes]) == expected


def test_a_blocking_finding_names_its_resource_in_the_table():
    row = Row("prod", "NOT READY", 1, 1.0, counts={"fail": 1}, problems=(Problem("tls-at-edge", "no", "urn::x"),))
    printed = io.StringIO()
    report.print_table([row], "t", "READY", "NOT READY", 1.0, printed)
    assert "prod: FAIL tls-at-edge: no  [x]" in printed.getvalue()


def test_the_stack_list_reads_all_commas_and_repeats_once_each(tmp_path):
    for name in ("b", "a"):
        (tmp_path / f"Pulumi.{name}.yaml").write_text("config: {}\n")
    assert fleet_preview.stack_names(["all"], tmp_path) == ["a", "b"]
    assert fleet_preview.stack_names(["b,a", "b"], tmp_path) == ["b", "a"]


@pytest.mark.parametrize("bad", ["../prod", "a,,b", ""])
def test_a_stack_name_that_is_no_stack_file_name_is_refused(tmp_path, bad):
    with pytest.raises(fleet_preview.UsageError):
        fleet_preview.stack_names([bad], tmp_path)


def test_single_stack_outputs_do_not_go_with_many_stacks(capsys):
    with pytest.raises(SystemExit) as stopped:
        cli.main(["preview", "--stacks", "all", "--json", "out.json"])
    assert stopped.value.code == 2
    assert "--out-dir DIR" in capsys.readouterr().err


def test_fleet_options_need_many_stacks(capsys):
    with pytest.raises(SystemExit) as stopped:
        cli.main(["preview", "--stack", "prod", "--jobs", "2"])
    assert stopped.value.code == 2
    assert "--jobs go(es) with many stacks" in capsys.readouterr().err


def test_the_command_line_runs_a_fleet_and_exits_with_its_code(tmp_path):
    stacks = tmp_path / "stacks"
    stacks.mkdir()
    (stacks / "Pulumi.bad.yaml").write_text("config:\n  objectos:environment: nope\n")
    run = subprocess.run(
        [sys.executable, "-m", "golive", "preview", "--stacks", "all", "--stacks-dir", str(stacks), "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 2
    assert "bad: ERROR: invalid settings" in run.stdout
