"""A stack's release history and what a rollback has to undo.

`stacks/releases/<stack>.yaml` is append-only: one entry per `golive release`
and per `golive rollback`, each with the pair it pinned. Replaying it gives the
releases in service, oldest at the bottom, like a stack: a release goes on top,
a rollback to a release already in service takes off everything above it. The
releases taken off are the ones whose migrations a rollback crosses; the
snapshot to restore is the one taken before the lowest of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Optional

from settings import files, rules


class HistoryError(Exception):
    """The history cannot answer the question; the message says why and what to do."""


@dataclass(frozen=True)
class Entry:
    id: str
    image: str
    artifact_url: str
    released_at: Optional[str] = None  # also the pin time stamped into the pre-migration snapshot's name
    migration: Optional[bool] = None  # None: not recorded, so a rollback assumes it migrated
    rollback_from: Optional[str] = None  # set on entries written by `golive rollback`

    def same_pair(self, other: Entry) -> bool:
        return (self.image, self.artifact_url) == (other.image, other.artifact_url)

    def to_yaml(self) -> dict[str, Any]:
        values: dict[str, Any] = {"id": self.id, "image": self.image, "artifactUrl": self.artifact_url}
        if self.released_at is not None:
            values["releasedAt"] = self.released_at
        if self.migration is not None:
            values["migration"] = self.migration
        if self.rollback_from is not None:
            values["rollbackFrom"] = self.rollback_from
        return values


_FIELDS = {"id", "image", "artifactUrl", "releasedAt", "migration", "rollbackFrom"}


def parse(raw: Any, source: str) -> list[Entry]:
    """Entries from a loaded history file (`releases: [...]`, or nothing yet)."""
    if raw is None or (isinstance(raw, Mapping) and raw.get("releases") is None):
        return []
    items = raw.get("releases") if isinstance(raw, Mapping) else None
    if not isinstance(items, list):
        raise HistoryError(f"{source} must hold `releases:` followed by a list of entries")
    return [_entry(item, f"{source}, entry {index + 1}") for index, item in enumerate(items)]


def _entry(item: Any, where: str) -> Entry:
    if not isinstance(item, Mapping):
        raise HistoryError(f"{where} is not a mapping of id, image, artifactUrl, releasedAt")
    unknown = sorted(set(map(str, item)) - _FIELDS)
    if unknown:
        raise HistoryError(f"{where} has unknown keys {', '.join(unknown)}")
    for key in ("id", "image", "artifactUrl"):
        if not isinstance(item.get(key), str) or not item[key]:
            raise HistoryError(f"{where} has no {key}")
    if not rules.RELEASE_ID.fullmatch(item["id"]):
        raise HistoryError(f"{where}: '{files.shorten(item['id'])}' is not a release id")
    try:
        released_at = rules.check_utc_time(item.get("releasedAt"))
    except ValueError as exc:
        raise HistoryError(f"{where}: releasedAt {exc}") from None
    migration = item.get("migration")
    if migration is not None and not isinstance(migration, bool):
        raise HistoryError(f"{where}: migration must be true or false")
    return Entry(
        id=item["id"],
        image=item["image"],
        artifact_url=item["artifactUrl"],
        released_at=released_at,
        migration=migration,
        rollback_from=item.get("rollbackFrom"),
    )


def in_service(entries: Sequence[Entry]) -> list[Entry]:
    """Replay the history: the releases in service, oldest first, the current one last."""
    stack: list[Entry] = []
    for entry in entries:
        below = [e.id for e in stack[:-1]]
        if entry.rollback_from is not None and entry.id in below:
            del stack[_last_index(below, entry.id) + 1 :]
        else:
            stack.append(entry)
    return stack


def release_entry(entries: Sequence[Entry], release_id: str) -> Optional[Entry]:
    """The latest entry written by `golive release` for this id."""
    found = [e for e in entries if e.id == release_id and e.rollback_from is None]
    return found[-1] if found else None


def previous(entries: Sequence[Entry]) -> Entry:
    """The release in service before the current one."""
    stack = in_service(entries)
    if not stack:
        raise HistoryError("the history is empty: there is no earlier release to roll back to")
    if len(stack) < 2:
        raise HistoryError(
            f"release {stack[-1].id} is the earliest release still in service: there is nothing before it "
            "to roll back to (name a release with --to)"
        )
    return stack[-2]


def crossed(entries: Sequence[Entry], target_id: str) -> list[Entry]:
    """Releases in service whose migrations moving to `target_id` undoes, oldest first."""
    stack = in_service(entries)
    below = [e.id for e in stack[:-1]]
    if target_id in below:
        return stack[_last_index(below, target_id) + 1 :]
    # A release no longer in service: undo what went into service after it was first released.
    first = {}
    for index, entry in enumerate(entries):
        if entry.rollback_from is None:
            first.setdefault(entry.id, index)
    since = first.get(target_id, len(entries))
    return [e for e in stack if first.get(e.id, -1) > since]


def needs_restore(left: Sequence[Entry]) -> bool:
    """Unless every release left recorded `migration: false`, the schema may have moved."""
    return any(entry.migration is not False for entry in left)


def next_id(entries: Sequence[Entry], date: str) -> str:
    """`<YYYY.MM.DD>-<n>`: the day's next free number."""
    used = {e.id for e in entries}
    n = 1
    while f"{date}-{n}" in used:
        n += 1
    return f"{date}-{n}"


def _last_index(ids: Sequence[str], wanted: str) -> int:
    return len(ids) - 1 - list(reversed(ids)).index(wanted)
