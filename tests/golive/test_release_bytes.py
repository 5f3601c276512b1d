"""`golive release` and `rollback` change only the lines of the `objectos:release` block.

Outside those lines the stack file keeps every byte: a BOM, a `...` document-end
line, a missing final newline, comments, odd spacing, flow mappings, mixed line
endings. Each case edits a copy of the committed prod stack in a way a person's
editor might have left it, runs the command, and compares the bytes around the block.
"""

from __future__ import annotations

import codecs
import datetime
import io
import re
import shutil
from pathlib import Path

import pytest

from golive import release, stackfile
from tests.conftest import STACKS

DIGEST = "d" * 64
IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/objectos-enterprise@sha256:" + DIGEST
ARTIFACT = "https://artifacts.example.com/objectstack-r9.json#sha256=" + DIGEST
BLOCK = re.compile(rb"^  objectos:release:.*?(?=^ {0,2}[^\s#]|\Z)", re.M | re.S)  # the block and what trails it
NOW = lambda: datetime.datetime(2026, 12, 9, 10, 0, 0, tzinfo=datetime.UTC)  # noqa: E731


@pytest.fixture
def stacks(tmp_path: Path) -> Path:
    return Path(shutil.copytree(STACKS, tmp_path / "stacks"))


def run(command: str, stacks: Path) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    if command == "release":
        code = release.release("prod", IMAGE, ARTIFACT, "r9", None, stacks, now=NOW, out=out, err=err)
    else:
        code = release.rollback("prod", None, stacks, now=NOW, out=out, err=err)
    return code, out.getvalue() + err.getvalue()


def release_lines(data: bytes) -> tuple[bytes, bytes, bytes]:
    """(before the block, the block's own lines, after them): trailing comments count as after."""
    found = BLOCK.search(data)
    assert found, "no objectos:release block"
    block = found.group(0)
    lines = block.splitlines(keepends=True)
    while lines and (not lines[-1].strip() or lines[-1].lstrip().startswith(b"#")):
        lines.pop()
    own = b"".join(lines)
    return data[: found.start()], own, data[found.start() + len(own) :]


def assert_only_the_block_changed(before: bytes, after: bytes) -> None:
    head, old_block, tail = release_lines(before)
    new_head, new_block, new_tail = release_lines(after)
    assert (new_head, new_tail) == (head, tail)
    assert new_block != old_block and b"id: r9" in new_block.replace(b'"', b"")


def edit(path: Path, change) -> bytes:
    data = change(path.read_bytes())
    path.write_bytes(data)
    return data


def odd_layout(data: bytes) -> bytes:
    """Spacing, comments and quoting a round-trip dump would normalise."""
    data = data.replace(b"  aws:region: eu-west-1\n", b"  aws:region:     eu-west-1    # where it runs   \n")
    data = data.replace(b"config:\n", b"config:   # the stack's settings\n\n\n   \n", 1)
    return data + b"#   a trailing comment,   spaced   oddly\n\n\n"


CASES = {
    "bom": lambda data: codecs.BOM_UTF8 + data,
    "document-end": lambda data: data + b"...\n# after the document end\n",
    "no-final-newline": lambda data: data.rstrip(b"\n"),
    "odd-layout": odd_layout,
    "crlf": lambda data: data.replace(b"\n", b"\r\n"),
    "mixed-line-endings": lambda data: data.replace(b"\n", b"\r\n", 10),
    "block-last-no-newline": lambda data: block_last(data).rstrip(b"\n"),
}


def block_last(data: bytes) -> bytes:
    head, block, tail = release_lines(data)
    return head + tail.rstrip(b"\n") + b"\n" + block


@pytest.mark.parametrize("case", sorted(CASES))
def test_release_changes_only_the_release_block(stacks, case):
    path = stacks / "Pulumi.prod.yaml"
    before = edit(path, CASES[case])
    code, output = run("release", stacks)
    assert code == 0, output
    assert_only_the_block_changed(before, path.read_bytes())


@pytest.mark.parametrize("case", ["bom", "document-end", "no-final-newline", "odd-layout", "crlf"])
def test_rollback_changes_only_the_release_block(stacks, case):
    path = stacks / "Pulumi.prod.yaml"
    assert run("release", stacks)[0] == 0
    before = edit(path, CASES[case])
    code, output = run("rollback", stacks)
    assert code == 0, output
    head, block, tail = release_lines(before)
    new_head, new_block, new_tail = release_lines(path.read_bytes())
    assert (new_head, new_tail) == (head, tail) and new_block != block


def test_a_first_release_adds_its_block_and_keeps_every_other_byte(stacks):
    path = stacks / "Pulumi.prod.yaml"
    (stacks / "releases" / "prod.yaml").unlink()
    head, _, tail = release_lines(path.read_bytes())
    without = (head + tail).rstrip(b"\n") + b"\n...\n"  # no block, a document end, then nothing
    path.write_bytes(codecs.BOM_UTF8 + without)
    code, output = run("release", stacks)
    assert code == 0, output
    after = path.read_bytes()
    config_end = without.index(b"\n...\n") + 1
    new_head, block, new_tail = release_lines(after)
    assert new_head == codecs.BOM_UTF8 + without[:config_end] and new_tail == without[config_end:]
    assert block.startswith(b"  objectos:release:\n") and b"    id: r9\n" in block


def test_a_first_release_into_a_file_without_a_final_newline_keeps_it_without(stacks):
    path = stacks / "Pulumi.prod.yaml"
    (stacks / "releases" / "prod.yaml").unlink()
    head, _, tail = release_lines(path.read_bytes())
    without = (head + tail).rstrip(b"\n")
    path.write_bytes(without)
    code, output = run("release", stacks)
    assert code == 0, output
    after = path.read_bytes()
    assert after.startswith(without + b"\n  objectos:release:\n") and not after.endswith(b"\n")


def test_a_splice_that_would_change_other_values_is_refused_and_writes_nothing(stacks, monkeypatch):
    # A planted fault: the old block is taken to run 4 lines too far, over `objectos:edition`.
    original = stackfile._block_span

    def too_long(text, lines, key_path, last_child=False):
        span = original(text, lines, key_path, last_child)
        return span if span is None or "r9" in text else (span[0], span[1] + 4)

    monkeypatch.setattr(stackfile, "_block_span", too_long)
    before = {p: p.read_bytes() for p in stacks.rglob("*") if p.is_file()}
    code, output = run("release", stacks)
    assert code == 2 and "would not give the intended values; nothing was written" in output
    assert {p: p.read_bytes() for p in stacks.rglob("*") if p.is_file()} == before


def test_a_line_break_the_splice_cannot_place_is_refused_with_what_to_do(stacks):
    path = stacks / "Pulumi.prod.yaml"
    lone_cr = b"# a lone CR\r# is a line break to YAML\nconfig:\n"
    before = edit(path, lambda data: data.replace(b"config:\n", lone_cr, 1))
    code, output = run("release", stacks)
    assert code == 2 and "line break other than LF or CRLF" in output
    assert path.read_bytes() == before
