"""examples/github-actions: the workflow parses, every action is pinned by version, and it runs commands that exist."""

from __future__ import annotations

import re
import shlex

import pytest

from golive import cli
from settings import files
from tests.conftest import ROOT

WORKFLOW = ROOT / "examples" / "github-actions" / "golive-preview.yml"
PINNED = re.compile(r"[\w.-]+/[\w./-]+@v\d+\.\d+\.\d+")


@pytest.fixture(scope="module")
def workflow() -> dict:
    return files.load_yaml(WORKFLOW)  # YAML 1.2: `on` stays the string "on"


def steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def commands(workflow: dict, stack: str) -> list[list[str]]:
    found = []
    for step in steps(workflow):
        for line in step.get("run", "").splitlines():
            found.append(shlex.split(line.replace("${{ matrix.stack }}", stack)))
    return [argv for argv in found if argv]


def test_it_runs_on_pull_requests_for_every_committed_stack(workflow):
    assert "pull_request" in workflow["on"]
    (job,) = workflow["jobs"].values()
    stacks = sorted(p.name.split(".")[1] for p in (ROOT / "stacks").glob("Pulumi.*.yaml"))
    assert sorted(job["strategy"]["matrix"]["stack"]) == stacks
    assert workflow["permissions"]["security-events"] == "write"


def test_every_action_is_pinned_to_a_full_version(workflow):
    uses = [step["uses"] for step in steps(workflow) if "uses" in step]
    assert uses and all(PINNED.fullmatch(u) for u in uses), uses


def test_its_golive_commands_parse_with_the_real_command_line(workflow):
    golive = [argv[3:] for argv in commands(workflow, "prod") if argv[1:3] == ["-m", "golive"]]
    assert golive, "the workflow runs no golive command"
    for argv in golive:
        cli.parser().parse_args(argv)  # exits 2 on an unknown option


def test_it_uploads_the_sarif_the_preview_writes(workflow):
    (preview,) = [argv for argv in commands(workflow, "prod") if argv[1:4] == ["-m", "golive", "preview"]]
    written = preview[preview.index("--sarif") + 1]
    (upload,) = [s for s in steps(workflow) if s.get("uses", "").startswith("github/codeql-action/upload-sarif@")]
    assert upload["with"]["sarif_file"].replace("${{ matrix.stack }}", "prod") == written


def test_the_files_it_installs_from_exist(workflow):
    for argv in commands(workflow, "prod"):
        if "-r" in argv:
            assert (ROOT / argv[argv.index("-r") + 1]).is_file()
