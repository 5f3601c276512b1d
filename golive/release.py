"""`python -m golive release` and `python -m golive rollback`: the image and artifact move as one pair.

Both commands edit only the lines of the `objectos:release` block of the stack file
(every other byte is kept) and append one entry to the stack's history
(`stacks/releases/<stack>.yaml`). Every check runs before anything is written: a
refused command (exit 2) changes no file. `pulumi up --stack <stack>` then applies the pin.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, TextIO

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from components import release_record
from golive import history, stackfile
from golive.history import Entry, HistoryError
from golive.program import STACKS_DIR
from golive.stackfile import StackFileError
from objectos_core import urls
from settings import files, rules
from settings.errors import SettingsError
from settings.load import NAMESPACE, from_document, stack_file, validate

EXIT_OK, EXIT_REFUSED = 0, 2
RELEASE_KEY = f"{NAMESPACE}:release"
RUNBOOK = "docs/runbook.md"
HISTORY_HEADER = (
    "# Release history of stack {stack}: one entry per `python -m golive release` and\n"
    "# `python -m golive rollback`, oldest first. Append-only: never edit or reorder it;\n"
    "# rollbacks and the snapshot names they print are computed from it.\n"
    "releases: []\n"
)

Clock = Callable[[], datetime.datetime]


class Refused(Exception):
    """The command changes nothing; the message says why and what to do."""


def utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def history_file(stack: str, stacks_dir: Path) -> Path:
    return stacks_dir / "releases" / f"{stack}.yaml"


def lock_file(stack: str, stacks_dir: Path) -> Path:
    """Held by one release or rollback of the stack at a time; it exists only while held."""
    return stacks_dir / "releases" / f".{stack}.lock"


def journal_file(stack: str, stacks_dir: Path) -> Path:
    """The new texts of a change being written; left behind only by a killed run."""
    return stacks_dir / "releases" / f".{stack}.journal"


@contextlib.contextmanager
def _exclusive(stack: str, stacks_dir: Path) -> Iterator[list[str]]:
    """The stack's files to ourselves, any change a killed run left completed first; yields its notes."""
    with stackfile.locked(lock_file(stack, stacks_dir), f"stack {stack}'s files"):
        yield stackfile.recover(
            journal_file(stack, stacks_dir), [stack_file(stack, stacks_dir), history_file(stack, stacks_dir)]
        )


# --- the files one command works on ---------------------------------------------------


@dataclass
class Workspace:
    stack: str
    stack_doc: stackfile.Document
    history_doc: stackfile.Document
    recorded: list[Entry]  # the history file as it is
    entries: list[Entry]  # the history, plus the stack file's release if the history lacks it
    current: Optional[Entry]  # the stack file's release block
    environment: str
    database_arn: str
    notes: list[str] = field(default_factory=list)
    adopted: Optional[Entry] = None
    journal: Optional[Path] = None

    @property
    def pins_required(self) -> bool:
        return release_record.pins_required(self.environment)


def open_workspace(stack: str, stacks_dir: Path) -> Workspace:
    stack_path, history_path = stack_file(stack, stacks_dir), history_file(stack, stacks_dir)
    stack_doc = stackfile.load(stack_path)
    config = stackfile.config_section(stack_doc)
    history_doc = stackfile.load(history_path, default=HISTORY_HEADER.format(stack=stack))
    entries = history.parse(history_doc.data, _show(history_path))
    current = _block_entry(config.get(RELEASE_KEY))
    environment = str(config.get(f"{NAMESPACE}:environment", ""))
    database = config.get(f"{NAMESPACE}:database")
    database_arn = str(database.get("arn", "")) if isinstance(database, dict) else ""
    workspace = Workspace(
        stack=stack,
        stack_doc=stack_doc,
        history_doc=history_doc,
        recorded=entries,
        entries=list(entries),
        current=current,
        environment=environment,
        database_arn=database_arn,
        journal=journal_file(stack, stacks_dir),
    )
    _adopt_current(workspace)
    return workspace


def _block_entry(block: Any) -> Optional[Entry]:
    if not isinstance(block, dict) or not all(isinstance(block.get(k), str) for k in ("id", "image", "artifactUrl")):
        return None
    try:
        pinned_at = rules.check_utc_time(block.get("pinnedAt"))
    except ValueError:
        pinned_at = None  # the stack file's validation reports it
    return Entry(str(block["id"]), str(block["image"]), str(block["artifactUrl"]), pinned_at)


