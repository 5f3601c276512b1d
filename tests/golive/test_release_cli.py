"""`golive release` and `golive rollback` on copies of the committed stacks.

A release or a rollback changes the release block and appends to the history,
nothing else; a refused command (exit 2) changes no file at all.
"""

from __future__ import annotations

import datetime
import difflib
import io
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from components import release_record
from components.pinned_release import PinnedRelease, PinnedReleaseArgs
from golive import cli, release
from settings.load import read_stack_file, validate
from tests.conftest import ROOT, STACKS, one, run_components

IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/objectos-enterprise@sha256:"
ARTIFACT = "https://artifacts.example.com/objectstack-{name}.json#sha256="
CLUSTER_SNAPSHOT = "aws:rds/clusterSnapshot:ClusterSnapshot"


def pair(n: int) -> tuple[str, str]:
    """A fully pinned image and artifact, distinct for each n."""
    digit = "0123456789abcdef"[n % 16]
    return IMAGE + digit * 64, ARTIFACT.format(name=f"r{n}") + digit * 64


def clock(day: int, hour: int = 10):
    return lambda: datetime.datetime(2026, 12, day, hour, 0, 0, tzinfo=datetime.UTC)


@pytest.fixture
def stacks(tmp_path: Path) -> Path:
    return Path(shutil.copytree(STACKS, tmp_path / "stacks"))


class Run:
    def __init__(self, code: int, out: str, err: str):
        self.code, self.out, self.err = code, out, err


def do_release(
    stacks: Path,
    stack: str = "prod",
    n: int = 2,
    release_id=None,
    migration=True,
    now=clock(5),
    image=None,
    artifact=None,
) -> Run:
    default_image, default_artifact = pair(n)
    out, err = io.StringIO(), io.StringIO()
    code = release.release(
        stack,
        image or default_image,
        artifact or default_artifact,
        release_id if release_id is not None else f"r{n}",
        migration,
        stacks,
        now,
        out,
        err,
    )
    return Run(code, out.getvalue(), err.getvalue())


def do_rollback(stacks: Path, stack: str = "prod", to=None, now=clock(6)) -> Run:
    out, err = io.StringIO(), io.StringIO()
    code = release.rollback(stack, to, stacks, now, out, err)
    return Run(code, out.getvalue(), err.getvalue())


def stack_path(stacks: Path, stack: str = "prod") -> Path:
    return stacks / f"Pulumi.{stack}.yaml"


def pinned(stacks: Path, stack: str = "prod"):
    return validate(read_stack_file(stack_path(stacks, stack), stack)).release


def history(stacks: Path, stack: str = "prod") -> list[dict]:
    path = stacks / "releases" / f"{stack}.yaml"
    return (yaml.safe_load(path.read_text()) or {}).get("releases", []) if path.exists() else []


def files(stacks: Path) -> dict[str, bytes]:
    """Every file under the stacks folder, temporary files included."""
    return {str(p.relative_to(stacks)): p.read_bytes() for p in sorted(stacks.rglob("*")) if p.is_file()}


def outside_release_block(text: str) -> list[str]:
    """The stack file's lines minus the objectos:release block."""
    lines, kept, inside = text.splitlines(), [], False
    for line in lines:
        if line.startswith("  objectos:release:"):
            inside = True
            continue
        if inside and (not line.startswith("    ") or not line.strip()):
            inside = False
        if not inside:
            kept.append(line)
    return kept


def unified_diff(before: list[str], after: list[str]) -> list[str]:
    return list(difflib.unified_diff(before, after, lineterm=""))


def is_pinned_pair(settings_release, n: int) -> bool:
    return (settings_release.image, settings_release.artifact_url) == pair(n)


# --- release ---------------------------------------------------------------------------


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_release_changes_only_the_release_block(stacks, stack):
    before = stack_path(stacks, stack).read_text()
    assert do_release(stacks, stack).code == 0
    after = stack_path(stacks, stack).read_text()
    assert before != after
    assert unified_diff(outside_release_block(before), outside_release_block(after)) == []


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_release_keeps_every_comment(stacks, stack):
    before = stack_path(stacks, stack).read_text()
    do_release(stacks, stack)
    after = stack_path(stacks, stack).read_text()
    comments = [
        line[line.index("#") :] for line in before.splitlines() if " #" in line or line.lstrip().startswith("#")
    ]
    assert comments and all(comment in after for comment in comments)


def test_release_pins_image_and_artifact_together(stacks):
    do_release(stacks, n=2)
    assert pinned(stacks).id == "r2"
    assert is_pinned_pair(pinned(stacks), 2)


