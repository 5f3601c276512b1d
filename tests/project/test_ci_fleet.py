"""examples/github-actions/golive-fleet.yml: the matrix previews exactly the stacks in stacks/.

The listing job's own script is run here, as the runner runs it (bash, GITHUB_OUTPUT), so the
matrix it hands on is the one a pull request gets.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from golive import cli
from settings import files
from tests.conftest import ROOT
from tests.project.test_ci_example import PINNED, commands, steps

WORKFLOW = ROOT / "examples" / "github-actions" / "golive-fleet.yml"
MATRIX = "${{ fromJSON(needs.stacks.outputs.stacks) }}"


@pytest.fixture(scope="module")
def workflow() -> dict:
    return files.load_yaml(WORKFLOW)


def listed(workflow: dict, repository: Path, tmp_path: Path) -> list[str]:
    """The stack list the listing job outputs when run in `repository`."""
    job = workflow["jobs"]["stacks"]
    output_name, expression = next(iter(job["outputs"].items()))
    step_id, step_output = expression.removeprefix("${{ steps.").removesuffix(" }}").split(".outputs.")
    (step,) = [s for s in job["steps"] if s.get("id") == step_id]
    output = tmp_path / "github-output"
    env = {**os.environ, "GITHUB_OUTPUT": str(output), "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    subprocess.run(["bash", "-e", "-c", step["run"]], cwd=repository, env=env, check=True, timeout=60)
    values = dict(line.split("=", 1) for line in output.read_text().splitlines())
    assert output_name == "stacks"
    return json.loads(values[step_output])


def stack_files(stacks: Path) -> list[str]:
    return sorted(p.name.removeprefix("Pulumi.").rsplit(".", 1)[0] for p in stacks.glob("Pulumi.*.y*ml"))


def test_the_matrix_previews_every_stack_file_in_stacks(workflow, tmp_path):
    names = listed(workflow, ROOT, tmp_path)
    assert names == stack_files(ROOT / "stacks")
    assert {"dev", "staging", "prod"} <= set(names)


def test_a_stack_file_added_to_stacks_joins_the_matrix_and_nothing_else_does(workflow, tmp_path):
    repository = tmp_path / "repository"
    (repository / "stacks" / "releases").mkdir(parents=True)
    for name in ("Pulumi.prod.yaml", "Pulumi.eu-west.yaml", "Pulumi.customer.acme.yml", "waivers.yaml"):
        (repository / "stacks" / name).write_text("config: {}\n")
    (repository / "stacks" / "releases" / "prod.yaml").write_text("releases: []\n")
    assert listed(workflow, repository, tmp_path) == ["customer.acme", "eu-west", "prod"]


def test_the_preview_matrix_is_the_listing_jobs_output(workflow):
    preview = workflow["jobs"]["preview"]
    assert preview["needs"] == "stacks"
    assert preview["strategy"]["matrix"]["stack"] == MATRIX
    assert preview["strategy"]["fail-fast"] is False  # one stack's failure never hides another's verdict


def test_each_stack_is_previewed_with_its_own_reports(workflow):
    (preview,) = [argv for argv in commands(workflow, "eu-west") if argv[1:4] == ["-m", "golive", "preview"]]
    cli.parser().parse_args(preview[3:])
    assert preview[preview.index("--stack") + 1] == "eu-west"
    (upload,) = [s for s in steps(workflow) if s.get("uses", "").startswith("github/codeql-action/upload-sarif@")]
    assert (
        upload["with"]["sarif_file"].replace("${{ matrix.stack }}", "eu-west") == preview[preview.index("--sarif") + 1]
    )
    assert upload["with"]["category"].endswith("${{ matrix.stack }}")  # one code-scanning category per stack


def test_every_action_is_pinned_to_a_full_version(workflow):
    uses = [step["uses"] for step in steps(workflow) if "uses" in step]
    assert uses and all(PINNED.fullmatch(u) for u in uses), uses
