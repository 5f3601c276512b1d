"""Hostile input files through the real commands: each one ends, exits 2 and says why.

A FIFO, `/dev/zero` or an alias bomb in place of a stack file, a probe file or a
release history used to hang the command or eat memory without end; a duplicate key
won silently in preview and verify. Each command runs in a subprocess with a
timeout, so a regression fails the test instead of hanging it.
"""

from __future__ import annotations

import codecs
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ALIAS_BOMB, ROOT, STACKS

IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/objectos-enterprise@sha256:" + "b" * 64
ARTIFACT = "https://artifacts.example.com/objectstack-r9.json#sha256=" + "b" * 64
PROBES = (ROOT / "examples" / "access-probes.yaml").read_text(encoding="utf-8")


def golive(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "golive", *args], cwd=ROOT, capture_output=True, text=True, timeout=60)


def preview(stack_file: Path) -> subprocess.CompletedProcess:
    return golive("preview", "--stack", "prod", "--stack-file", str(stack_file))


def verify(stack_file: Path = STACKS / "Pulumi.prod.yaml", access: Path | None = None) -> subprocess.CompletedProcess:
    args = ["verify", "--stack", "prod", "--url", "https://app.example.com", "--stack-file", str(stack_file)]
    return golive(*args, *(["--access", str(access)] if access else []))


def release(stacks: Path) -> subprocess.CompletedProcess:
    return golive(
        "release", "--stack", "prod", "--stacks-dir", str(stacks), "--image", IMAGE, "--artifact-url", ARTIFACT
    )


def refused(done: subprocess.CompletedProcess, *fragments: str) -> None:
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    for fragment in fragments:
        assert fragment in done.stderr


def hostile(path: Path, kind: str) -> str:
    """Put a hostile file at `path`; return what the refusal calls it."""
    if kind == "fifo":
        os.mkfifo(path)
        return "it is a FIFO (named pipe), not a regular file"
    if kind == "dev-zero":
        path.symlink_to("/dev/zero")
        return "it is a character device, not a regular file"
    path.write_text(ALIAS_BOMB.replace("config:\n", "probes:\n" if "probe" in path.name else "config:\n"))
    return "expands to more than 100,000 values through aliases"


@pytest.fixture
def stacks(tmp_path: Path) -> Path:
    return Path(shutil.copytree(STACKS, tmp_path / "stacks"))


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


KINDS = ["fifo", "dev-zero", "alias-bomb"]


@pytest.mark.parametrize("kind", KINDS)
def test_preview_refuses_a_hostile_stack_file(tmp_path, kind):
    path = tmp_path / "Pulumi.prod.yaml"
    reason = hostile(path, kind)
    refused(preview(path), str(path), reason)


@pytest.mark.parametrize("kind", KINDS)
def test_verify_refuses_a_hostile_probe_file(tmp_path, kind):
    path = tmp_path / "probes.yaml"
    reason = hostile(path, kind)
    refused(verify(access=path), str(path), reason)


@pytest.mark.parametrize("kind", KINDS)
def test_release_refuses_a_hostile_history_and_changes_nothing(stacks, kind):
    path = stacks / "releases" / "prod.yaml"
    path.unlink()
    reason = hostile(path, kind)
    before = snapshot(stacks)
    refused(release(stacks), str(path), reason)
    assert snapshot(stacks) == before
    assert path.is_symlink() == (kind == "dev-zero")  # the link is not replaced by a regular file


@pytest.mark.parametrize("kind", KINDS)
def test_release_refuses_a_hostile_stack_file(stacks, kind):
    path = stacks / "Pulumi.prod.yaml"
    path.unlink()
    reason = hostile(path, kind)
    refused(release(stacks), str(path), reason)


def test_a_duplicate_key_is_refused_alike_by_preview_verify_and_release(stacks):
    path = stacks / "Pulumi.prod.yaml"
    text = path.read_text(encoding="utf-8")
    line = text[: text.index("  objectos:domain:")].count("\n") + 2
    path.write_text(
        text.replace(
            "  objectos:domain: app.example.com\n",
            "  objectos:domain: app.example.com\n  objectos:domain: evil.example.com\n",
        )
    )
    where = f"{path}:{line}:3: has the key 'objectos:domain' twice"
    for done in (preview(path), verify(path), release(stacks)):
        refused(done, where)


def test_a_duplicate_probe_key_names_its_line(tmp_path):
    path = tmp_path / "probes.yaml"
    path.write_text("probes:\n  - name: a\n    name: b\n    path: /\n    expect: denied\n")
    refused(verify(access=path), f"{path}:3:5: has the key 'name' twice")


def test_release_keeps_a_bom_and_crlf_and_changes_only_the_release_block(stacks):
    path = stacks / "Pulumi.prod.yaml"
    original = path.read_bytes().replace(b"\n", b"\r\n")
    path.write_bytes(codecs.BOM_UTF8 + original)
    done = release(stacks)
    assert done.returncode == 0, done.stderr
    after = path.read_bytes()
    assert after.startswith(codecs.BOM_UTF8) and b"\r\n" in after and b"\n" not in after.replace(b"\r\n", b"")
    changed = [line for line in after[len(codecs.BOM_UTF8) :].split(b"\r\n") if line not in original.split(b"\r\n")]
    assert changed and all(
        any(k in line for k in (b"id:", b"image:", b"artifactUrl:", b"pinnedAt:")) for line in changed
    )
