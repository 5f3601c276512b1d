"""Report a verification run: a table on the terminal, JSON, and JUnit XML for CI.

Outcomes carry only names and reasons (credentials are referred to by their
environment variable's name), so every format is safe to keep as a CI artifact.
"""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence, TextIO

from golive.verify.checks import FAIL, STATUSES, CheckOutcome
from objectos_core.checklist import BY_ID


@dataclass(frozen=True)
class Run:
    stack: str
    url: str
    started_at: str  # UTC ISO 8601
    seconds: float
    outcomes: tuple[CheckOutcome, ...]

    @property
    def passed(self) -> bool:
        """Warnings and skipped checks do not fail a run; a single failed check does."""
        return not any(o.status == FAIL for o in self.outcomes)

    def counts(self) -> dict[str, int]:
        found = Counter(o.status for o in self.outcomes)
        return {status: found.get(status, 0) for status in STATUSES}


def _ordered(outcomes: Sequence[CheckOutcome]) -> list[CheckOutcome]:
    ids = list(BY_ID)
    return sorted(outcomes, key=lambda o: ids.index(o.id))  # stable: keeps run order within an item


def print_table(run: Run, out: TextIO = sys.stdout) -> None:
    print(f"Live verification of stack '{run.stack}' at {run.url}", file=out)
    if not run.outcomes:
        print("  (no checks ran)", file=out)
        return
    id_width = max(len(o.id) for o in run.outcomes)
    name_width = min(max(len(o.name) for o in run.outcomes), 48)
    for outcome in _ordered(run.outcomes):
        status = outcome.status.upper() if outcome.status == FAIL else outcome.status
        name = outcome.name if len(outcome.name) <= name_width else outcome.name[: name_width - 1] + "~"
        print(f"  {status:<5} {outcome.id:<{id_width}}  {name:<{name_width}}  {outcome.reason}", file=out)
    summary = ", ".join(f"{count} {status}" for status, count in run.counts().items() if count)
    verdict = "all checks pass" if run.passed else "NOT verified"
    print(f"{verdict}: {summary} ({run.seconds:.1f} s)", file=out)


def to_json(run: Run) -> dict:
    return {
        "stack": run.stack,
        "url": run.url,
        "startedAt": run.started_at,
        "seconds": round(run.seconds, 3),
        "passed": run.passed,
        "counts": run.counts(),
        "checks": [o.to_json() for o in _ordered(run.outcomes)],
    }


def write_json(run: Run, path: Path) -> None:
    _write(path, json.dumps(to_json(run), indent=2) + "\n")


def junit(run: Run) -> ET.Element:
    """One test suite per run, one test case per outcome (classname = checklist id)."""
    counts = run.counts()
    suite = ET.Element(
        "testsuite",
        name=f"golive verify {run.stack}",
        tests=str(len(run.outcomes)),
        failures=str(counts["fail"]),
        errors="0",
        skipped=str(counts["skip"]),
        time=f"{run.seconds:.3f}",
        timestamp=run.started_at,
    )
    ET.SubElement(ET.SubElement(suite, "properties"), "property", name="url", value=run.url)
    for outcome in _ordered(run.outcomes):
        case = ET.SubElement(suite, "testcase", classname=outcome.id, name=outcome.name, time="0")
        if outcome.status == FAIL:
            ET.SubElement(case, "failure", message=outcome.reason, type=outcome.id).text = outcome.reason
        elif outcome.status == "skip":
            ET.SubElement(case, "skipped", message=outcome.reason)
        else:
            ET.SubElement(case, "system-out").text = f"{outcome.status}: {outcome.reason}"
    root = ET.Element(
        "testsuites", name="golive verify", tests=suite.get("tests", "0"), failures=suite.get("failures", "0")
    )
    root.append(suite)
    return root


def write_junit(run: Run, path: Path) -> None:
    tree = ET.ElementTree(junit(run))
    ET.indent(tree)
    _write(path, ET.tostring(tree.getroot(), encoding="unicode", xml_declaration=True) + "\n")


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
