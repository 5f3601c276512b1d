"""Report a verification run: a table on the terminal, JSON, and JUnit XML for CI, all from one `Report`.

Findings carry only names, reasons and the URLs fetched (credentials are referred to by their
environment variable's name), so every format is safe to keep as a CI artifact.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Optional, TextIO

from golive import outputs, results
from golive.redact import Redactor
from golive.results import LABEL_WIDTH, Finding, Report, Tool
from objectos_core.checklist import BY_ID


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
    masked = [redactor.fields(f, ("reason", "name", "resource")) for f in findings]
    return Report(Tool.VERIFY, stack, results.ordered(masked, BY_ID), url=url, started_at=started_at, seconds=seconds)


def print_table(report: Report, out: TextIO = sys.stdout) -> None:
    print(f"Live verification of stack '{report.stack}' at {report.url}", file=out)
    if not report.findings:
        print("  (no checks ran)", file=out)
    else:
        rule_width = max(len(f.rule) for f in report.findings)
        name_width = min(max(len(f.name or "") for f in report.findings), 48)
        for finding in report.findings:
            name = finding.name or ""
            name = name if len(name) <= name_width else name[: name_width - 1] + "~"
            status, rule = finding.status.label, finding.rule
            print(f"  {status:<{LABEL_WIDTH}} {rule:<{rule_width}}  {name:<{name_width}}  {finding.reason}", file=out)
    print(f"Verdict: {report.verdict}: {report.summary()} ({report.seconds or 0:.1f} s)", file=out)


def write_json(report: Report, path: Path, stdout: TextIO = sys.stdout) -> None:
    outputs.write(path, json.dumps(report.to_json(), indent=2) + "\n", stdout)


def write_junit(report: Report, path: Path, stdout: TextIO = sys.stdout) -> None:
    outputs.write(path, results.junit_text(report), stdout)
