"""A report aimed at a file the run reads is refused before any work, and the file is kept.

`--json`, `--junit`, `--sarif` (and preview's `--graph`) naming the stack file, the
probe file, the waivers file or the CA bundle, by its own path, a link or a hard
link, used to overwrite it with the report. Preview, verify and rehearse all ask
`outputs.check`; each case runs the command in-process (it stops before any
network, program run or runtime boot) and checks the exit code and the bytes.
"""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import pytest

from golive import outputs, preview
from golive.rehearse import command as rehearse
from golive.verify import command as verify
from tests.conftest import ROOT, STACKS


@pytest.fixture
def stacks(tmp_path: Path) -> Path:
    folder = Path(shutil.copytree(STACKS, tmp_path / "stacks"))
    shutil.copy(ROOT / "examples" / "access-probes.yaml", folder / "probes.yaml")
    return folder


def run_preview(stacks: Path, option: str, path: Path) -> tuple[int, str]:
    err = io.StringIO()
    reports = {"json_path": None, option: path}
    code = preview.main("prod", stacks / "Pulumi.prod.yaml", err=err, out=io.StringIO(), **reports)
    return code, err.getvalue()


def run_verify(stacks: Path, option: str, path: Path, **more) -> tuple[int, str]:
    err = io.StringIO()
    options = verify.Options(stack="prod", url="https://app.example.com", stack_file=stacks / "Pulumi.prod.yaml")
    options = verify.Options(**{**vars(options), option: path, **more})
    return verify.main(options, environ={}, out=io.StringIO(), err=err), err.getvalue()


def run_rehearse(stacks: Path, option: str, path: Path) -> tuple[int, str]:
    err = io.StringIO()
    options = rehearse.Options(stack="prod", stack_file=stacks / "Pulumi.prod.yaml", **{option: path})
    return rehearse.main(options, out=io.StringIO(), err=err), err.getvalue()


def refused_and_kept(result: tuple[int, str], target: Path, before: bytes) -> None:
    code, stderr = result
    assert code == 2, stderr
    assert "which this run reads; write the report to another file" in stderr
    assert target.read_bytes() == before


@pytest.mark.parametrize("option", ["json_path", "junit_path", "sarif_path", "graph_path"])
def test_preview_refuses_a_report_on_the_stack_file(stacks, option):
    target = stacks / "Pulumi.prod.yaml"
    before = target.read_bytes()
    refused_and_kept(run_preview(stacks, option, target), target, before)


@pytest.mark.parametrize("option", ["json_path", "junit_path", "sarif_path"])
def test_verify_refuses_a_report_on_the_stack_file(stacks, option):
    target = stacks / "Pulumi.prod.yaml"
    before = target.read_bytes()
    refused_and_kept(run_verify(stacks, option, target), target, before)


@pytest.mark.parametrize("input_file", ["probes.yaml", "waivers.yaml", "ca.pem"])
def test_verify_refuses_a_report_on_any_file_it_reads(stacks, input_file):
    target = stacks / input_file
    if not target.exists():
        target.write_text("not a certificate\n")
    before = target.read_bytes()
    more = {"access": stacks / "probes.yaml", "ca_file": stacks / "ca.pem"} if input_file != "waivers.yaml" else {}
    refused_and_kept(run_verify(stacks, "json_path", target, **more), target, before)


@pytest.mark.parametrize("option", ["json_path", "junit_path"])
def test_rehearse_refuses_a_report_on_the_stack_file(stacks, option):
    target = stacks / "Pulumi.prod.yaml"
    before = target.read_bytes()
    refused_and_kept(run_rehearse(stacks, option, target), target, before)


@pytest.mark.parametrize("kind", ["symlink", "hardlink", "detour"])
def test_the_stack_file_is_recognised_by_any_path(stacks, tmp_path, kind):
    target = stacks / "Pulumi.prod.yaml"
    alias = tmp_path / "report.json"
    if kind == "symlink":
        alias.symlink_to(target)
    elif kind == "hardlink":
        os.link(target, alias)
    else:
        alias = stacks / "releases" / ".." / "Pulumi.prod.yaml"
    before = target.read_bytes()
    refused_and_kept(run_verify(stacks, "json_path", alias), target, before)


def test_a_new_report_file_beside_the_inputs_is_accepted(stacks):
    targets = [("--json", stacks / "report.json"), ("--sarif", Path("-"))]
    assert outputs.check(targets, [stacks / "Pulumi.prod.yaml", None]) is None
