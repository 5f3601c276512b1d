"""The combined report of a fleet run: one row per stack, a table, a JSON document and the fleet's exit code.

A row is a stack's verdict with its counts, or the error that kept it from one (invalid
settings, a program that stopped, a worker that died or timed out): the rows of the other
stacks stand either way. Exit 0 when every stack passed, 2 when any stack could not be
judged, else 1.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, TextIO

from golive import terminal
from golive.results import EXIT_BLOCKED, EXIT_OK, Status

EXIT_ERROR = 2
ERROR = "ERROR"
SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Problem:
    """One blocking finding of a stack, as the combined report lists it."""

    rule: str
    reason: str
    resource: str = ""


@dataclass(frozen=True)
class Row:
    stack: str
    verdict: str  # the tool's verdict (READY / NOT READY, PASS / FAIL), or ERROR
    exit_code: int
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)
    error: str = ""  # why there is no verdict
    problems: tuple[Problem, ...] = ()
    files: tuple[str, ...] = ()  # the per-stack documents written
    target: str = ""  # what was judged: the stack file, or the URL verified

    @property
    def passed(self) -> bool:
        return self.exit_code == EXIT_OK

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "stack": self.stack,
            "verdict": self.verdict,
            "exitCode": self.exit_code,
            "seconds": round(self.seconds, 3),
            "counts": self.counts,
        }
        if self.target:
            document["target"] = self.target
        if self.error:
            document["error"] = self.error
        document["blocking"] = [
            {"rule": p.rule, "reason": p.reason, **({"resource": p.resource} if p.resource else {})}
            for p in self.problems
        ]
        document["files"] = list(self.files)
        return document


def error_row(stack: str, error: str, seconds: float = 0.0, target: str = "") -> Row:
    return Row(stack, ERROR, EXIT_ERROR, seconds, error=error, target=target)


def outcome_row(stack: str, value: Any, error: str, seconds: float, target: str) -> Row:
    """A worker's outcome as a row: its error, or the data a fleet command's work returns
    (`verdict`, `exitCode`, `counts`, `problems` as (rule, reason, resource), `files`)."""
    if error:
        return error_row(stack, error, seconds, target=target)
    return Row(
        stack,
        value["verdict"],
        value["exitCode"],
        seconds,
        counts=value["counts"],
        problems=tuple(Problem(*p) for p in value["problems"]),
        files=tuple(value["files"]),
        target=target,
    )


def exit_code(rows: Sequence[Row]) -> int:
    """0 every stack passed, 1 any stack blocked, 2 any stack could not be judged (or no stack at all)."""
    if not rows or any(r.exit_code not in (EXIT_OK, EXIT_BLOCKED) for r in rows):
        return EXIT_ERROR
    return EXIT_BLOCKED if any(r.exit_code == EXIT_BLOCKED for r in rows) else EXIT_OK


def fleet_verdict(rows: Sequence[Row], passed: str, blocked: str) -> str:
    return {EXIT_OK: passed, EXIT_BLOCKED: blocked}.get(exit_code(rows), ERROR)


def summary(rows: Sequence[Row], passed: str, blocked: str) -> str:
    """'3 stacks: 2 READY, 1 NOT READY, 0 ERROR'."""
    tally = {label: sum(1 for r in rows if r.verdict == label) for label in (passed, blocked, ERROR)}
    return f"{len(rows)} stack(s): " + ", ".join(f"{n} {label}" for label, n in tally.items())


_COLUMNS = (Status.PASS, Status.FAIL, Status.WARN, Status.WAIVED, Status.NOT_JUDGED)


def print_table(
    rows: Sequence[Row],
    title: str,
    passed: str,
    blocked: str,
    seconds: float,
    out: TextIO,
    verbosity: int = terminal.NORMAL,
) -> None:
    """The fleet's verdict, one line per stack (stack, verdict, counts, seconds), then why each one did not pass."""
    printer = terminal.Printer(out, verbosity)
    code = exit_code(rows)
    printer.verdict(
        f"Fleet verdict: {fleet_verdict(rows, passed, blocked)}: {summary(rows, passed, blocked)} ({seconds:.1f} s)",
        code == EXIT_OK,
    )
    if verbosity > terminal.QUIET:
        printer.line(title)
    width = max([len("stack")] + [len(r.stack) for r in rows])
    verdict_width = max(len(v) for v in (passed, blocked, ERROR, "verdict"))
    heads = "".join(f"{s.label:>{max(len(s.label), 4) + 2}}" for s in _COLUMNS)
    printer.line(f"  {'stack':<{width}}  {'verdict':<{verdict_width}}{heads}  {'seconds':>8}")
    for row in rows:
        style = "green" if row.passed else "bold red"
        if row.error:
            cells = f"  {'-':>{len(heads) - 2}}"
        else:
            cells = "".join(f"{row.counts.get(s.value, 0):>{max(len(s.label), 4) + 2}}" for s in _COLUMNS)
        printer.parts(
            (f"  {row.stack:<{width}}  ", None),
            (f"{row.verdict:<{verdict_width}}", style),
            (f"{cells}  {row.seconds:>8.1f}", None),
        )
    for row in rows:
        if row.error:
            printer.line(f"{row.stack}: {ERROR}: {row.error}", "red")
        for problem in row.problems:
            where = f"  [{problem.resource.split('::')[-1]}]" if problem.resource else ""
            printer.line(f"{row.stack}: FAIL {problem.rule}: {problem.reason}{where}", "red")


def document(tool: str, rows: Sequence[Row], passed: str, blocked: str, seconds: float, jobs: int) -> dict[str, Any]:
    """The fleet's JSON: its verdict and exit code, then a row per stack."""
    return {
        "schemaVersion": SCHEMA_VERSION,
        "tool": tool,
        "verdict": fleet_verdict(rows, passed, blocked),
        "exitCode": exit_code(rows),
        "seconds": round(seconds, 3),
        "jobs": jobs,
        "stacks": [r.to_json() for r in rows],
    }


def write_json(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def out_dir_problem(out_dir: Optional[Path]) -> Optional[str]:
    """Why per-stack documents cannot go to `out_dir`, checked before any work."""
    if out_dir is None:
        return None
    if out_dir.exists() and not out_dir.is_dir():
        return f"--out-dir {out_dir}: is a file; give a folder (it is created if missing)"
    return None