def _adopt_current(workspace: Workspace) -> None:
    """Record a release the stack file pins but the history lacks (a first run, or a hand edit)."""
    current, stack = workspace.current, history.in_service(workspace.entries)
    if current is None or (stack and stack[-1].id == current.id and stack[-1].same_pair(current)):
        return
    earlier = history.release_entry(workspace.entries, current.id)
    if earlier is not None and not earlier.same_pair(current):
        raise Refused(
            f"{_show(workspace.stack_doc.path)} pins release {current.id} as image {current.image} with artifact "
            f"{urls.shown(current.artifact_url)}, but the history records {current.id} as image {earlier.image} "
            f"with artifact {urls.shown(earlier.artifact_url)}; an id names one pair forever: give the hand-edited {RELEASE_KEY} block a new "
            "id, or put back the recorded pair"
        )
    if stack and earlier is not None and current.id in [e.id for e in stack[:-1]]:
        # A hand-made rollback: record it as one, so the replay pops back to it.
        current = dataclasses.replace(current, migration=earlier.migration, rollback_from=stack[-1].id)
    workspace.adopted = current
    workspace.entries = [*workspace.entries, current]
    workspace.notes.append(
        f"note: recorded the stack file's release {current.id} in the history first (the history did not end with it)"
    )


# --- release ----------------------------------------------------------------------------


def release(
    stack: str,
    image: str,
    artifact_url: str,
    release_id: Optional[str] = None,
    migration: Optional[bool] = None,
    stacks_dir: Path = STACKS_DIR,
    now: Clock = utc_now,
    out: Optional[TextIO] = None,
    err: Optional[TextIO] = None,
) -> int:
    """Pin a new release: append it to the history and set objectos:release."""
    out, err = out or sys.stdout, err or sys.stderr
    try:
        _check_artifact_url(artifact_url)
        with _exclusive(stack, stacks_dir) as recovered:
            workspace = open_workspace(stack, stacks_dir)
            workspace.notes[:0] = recovered
            moment = now()
            release_id = release_id or history.next_id(workspace.entries, moment.strftime("%Y.%m.%d"))
            entry = Entry(release_id, image, artifact_url, _stamp(moment), migration)
            _check_new_release(workspace, entry)
            warnings = _check_pins(workspace, entry, "the release")
            _commit(workspace, entry)
    except (Refused, HistoryError, StackFileError) as exc:
        print(f"error: {files.clip_lines(str(exc))}", file=err)
        return EXIT_REFUSED
    _print_lines(err, [*warnings, *workspace.notes])
    _print_release(workspace, entry, out)
    return EXIT_OK


def _check_artifact_url(url: str) -> None:
    found = urls.problems(url)
    if found:
        raise Refused(f"--artifact-url '{urls.shown(url)}' " + "; ".join(found) + "; nothing was written")


def _check_new_release(workspace: Workspace, entry: Entry) -> None:
    if not rules.RELEASE_ID.fullmatch(entry.id):
        raise Refused(f"'{files.shorten(entry.id)}' is not a release id; use letters, digits, '.', '_' or '-' (max 64)")
    earlier = history.release_entry(workspace.entries, entry.id)
    if earlier is not None and not earlier.same_pair(entry):
        raise Refused(
            f"release id {entry.id} already names image {earlier.image} with artifact "
            f"{urls.shown(earlier.artifact_url)}; "
            "an id names one pair forever: pass a new --id"
        )
    current = workspace.current
    if current is not None and current.id == entry.id and current.same_pair(entry):
        raise Refused(f"release {entry.id} is already the release of stack {workspace.stack}; nothing to do")


def _print_release(workspace: Workspace, entry: Entry, out: TextIO) -> None:
    say = _printer(out)
    say(f"Stack {workspace.stack}: release {entry.id} (image and artifact together)")
    _print_pair_change(workspace.current, entry, say)
    say(f"Recorded in {_show(workspace.history_doc.path)}; {RELEASE_KEY} set in {_show(workspace.stack_doc.path)}.")
    _print_next_snapshot(workspace, entry, say)
    _print_apply(workspace, say)


# --- rollback ---------------------------------------------------------------------------