def test_release_appends_the_pair_to_the_history(stacks):
    before = history(stacks)
    do_release(stacks, n=2, migration=True, now=clock(5))
    after = history(stacks)
    assert after[: len(before)] == before
    assert after[-1] == {
        "id": "r2",
        "image": pair(2)[0],
        "artifactUrl": pair(2)[1],
        "releasedAt": "2026-12-05T10:00:00Z",
        "migration": True,
    }


def test_release_records_its_pin_time_in_the_stack_file(stacks):
    do_release(stacks, now=clock(5, 14))
    assert pinned(stacks).pinned_at == "2026-12-05T14:00:00Z"


def test_release_id_defaults_to_the_days_next_number(stacks):
    do_release(stacks, n=2, release_id="", now=clock(5))
    do_release(stacks, n=3, release_id="", now=clock(5, 11))
    assert [entry["id"] for entry in history(stacks)[-2:]] == ["2026.12.05-1", "2026.12.05-2"]


def test_release_starts_a_history_with_the_release_already_pinned(stacks):
    (stacks / "releases" / "prod.yaml").unlink()
    original = pinned(stacks)
    do_release(stacks, n=2)
    assert [entry["id"] for entry in history(stacks)] == [original.id, "r2"]


def test_release_and_rollback_keep_a_crlf_stack_file_crlf(stacks):
    for path in (stack_path(stacks), stacks / "releases" / "prod.yaml"):
        path.write_bytes(path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    assert do_release(stacks).code == 0 and do_rollback(stacks).code == 0
    for path in (stack_path(stacks), stacks / "releases" / "prod.yaml"):
        data = path.read_bytes()
        assert data.count(b"\n") == data.count(b"\r\n") > 0, path.name


def test_release_keeps_the_file_mode(stacks):
    path = stack_path(stacks)
    path.chmod(0o640)
    do_release(stacks)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_dev_accepts_a_tag_with_a_warning(stacks):
    run = do_release(stacks, "dev", image="ghcr.io/objectstack-ai/objectstack:1.4.3")
    assert run.code == 0
    assert "release-pins-image-and-artifact" in run.err and "warning" in run.err


# --- release refused --------------------------------------------------------------------


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_unpinned_image_is_refused_outside_dev(stacks, stack):
    before = files(stacks)
    run = do_release(stacks, stack, image="ghcr.io/objectstack-ai/objectstack:1.4.3")
    assert run.code == 2 and "requires pins" in run.err
    assert files(stacks) == before


def test_unpinned_artifact_is_refused_in_prod(stacks):
    before = files(stacks)
    run = do_release(stacks, artifact="https://artifacts.example.com/objectstack-latest.json")
    assert run.code == 2
    assert files(stacks) == before


@pytest.mark.parametrize("bad_id", ["-starts-with-dash", "has space", "x" * 65])
def test_malformed_release_id_is_refused(stacks, bad_id):
    before = files(stacks)
    assert do_release(stacks, release_id=bad_id).code == 2
    assert files(stacks) == before


def test_an_id_already_naming_another_pair_is_refused(stacks):
    do_release(stacks, n=2, release_id="r2")
    before = files(stacks)
    run = do_release(stacks, n=3, release_id="r2")
    assert run.code == 2 and "new --id" in run.err
    assert files(stacks) == before


def test_a_release_that_would_leave_an_invalid_stack_is_refused(stacks):
    path = stack_path(stacks)
    path.write_text(path.read_text().replace("- https://admin.example.com", '- "*"'))
    before = files(stacks)
    run = do_release(stacks)
    assert run.code == 2 and "objectos:cors" in run.err
    assert files(stacks) == before


# --- interrupted writes -------------------------------------------------------------------


@pytest.mark.parametrize("failing_call", [1, 2, 3])
def test_a_failed_rename_leaves_every_file_as_it_was(stacks, monkeypatch, failing_call):
    """Call 1 is the journal's rename, 2 the stack file's, 3 the history's (after the stack file changed)."""
    before = files(stacks)
    real_replace, calls = os.replace, []

    def replace(source, target):
        calls.append(target)
        if len(calls) == failing_call:
            raise OSError(28, "No space left on device", str(target))
        return real_replace(source, target)

    monkeypatch.setattr(os, "replace", replace)
    run = do_release(stacks)
    assert run.code == 2 and "no file was changed" in run.err
    assert files(stacks) == before


def test_a_failure_while_writing_the_new_text_leaves_the_original(stacks, monkeypatch):
    before = files(stacks)

    def fsync(descriptor):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", fsync)
    assert do_release(stacks).code == 2
    assert files(stacks) == before


# --- rollback -------------------------------------------------------------------------------


def test_rollback_restores_the_previous_pair_together(stacks):
    original = pinned(stacks)
    do_release(stacks, n=2)
    assert do_rollback(stacks).code == 0
    restored = pinned(stacks)
    assert (restored.id, restored.image, restored.artifact_url) == (original.id, original.image, original.artifact_url)


def test_release_rollback_release_round_trips_outside_the_release_block(stacks):
    original = stack_path(stacks).read_text()
    do_release(stacks, n=2, now=clock(5))
    released = stack_path(stacks).read_text()
    do_rollback(stacks, now=clock(6))
    rolled_back = stack_path(stacks).read_text()
    do_release(stacks, n=2, now=clock(7))
    released_again = stack_path(stacks).read_text()
    for text in (released, rolled_back, released_again):
        assert unified_diff(outside_release_block(original), outside_release_block(text)) == []
    # Only the pin time tells the second release of r2 from the first.
    changed = [line for line in unified_diff(released.splitlines(), released_again.splitlines()) if line[:1] in "+-"]
    assert [line for line in changed if not line.startswith(("+++", "---"))] == [
        '-    pinnedAt: "2026-12-05T10:00:00Z"',
        '+    pinnedAt: "2026-12-07T10:00:00Z"',
    ]


def test_rollback_appends_a_rollback_entry(stacks):
    do_release(stacks, n=2)
    do_rollback(stacks, now=clock(6))
    last = history(stacks)[-1]
    assert last["rollbackFrom"] == "r2"
    assert last["id"] == pinned(stacks).id


def test_rollback_after_a_new_release_skips_the_release_rolled_back_from(stacks):
    original = pinned(stacks).id
    do_release(stacks, n=2, now=clock(5))
    do_rollback(stacks, now=clock(6))
    do_release(stacks, n=3, now=clock(7))
    do_rollback(stacks, now=clock(8))
    assert pinned(stacks).id == original


def test_rollback_to_a_named_release(stacks):
    do_release(stacks, n=2, now=clock(5))
    do_release(stacks, n=3, now=clock(6))
    assert do_rollback(stacks, to="r2", now=clock(7)).code == 0
    assert pinned(stacks).id == "r2" and is_pinned_pair(pinned(stacks), 2)


def test_rollback_names_the_snapshot_taken_before_the_release_it_leaves(stacks):
    do_release(stacks, n=2, now=clock(5))
    run = do_rollback(stacks)
    expected = release_record.snapshot_identifier("prod", "r2", "2026-12-05T10:00:00Z")
    assert f"Restore the database FIRST from snapshot {expected}" in run.out


def test_rollback_across_two_releases_restores_before_the_older_one(stacks):
    original = pinned(stacks).id
    do_release(stacks, n=2, now=clock(5))
    do_release(stacks, n=3, now=clock(6))
    run = do_rollback(stacks, to=original, now=clock(7))
    assert release_record.snapshot_identifier("prod", "r2", "2026-12-05T10:00:00Z") in run.out
    assert release_record.snapshot_identifier("prod", "r3", "2026-12-06T10:00:00Z") not in run.out


def test_rollback_names_the_snapshot_pulumi_up_took(stacks):
    """The name printed is the name the component gave the snapshot for that pin."""
    do_release(stacks, n=2, now=clock(5))
    settings = validate(read_stack_file(stack_path(stacks), "prod"))
    args = PinnedReleaseArgs(
        release_id=settings.release.id,
        image=settings.release.image,
        artifact_url=settings.release.artifact_url,
        pinned_at=settings.release.pinned_at,
        environment=settings.environment,
        stack="prod",
        database_arn=settings.database.arn,
    )
    taken = one(run_components(lambda: PinnedRelease("release", args)), CLUSTER_SNAPSHOT)
    prefix = release_record.snapshot_identifier("prod", settings.release.id, settings.release.pinned_at)
    assert taken.inputs["dbClusterSnapshotIdentifier"].startswith(prefix + "-")
    assert f"snapshot {prefix}-*" in do_rollback(stacks).out


def test_rollback_of_a_release_without_migration_needs_no_restore(stacks):
    do_release(stacks, n=2, migration=False)
    run = do_rollback(stacks)
    assert "no restore is needed" in run.out
    assert "Restore the database FIRST" not in run.out


def test_rollback_prints_the_command_that_applies_it(stacks):
    do_release(stacks, n=2)
    assert "pulumi up --stack prod" in do_rollback(stacks).out


def test_rollback_records_a_hand_edited_release_before_leaving_it(stacks):
    original = pinned(stacks).id
    path = stack_path(stacks)
    image, artifact = pair(9)
    text = path.read_text()
    text = text.replace(pinned(stacks).image, image).replace(pinned(stacks).artifact_url, artifact)
    path.write_text(text.replace(f'id: "{original}"', 'id: "hotfix-1"'))
    run = do_rollback(stacks)
    assert run.code == 0 and pinned(stacks).id == original
    assert [entry["id"] for entry in history(stacks)[-2:]] == ["hotfix-1", original]


@pytest.mark.parametrize("command", ["release", "rollback"])
def test_a_hand_edit_reusing_a_recorded_id_for_another_pair_is_refused(stacks, command):
    do_release(stacks, n=2)
    path = stack_path(stacks)
    image, _ = pair(9)
    path.write_text(path.read_text().replace(pinned(stacks).image, image))  # id r2 kept, image changed
    before = files(stacks)
    run = do_release(stacks, n=3) if command == "release" else do_rollback(stacks)
    assert run.code == 2 and "names one pair forever" in run.err
    assert files(stacks) == before


# --- rollback refused --------------------------------------------------------------------


def test_rollback_to_an_unknown_id_is_refused(stacks):
    do_release(stacks, n=2)
    before = files(stacks)
    run = do_rollback(stacks, to="no-such-release")
    assert run.code == 2 and "no-such-release" in run.err
    assert files(stacks) == before


def test_rollback_with_an_empty_history_is_refused(stacks):
    (stacks / "releases" / "prod.yaml").unlink()
    before = files(stacks)
    run = do_rollback(stacks)
    assert run.code == 2 and "no release history" in run.err
    assert files(stacks) == before


def test_rollback_past_the_first_release_is_refused(stacks):
    path = stacks / "releases" / "prod.yaml"
    text = path.read_text()
    first, last = text.index("\n  - id:"), text.rindex("\n  - id:")
    path.write_text(text[:first] + text[last:])  # the history holds one release: the current one
    before = files(stacks)
    run = do_rollback(stacks)
    assert run.code == 2 and "nothing before it" in run.err
    assert files(stacks) == before


def test_rollback_to_a_pair_the_edition_cannot_run_is_refused(stacks):
    """prod's first release ran the open image: the licensed 3-pod stack cannot go back to it."""
    before = files(stacks)
    run = do_rollback(stacks)
    assert run.code == 2 and "objectos:edition" in run.err and "boots single-node only" in run.err
    assert files(stacks) == before


def test_rollback_to_an_unpinned_history_entry_is_refused_in_staging(stacks):
    path = stacks / "releases" / "staging.yaml"
    path.write_text(
        path.read_text()
        + '  - id: "tagged-1"\n'
        + "    image: ghcr.io/objectstack-ai/objectstack:1.4.2\n"
        + f"    artifactUrl: {pair(4)[1]}\n"
        + '    releasedAt: "2026-11-28T10:00:00Z"\n'
    )
    do_release(stacks, "staging", n=2)
    before = files(stacks)
    run = do_rollback(stacks, "staging", to="tagged-1")
    assert run.code == 2 and "not fully pinned" in run.err
    assert files(stacks) == before


def test_rollback_to_the_release_in_service_is_refused(stacks):
    do_release(stacks, n=2)
    before = files(stacks)
    assert do_rollback(stacks, to="r2").code == 2
    assert files(stacks) == before


# --- the command line ---------------------------------------------------------------------


def test_command_line_release_then_rollback(stacks, capsys):
    image, artifact = pair(2)
    common = ["--stack", "prod", "--stacks-dir", str(stacks)]
    assert (
        cli.main(["release", *common, "--image", image, "--artifact-url", artifact, "--id", "r2", "--migration"]) == 0
    )
    assert pinned(stacks).id == "r2"
    assert cli.main(["rollback", *common]) == 0
    assert pinned(stacks).id != "r2"
    assert "pulumi up --stack prod" in capsys.readouterr().out


def test_command_line_refusal_exits_2(stacks):
    before = files(stacks)
    assert cli.main(["rollback", "--stack", "prod", "--stacks-dir", str(stacks), "--to", "nope"]) == 2
    assert files(stacks) == before


def test_a_reader_that_goes_away_ends_the_command_like_a_shell_without_a_traceback(stacks):
    reader, writer = os.pipe()
    os.close(reader)  # as `| head -1` does once it has its line
    image, artifact = pair(2)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "golive", "release", "--stack", "prod", "--stacks-dir", str(stacks)]
            + ["--image", image, "--artifact-url", artifact, "--id", "r2", "--migration"],
            cwd=ROOT,
            stdout=writer,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    finally:
        os.close(writer)
    assert done.returncode == cli.EXIT_BROKEN_PIPE
    assert "Traceback" not in done.stderr and "BrokenPipeError" not in done.stderr


def test_an_id_yaml_would_read_as_a_number_stays_a_string(stacks):
    assert do_release(stacks, "dev", release_id="2026.12").code == 0
    assert pinned(stacks, "dev").id == "2026.12"
