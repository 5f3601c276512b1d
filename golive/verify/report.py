"""Report a verification run: a table on the terminal, JSON, and JUnit XML for CI, all from one `Report`.

Findings carry only names, reasons and the URLs fetched (credentials are referred to by their
environment variable's name), so every format is safe to keep as a CI artifact.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Optional, TextIO

from golive import outputs, results, terminal
from golive.redact import Redactor
from golive.results import LABEL_WIDTH, Finding, Report, Status, Tool
from objectos_core.checklist import BY_ID
from settings import files


def build(
    stack: str,
    url: str,
    started_at: str,
    seconds: float,
    findings: Iterable[Finding],
    redactor: Optional[Redactor] = None,
) -> Report:
    """The run's report, its findings in checklist order (run order kept within an item).

    Every text a finding carries (a server's or a library's words included) is masked by
    `redactor` here, so the table, JSON and JUnit are all made from redacted findings."""
    redactor = redactor or Redactor()
    masked = [_clipped(redactor.fields(f, ("reason", "name", "resource"))) for f in findings]
    return Report(Tool.VERIFY, stack, results.ordered(masked, BY_ID), url=url, started_at=started_at, seconds=seconds)


def _clipped(finding: Finding) -> Finding:
    """Every line of a finding's texts cut to the message cap: a server's 30 KB header stays short."""
    texts = {name: getattr(finding, name) for name in ("reason", "name", "resource")}
    return dataclasses.replace(finding, **{k: files.clip_lines(v) for k, v in texts.items() if isinstance(v, str)})


def print_table(report: Report, out: TextIO = sys.stdout, verbosity: int = terminal.NORMAL) -> None:
    """The verdict and its counts first, then one row per finding (violations only when quiet)."""
    printer = terminal.Printer(out, verbosity)
    printer.verdict(f"Verdict: {report.verdict}: {report.summary()} ({report.seconds or 0:.1f} s)", report.passed)
    shown = report.findings
    if verbosity == terminal.QUIET:
        shown = tuple(f for f in shown if f.status in (Status.FAIL, Status.WARN))
    else:
        printer.line(f"Live verification of stack '{report.stack}' at {report.url}")
        if not shown:
            printer.line("  (no checks ran)")
    if not shown:
        return
    rule_width = max(len(f.rule) for f in shown)
    name_width = min(max(len(f.name or "") for f in shown), 48)
    for finding in shown:
        name = finding.name or ""
        name = name if len(name) <= name_width else name[: name_width - 1] + "~"
        waiver = finding.waiver
        note = f" (waived until {waiver.expires} by {waiver.owner}: {waiver.reason})" if waiver else ""
        printer.parts(
            (f"  {finding.status.label:<{LABEL_WIDTH}}", terminal.STATUS_STYLES[finding.status]),
            (f" {finding.rule:<{rule_width}}  {name:<{name_width}}  {finding.reason}{note}", None),
        )
        if verbosity == terminal.VERBOSE and (finding.resource or finding.where):
            printer.line(f"      at {finding.resource or finding.where}", "dim")


def write_json(report: Report, path: Path, stdout: TextIO = sys.stdout) -> None:
    outputs.write(path, json.dumps(report.to_json(), indent=2) + "\n", stdout)


def write_junit(report: Report, path: Path, stdout: TextIO = sys.stdout) -> None:
    outputs.write(path, results.junit_text(report), stdout)
