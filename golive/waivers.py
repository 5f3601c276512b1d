"""Waivers: violations a team has accepted for a while, written down and committed.

`stacks/waivers.yaml` (or `--waivers PATH`) lists each waiver with the id of the
finding it waives, the one resource it is about, a reason, an owner and the last
day it applies:

    waivers:
      - id: network-exposure-limited
        resource: objectos-redis-sg        # a URN, a resource name, a URL, or the stack's name
        reason: the cache moves behind the private endpoint in release 2026.12
        owner: platform@example.com
        expires: 2026-12-31
        stacks: [staging]                  # optional: only these stacks

A matching `fail` or `warn` finding becomes `waived`: shown, never counted as a
failure. A waiver past its date waives nothing and is itself a finding
(`waiver-expired`), and so is one that matches no violation (`waiver-unused`):
the finding it was written for is gone, or its id or resource is wrong. Both are
held at the stack's checklist level (mandatory in prod).

A waiver of a rule id (`tls-at-edge`) is the preview's; one of a sub-check id
(`tls-at-edge/http-redirects-to-https`) is the verifier's: each command
judges only its own. A waiver may run at most `MAX_DAYS` ahead: each is
reviewed at least once a year.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from golive import locations, stack_file_checks
from golive.results import Enforcement, Finding, Source, Status, Tool, Waived, violation
from objectos_core.checklist import BY_ID
from settings import files

FILE_NAME = "waivers.yaml"
WAIVER_EXPIRED = "waiver-expired"
WAIVER_UNUSED = "waiver-unused"
RULES = (WAIVER_EXPIRED, WAIVER_UNUSED)
PLAN_RULES = ("kubernetes-manifests-valid", "resource-names-unique")  # the preview's own rules of the graph
MAX_DAYS = 366
REQUIRED = ("id", "resource", "reason", "owner", "expires")
OPTIONAL = ("stacks",)
_ID = re.compile(r"[a-z0-9][a-z0-9-]*(/[a-z0-9][a-z0-9-]*)?")
_URN = "urn:pulumi:"


class WaiverFileError(ValueError):
    """A waivers file the kit will not use: the message names the file, line, key and what to do."""


@dataclass(frozen=True)
class Waiver:
    id: str  # the finding's id: a rule id, or rule/check for a verifier sub-check
    resource: str  # URN, resource name, URL, or the stack's name for a finding that names no resource
    reason: str
    owner: str
    expires: date  # the last day it applies
    file: str
    line: int
    stacks: tuple[str, ...] = ()

    @property
    def rule(self) -> str:
        return self.id.split("/", 1)[0]

    @property
    def tool(self) -> Tool:
        return Tool.VERIFY if "/" in self.id else Tool.PREVIEW

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"

    def expired(self, today: date) -> bool:
        return today > self.expires

    def applies_to(self, stack: str, tool: Tool) -> bool:
        if tool is not self.tool or (self.stacks and stack not in self.stacks):
            return False
        if self.resource.startswith(_URN):  # urn:pulumi:<stack>::<project>::<type>::<name>
            return self.resource[len(_URN) :].split("::", 1)[0] == stack
        return True

    def matches(self, finding: Finding, stack: str) -> bool:
        if finding.id != self.id or finding.status not in (Status.FAIL, Status.WARN):
            return False
        if finding.resource is None:
            return self.resource == stack
        if self.resource == finding.resource:
            return True
        return finding.resource.startswith(_URN) and finding.resource.rsplit("::", 1)[-1] == self.resource

    def note(self) -> Waived:
        return Waived(self.reason, self.owner, self.expires.isoformat(), self.file, self.line)


def default_path(stacks_dir: Path) -> Path:
    return stacks_dir / FILE_NAME


def load(path: Path, today: date, required: bool = False) -> list[Waiver]:
    """The waivers of `path`; none when it does not exist, unless `required` (given with --waivers)."""
    try:
        text = files.read_text(path).text
    except files.MissingFileError:
        if required:
            raise WaiverFileError(
                f"{path}: does not exist; give an existing waivers file or leave out --waivers"
            ) from None
        return []
    except files.InputFileError as exc:
        raise WaiverFileError(str(exc)) from None
    try:
        document = files.parse_yaml(text, path)
        marks = locations.marks(text, path)
    except files.InputFileError as exc:
        key = locations.value_at(text, exc.line, exc.column) if exc.line and exc.column else None
        raise WaiverFileError(f"{exc.where}: {_dotted(key) + ': ' if key else ''}{exc.reason}") from None
    return parse(document, marks, str(path), today)


def parse(document: Any, marks: Mapping[locations.Key, locations.Mark], source: str, today: date) -> list[Waiver]:
    def fail(path: locations.Key, message: str) -> WaiverFileError:
        mark = locations.nearest(marks, path)
        where = f"{source}:{mark[0]}:{mark[1]}" if mark else source
        return WaiverFileError(f"{where}: {_dotted(path) + ': ' if path else ''}{message}")

    if document is None:
        return []
    if not isinstance(document, Mapping):
        raise fail((), "must be a mapping with a top-level `waivers:` list")
    unknown = [key for key in document if key != "waivers"]
    if unknown:
        raise fail((str(unknown[0]),), "is not a known key; the file holds one key, `waivers:`")
    entries = document.get("waivers")
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise fail(("waivers",), "must be a list of waivers, each a mapping of " + ", ".join(REQUIRED))
    found: list[Waiver] = []
    seen: dict[tuple[str, str, tuple[str, ...]], int] = {}
    for index, entry in enumerate(entries):
        path: locations.Key = ("waivers", index)
        if not isinstance(entry, Mapping):
            raise fail(path, "must be a mapping of " + ", ".join(REQUIRED))
        for key in entry:
            if key not in REQUIRED + OPTIONAL:
                raise fail((*path, str(key)), f"is not a waiver key; use {', '.join(REQUIRED + OPTIONAL)}")
        for key in REQUIRED:
            if key not in entry:
                raise fail(path, f"has no `{key}`; every waiver needs {', '.join(REQUIRED)}")
        texts = {key: _text(entry[key], (*path, key), fail) for key in ("id", "resource", "reason", "owner")}
        _check_id(texts["id"], (*path, "id"), fail)
        expires = _date(entry["expires"], (*path, "expires"), fail)
        latest = today + timedelta(days=MAX_DAYS)
        if expires > latest:
            raise fail(
                (*path, "expires"),
                f"{expires.isoformat()} is more than {MAX_DAYS} days away; "
                f"choose a date by {latest.isoformat()} and review the waiver then",
            )
        stacks = _stacks(entry.get("stacks"), (*path, "stacks"), fail)
        key = (texts["id"], texts["resource"], stacks)
        if key in seen:
            raise fail(path, f"waives the same finding as waivers[{seen[key]}]; keep one")
        seen[key] = index
        mark = marks.get(path)
        found.append(
            Waiver(
                texts["id"],
                texts["resource"],
                texts["reason"],
                texts["owner"],
                expires,
                source,
                mark[0] if mark else 1,
                stacks,
            )
        )
    return found


def apply(
    findings: Iterable[Finding],
    waivers: Sequence[Waiver],
    stack: str,
    tool: Tool,
    today: date,
    held: Enforcement,
) -> list[Finding]:
    """`findings` with every violation a live waiver matches turned `waived`, then a finding per
    waiver of this command and stack that has expired or matched nothing (held at `held`)."""
    mine = [w for w in waivers if w.applies_to(stack, tool)]
    used: set[int] = set()
    out: list[Finding] = []
    for finding in findings:
        waiver = next((w for w in mine if not w.expired(today) and w.matches(finding, stack)), None)
        if waiver is None:
            out.append(finding)
            continue
        used.add(id(waiver))
        out.append(dataclasses.replace(finding, status=Status.WAIVED, waiver=waiver.note()))
    for waiver in mine:
        what = f"waiver of {waiver.id} for {waiver.resource} (owner {waiver.owner})"
        if waiver.expired(today):
            reason = (
                f"{what} expired on {waiver.expires.isoformat()}; fix the finding, "
                "or renew the waiver with a new date and the reason it still holds"
            )
            out.append(_waiver_finding(WAIVER_EXPIRED, waiver, held, reason))
        elif id(waiver) not in used:
            reason = (
                f"{what} matches no violation of this stack; remove it if the finding is fixed, "
                "or correct its id or resource"
            )
            out.append(_waiver_finding(WAIVER_UNUSED, waiver, held, reason))
    return out


def _waiver_finding(rule: str, waiver: Waiver, held: Enforcement, reason: str) -> Finding:
    return violation(
        rule, held, reason, name=f"{waiver.id} [{waiver.resource}]", source=Source.WAIVERS, where=waiver.where
    )


# --- reading one waiver ------------------------------------------------------------------


def _text(value: Any, path: locations.Key, fail: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        shown = files.shorten(value)
        raise fail(path, f"must be non-empty text, not {shown}; quote it if YAML reads it as something else")
    return value.strip()


def _check_id(value: str, path: locations.Key, fail: Any) -> None:
    if not _ID.fullmatch(value):
        raise fail(
            path, f"{files.shorten(value)!r} is not a finding id; write a rule id, or rule/check for the verifier"
        )
    rule = value.split("/", 1)[0]
    if rule in RULES:
        raise fail(path, f"{rule} cannot be waived; fix the waiver it reports instead")
    if rule not in BY_ID and rule not in PLAN_RULES and rule not in stack_file_checks.RULES:
        others = ", ".join((*PLAN_RULES, *stack_file_checks.RULES))
        raise fail(path, f"{rule!r} is not a rule the kit reports; use a checklist id (README) or {others}")


def _date(value: Any, path: locations.Key, fail: Any) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()) else _bad()
        except ValueError:
            pass
    raise fail(path, f"{files.shorten(value)!r} is not a date; write the last day the waiver applies as YYYY-MM-DD")


def _bad() -> date:
    raise ValueError("not YYYY-MM-DD")


def _stacks(value: Any, path: locations.Key, fail: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise fail(path, "must be a list of stack names, e.g. [prod]; leave it out to apply to every stack")
    return tuple(v.strip() for v in value)


def _dotted(path: locations.Key) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text