def rollback(
    stack: str,
    to: Optional[str] = None,
    stacks_dir: Path = STACKS_DIR,
    now: Clock = utc_now,
    out: Optional[TextIO] = None,
    err: Optional[TextIO] = None,
) -> int:
    """Pin the previous (or the named) release again, image and artifact together."""
    out, err = out or sys.stdout, err or sys.stderr
    try:
        with _exclusive(stack, stacks_dir) as recovered:
            workspace = open_workspace(stack, stacks_dir)
            workspace.notes[:0] = recovered
            if workspace.current is None:
                raise Refused(f"{_show(workspace.stack_doc.path)} has no {RELEASE_KEY} block to roll back from")
            if not workspace.recorded:
                raise Refused(
                    f"there is no release history in {_show(workspace.history_doc.path)}; nothing to roll back to "
                    "(the history starts with the first `golive release`)"
                )
            target = _target(workspace, to)
            warnings = _check_pins(workspace, target, f"history entry {target.id}")
            crossed = history.crossed(workspace.entries, target.id)
            entry = Entry(
                target.id,
                target.image,
                target.artifact_url,
                _stamp(now()),
                target.migration,
                rollback_from=workspace.current.id,
            )
            _commit(workspace, entry)
    except (Refused, HistoryError, StackFileError) as exc:
        print(f"error: {files.clip_lines(str(exc))}", file=err)
        return EXIT_REFUSED
    _print_lines(err, [*warnings, *workspace.notes])
    _print_rollback(workspace, entry, crossed, out)
    return EXIT_OK


def _target(workspace: Workspace, to: Optional[str]) -> Entry:
    current = workspace.current
    assert current is not None
    if to is None:
        target = history.previous(workspace.entries)
    else:
        found = history.release_entry(workspace.entries, to)
        if found is None:
            known = ", ".join(dict.fromkeys(e.id for e in workspace.entries)) or "none"
            raise Refused(
                f"release '{files.shorten(to)}' is not in {_show(workspace.history_doc.path)} (known releases: {known})"
            )
        target = found
    if target.id == current.id:
        raise Refused(f"release {target.id} is already the release of stack {workspace.stack}; nothing to roll back")
    return target


def _print_rollback(workspace: Workspace, entry: Entry, crossed: list[Entry], out: TextIO) -> None:
    say = _printer(out)
    left = workspace.current
    assert left is not None
    say(f"Stack {workspace.stack}: roll back from release {left.id} to {entry.id} (image and artifact together)")
    _print_pair_change(left, entry, say)
    say(f"Recorded in {_show(workspace.history_doc.path)}; {RELEASE_KEY} set in {_show(workspace.stack_doc.path)}.")
    if crossed:
        restore_point = crossed[0]
        # The name ends in a random part drawn at deploy time, so it is found by its stable prefix.
        prefix = release_record.snapshot_identifier(workspace.stack, restore_point.id, restore_point.released_at)
        snapshot = f"{prefix}-*"
        names = ", ".join(e.id for e in crossed)
        if history.needs_restore(crossed):
            say(f"Database: this rollback leaves release(s) {names}; schema migrations are forward-only.")
            say(f"  Restore the database FIRST from snapshot {snapshot}, taken before release {restore_point.id}'s")
            say(f"  migration Job; order: database, then artifact, then start ({RUNBOOK}, 'Roll back').")
            say(f"  Find it (the newest if several): {_describe_snapshot(workspace.database_arn, prefix)}")
        else:
            say(f"Database: release(s) {names} recorded no schema migration; no restore is needed.")
            say(f"  (Their pre-release snapshot, if you need it anyway: {snapshot})")
    else:
        say(f"Database: no release in service after {entry.id} is left behind; no restore is needed.")
    _print_next_snapshot(workspace, entry, say)
    _print_apply(workspace, say)


# --- shared steps -----------------------------------------------------------------------


def _check_pins(workspace: Workspace, entry: Entry, what: str) -> list[str]:
    """Refuse an unpinned pair outside dev; in dev, return warnings."""
    problems = release_record.pin_problems(entry.image, entry.artifact_url)
    if problems and workspace.pins_required:
        raise Refused(f"{what} is not fully pinned, and {workspace.environment} requires pins: " + "; ".join(problems))
    return [f"warning: {problem} (accepted in dev only)" for problem in problems]


def _commit(workspace: Workspace, entry: Entry) -> None:
    """Validate the edited stack file, then write it and the history (stack file first)."""
    config = stackfile.config_section(workspace.stack_doc)
    block = {"id": entry.id, "image": entry.image, "artifactUrl": entry.artifact_url, "pinnedAt": entry.released_at}
    stackfile.set_mapping(config, RELEASE_KEY, block)
    stack_text = workspace.stack_doc.dumps_only(("config", RELEASE_KEY))  # every other byte kept
    _check_stack_text(workspace, stack_text)

    releases = _history_list(workspace.history_doc)
    for new in (workspace.adopted, entry):
        if new is not None:
            stackfile.append(releases, new.to_yaml(), quoted=("id", "releasedAt"))
    # Stack file first: if the run dies between the two renames, the next command finds the
    # stack file's release missing from the history and records it, which keeps the replay right.
    try:
        workspace.history_doc.path.parent.mkdir(parents=True, exist_ok=True)
        stackfile.write_all(
            [
                (workspace.stack_doc.path, stack_text, workspace.stack_doc.raw),
                (workspace.history_doc.path, workspace.history_doc.dumps(), workspace.history_doc.raw),
            ],
            workspace.journal or journal_file(workspace.stack, STACKS_DIR),
        )
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename else ""
        raise Refused(f"could not write{where}: {exc.strerror or exc}; no file was changed") from None


