"""Every command, on every hostile stack file, ends in bounded time with exit 0, 1 or 2 and no traceback.

One table: the commands (preview, release, rollback, verify; rehearse for its usage
errors only, since it boots a runtime otherwise) against the hostile inputs of issue 20
(FIFO, device links, alias bomb, huge value, duplicate keys, BOM, non-UTF-8, CR/LF in a
value). Each run is a subprocess with a timeout, so a hang fails the test instead of
holding it, and its output is bounded: a huge value must not come back megabytes long.
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

IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/objectos-enterprise@sha256:" + "e" * 64
ARTIFACT = "https://artifacts.example.com/objectstack-r9.json#sha256=" + "e" * 64
HUGE = 900_000  # characters of one value: under the 1 MB file cap, so it reaches validation and the messages
MOST_OUTPUT = 20_000  # characters of stdout + stderr any one refusal may print
PROD = (STACKS / "Pulumi.prod.yaml").read_bytes()
TAGS = b"  objectos:tags:\n"


def hostile_inputs() -> dict:
    """name -> a function that puts that stack file at `path`."""

    def data(content: bytes):
        return lambda path: path.write_bytes(content)

    def link(target: str):
        return lambda path: path.symlink_to(target)

    assert TAGS in PROD
    return {
        "fifo": os.mkfifo,
        "dev-zero-link": link("/dev/zero"),
        "dev-null-link": link("/dev/null"),
        "alias-bomb": data(ALIAS_BOMB.encode()),
        "huge-value": data(PROD.replace(TAGS, TAGS + b"    huge: " + b"x" * HUGE + b"\n")),
        "duplicate-keys": data(PROD.replace(TAGS, b"  objectos:domain: evil.example.com\n" + TAGS)),
        # A BOM is fine; the bad environment makes every command stop before a slow program run.
        "bom": data(codecs.BOM_UTF8 + PROD.replace(b"objectos:environment: prod", b"objectos:environment: nope")),
        "non-utf8": data(PROD.replace(TAGS, b"  # caf\xe9 in Latin-1\n" + TAGS)),
        "crlf-in-value": data(PROD.replace(TAGS, TAGS + b'    team: "ops\\r\\nX-Injected: 1"\n')),
        "crlf-huge-value": data(PROD.replace(TAGS, TAGS + b'    team: "' + b"y\\r\\n" * (HUGE // 4) + b'"\n')),
    }


INPUTS = hostile_inputs()


def command_line(command: str, stacks: Path) -> list[str]:
    stack_file = str(stacks / "Pulumi.prod.yaml")
    common = {
        "preview": ["preview", "--stack", "prod", "--stack-file", stack_file, "-q"],
        "verify": ["verify", "--stack", "prod", "--stack-file", stack_file, "--url", "https://127.0.0.1:9"],
        "release": ["release", "--stack", "prod", "--stacks-dir", str(stacks), "--image", IMAGE],
        "rollback": ["rollback", "--stack", "prod", "--stacks-dir", str(stacks)],
    }[command]
    if command == "release":
        common += ["--artifact-url", ARTIFACT, "--id", "r9"]
    if command == "verify":
        common += ["--deadline", "20", "-q"]
    return common


def golive(args: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "golive", *args], cwd=ROOT, capture_output=True, text=True, errors="replace", timeout=240
    )


def ended_cleanly(done: subprocess.CompletedProcess) -> None:
    assert done.returncode in (0, 1, 2), done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    assert len(done.stdout) + len(done.stderr) < MOST_OUTPUT, f"{len(done.stderr)} characters on stderr"


@pytest.mark.parametrize("hostile", sorted(INPUTS))
@pytest.mark.parametrize("command", ["preview", "release", "rollback", "verify"])
def test_every_command_ends_cleanly_on_a_hostile_stack_file(tmp_path, command, hostile):
    stacks = Path(shutil.copytree(STACKS, tmp_path / "stacks"))
    path = stacks / "Pulumi.prod.yaml"
    path.unlink()
    INPUTS[hostile](path)
    done = golive(command_line(command, stacks))
    ended_cleanly(done)
    assert done.returncode == 2, f"{command} accepted the {hostile} stack file: {done.stderr[-2000:]}"


@pytest.mark.parametrize(
    "args",
    [
        ["rehearse"],
        ["rehearse", "--stack", "prod", "--json", "stacks/Pulumi.prod.yaml"],
        ["rehearse", "--stack", "prod", "--app", "no/such/folder"],
        ["rehearse", "--stack", "prod", "--json", "-", "--junit", "-"],
        ["verify", "--stack", "prod", "--url", "https://127.0.0.1:9", "--deadline", "0"],
        ["release", "--stack", "prod", "--image", IMAGE, "--artifact-url", ARTIFACT, "--id", ""],
    ],
    ids=["no-stack", "json-on-stack-file", "no-app", "two-on-stdout", "zero-deadline", "empty-id"],
)
def test_usage_errors_exit_2_without_a_traceback(args):
    before = (STACKS / "Pulumi.prod.yaml").read_bytes()
    done = golive(args)
    ended_cleanly(done)
    assert done.returncode == 2 and "error" in done.stderr
    assert (STACKS / "Pulumi.prod.yaml").read_bytes() == before