def _history_list(document: stackfile.Document) -> CommentedSeq:
    if not isinstance(document.data, CommentedMap):
        document.data = CommentedMap()
    if not isinstance(document.data.get("releases"), CommentedSeq):
        document.data["releases"] = CommentedSeq()
    return document.data["releases"]


def _check_stack_text(workspace: Workspace, text: str) -> None:
    """The edit changed the release block only, and the result is a valid stack."""
    path = workspace.stack_doc.path
    try:
        # Read back as preview and Pulumi read it, so the check sees the values they will.
        before, after = (files.parse_yaml(t, _show(path)) for t in (workspace.stack_doc.text, text))
    except files.InputFileError as exc:
        raise Refused(f"the edited stack file cannot be read back ({exc}); nothing was written") from None
    if _without_release(before) != _without_release(after):
        raise Refused(
            f"editing {RELEASE_KEY} would change other values in {_show(path)}; "
            "set the release block by hand and open an issue with the file"
        )
    try:
        validate(from_document(after, workspace.stack, _show(path)))
    except SettingsError as exc:
        raise Refused(f"the stack file would not be valid after this change, so nothing was written.\n{exc}") from None


def _without_release(document: Any) -> Any:
    if isinstance(document, dict) and isinstance(document.get("config"), dict):
        config = {k: v for k, v in document["config"].items() if k != RELEASE_KEY}
        return {**document, "config": config}
    return document


def _print_pair_change(before: Optional[Entry], after: Entry, say: Callable[[str], None]) -> None:
    rows = (("id", "id"), ("image", "image"), ("artifactUrl", "artifact_url"))
    for label, attribute in rows:
        old = _shown_value(getattr(before, attribute)) if before else "(none)"
        new = _shown_value(getattr(after, attribute))
        say(f"  {label + ':':<12} {old} -> {new}" if old != new else f"  {label + ':':<12} {new} (unchanged)")


def _shown_value(value: str) -> str:
    return urls.shown(value) if "://" in value else files.shorten(value)


def _print_next_snapshot(workspace: Workspace, entry: Entry, say: Callable[[str], None]) -> None:
    prefix = release_record.snapshot_identifier(workspace.stack, entry.id, entry.released_at)
    kind = "cluster" if release_record.is_cluster(workspace.database_arn) else "instance"
    database = release_record.database_identifier(workspace.database_arn)
    say(
        f"`pulumi up` snapshots {kind} {database} as {prefix}-<random> before the migration Job runs "
        "(stack output release.preMigrationSnapshot names it)."
    )


def _print_apply(workspace: Workspace, say: Callable[[str], None]) -> None:
    path = workspace.stack_doc.path
    preview = f"python -m golive preview --stack {workspace.stack}"
    if path.resolve() != stack_file(workspace.stack, STACKS_DIR).resolve():
        preview += f" --stack-file {_show(path)}"
    say("Apply:")
    say(f"  {preview}")
    say(f"  pulumi up --stack {workspace.stack}")


def _describe_snapshot(database_arn: str, prefix: str) -> str:
    database = release_record.database_identifier(database_arn)
    if release_record.is_cluster(database_arn):
        return (
            f"aws rds describe-db-cluster-snapshots --db-cluster-identifier {database} --query "
            f"\"DBClusterSnapshots[?starts_with(DBClusterSnapshotIdentifier, '{prefix}-')].DBClusterSnapshotIdentifier\""
        )
    return (
        f"aws rds describe-db-snapshots --db-instance-identifier {database} --query "
        f"\"DBSnapshots[?starts_with(DBSnapshotIdentifier, '{prefix}-')].DBSnapshotIdentifier\""
    )


def _stamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _show(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _printer(out: TextIO) -> Callable[[str], None]:
    return lambda line="": print(line, file=out)


def _print_lines(out: TextIO, lines: list[str]) -> None:
    for line in lines:
        print(line, file=out)
