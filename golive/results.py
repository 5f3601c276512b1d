"""One results model for `golive preview` and `golive verify`: findings in, verdict and exit code out.

A finding is one judgement of one rule (a go-live checklist id, or a plan rule
such as valid manifests), optionally narrowed to a sub-check
(`security-headers-present/headers-on-api-v1-health`). Its status is one of:

- `pass`: the rule holds;
- `fail`: a mandatory violation; it blocks the verdict;
- `warn`: an advisory violation; reported everywhere as `warn`, never blocks;
- `not_judged`: no verdict could be reached here: unknown until deploy, only
  the live verifier can tell, disabled in the pack config, or a check that was
  not asked for or could not run (the reason says which). A rule that must be
  judged in prod is turned into a `fail` by whoever produces the finding;
- `waived`: a violation accepted by a recorded waiver; it does not block.

The verdict and the exit code come from the findings alone (`Report`), and the
text, JSON and JUnit renderings all read the same `Report`, so they cannot
disagree. Standard library only.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import Any, Optional

SCHEMA_VERSION = 1
"""Version of the JSON written by `--json`; raised whenever a field changes meaning or goes away."""

EXIT_OK, EXIT_BLOCKED = 0, 1


class Status(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"
    NOT_JUDGED = "not_judged"
    WAIVED = "waived"

    @property
    def label(self) -> str:
        """How the text reports show it: violations in capitals."""
        return _LABELS[self]


_LABELS = {
    Status.PASS: "pass",
    Status.FAIL: "FAIL",
    Status.WARN: "WARN",
    Status.NOT_JUDGED: "not judged",
    Status.WAIVED: "waived",
}
LABEL_WIDTH = max(len(label) for label in _LABELS.values())


class Enforcement(StrEnum):
    MANDATORY = "mandatory"
    ADVISORY = "advisory"


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class Source(StrEnum):
    POLICY = "policy"  # the CrossGuard pack, run over the recorded graph
    SETTINGS = "settings"  # the validated stack settings
    PLAN = "plan"  # the preview's own checks of the graph: manifests, names, leaked secrets
    VERIFY = "verify"  # the live verifier (at preview: an item only it can judge)
    WAIVERS = "waivers"  # the waivers file: a waiver expired, or matching nothing


class Tool(StrEnum):
    PREVIEW = "preview"
    VERIFY = "verify"
    REHEARSE = "rehearse"


_VERDICTS = {Tool.PREVIEW: ("READY", "NOT READY"), Tool.VERIFY: ("PASS", "FAIL"), Tool.REHEARSE: ("PASS", "FAIL")}


def violation_status(enforcement: Enforcement) -> Status:
    """A mandatory violation fails; an advisory one warns."""
    return Status.FAIL if Enforcement(enforcement) is Enforcement.MANDATORY else Status.WARN


def check_id(name: str) -> str:
    """A stable sub-check id from what a check looked at: 'headers on /api/v1/health' -> 'headers-on-api-v1-health'."""
    words = ["root" if word == "/" else word for word in name.lower().split()]
    return re.sub(r"[^a-z0-9]+", "-", " ".join(words)).strip("-") or "check"


@dataclass(frozen=True)
class Waived:
    """The recorded waiver that turned a violation into `waived`: why, who, until when, and where it is written."""

    reason: str
    owner: str
    expires: str  # YYYY-MM-DD, the last day it applies
    file: str
    line: Optional[int] = None

    def to_json(self) -> dict[str, Any]:
        return {
            "reason": self.reason,
            "owner": self.owner,
            "expires": self.expires,
            "file": self.file,
            "line": self.line,
        }


@dataclass(frozen=True)
class Finding:
    rule: str  # the checklist id (or a plan rule id); waivers and CI name findings by it
    status: Status
    enforcement: Enforcement  # of a violation; of a passing or unjudged rule, the level it is held to
    reason: str  # one sentence an operator can act on
    check: Optional[str] = None  # sub-check id within the rule (the verifier's checks)
    name: Optional[str] = None  # what was looked at, in words: "headers on /api/v1/health"
    resource: Optional[str] = None  # URN or URL of the one thing at fault
    source: Source = Source.POLICY
    severity: Optional[Severity] = None  # the policy's severity, when the pack states one
    waiver: Optional[Waived] = None  # set on a `waived` finding only
    where: Optional[str] = None  # file:line of the input line at fault, when it is one (a waiver)

    def __post_init__(self) -> None:
        for attribute, kind in (("status", Status), ("enforcement", Enforcement), ("source", Source)):
            object.__setattr__(self, attribute, _member(kind, getattr(self, attribute), attribute))
        if self.severity is not None:
            object.__setattr__(self, "severity", _member(Severity, self.severity, "severity"))
        if not self.rule:
            raise ValueError("a finding needs a rule id")
        if self.check is not None and not re.fullmatch(r"[a-z0-9][a-z0-9-]*", self.check):
            raise ValueError(f"sub-check id {self.check!r}: use lower-case letters, digits and '-'")
        if self.status is Status.FAIL and self.enforcement is not Enforcement.MANDATORY:
            raise ValueError(f"{self.rule}: an advisory violation is 'warn', not 'fail'")
        if self.status is Status.WARN and self.enforcement is not Enforcement.ADVISORY:
            raise ValueError(f"{self.rule}: a mandatory violation is 'fail', not 'warn'")
        if self.waiver is not None and self.status is not Status.WAIVED:
            raise ValueError(f"{self.rule}: only a 'waived' finding names a waiver")

    @property
    def id(self) -> str:
        """The rule id, or `rule/check` for a sub-check."""
        return f"{self.rule}/{self.check}" if self.check else self.rule

    @property
    def mandatory(self) -> bool:
        return self.enforcement is Enforcement.MANDATORY

    @property
    def blocking(self) -> bool:
        return self.status is Status.FAIL

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "rule": self.rule,
            "check": self.check,
            "name": self.name,
            "status": self.status.value,
            "enforcement": self.enforcement.value,
            "severity": self.severity.value if self.severity else None,
            "reason": self.reason,
            "resource": self.resource,
            "source": self.source.value,
            **({"waiver": self.waiver.to_json()} if self.waiver else {}),
            **({"where": self.where} if self.where else {}),
        }


def _member(kind: type[Enum], value: Any, attribute: str) -> Any:
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise ValueError(f"{attribute} {value!r}: use one of {allowed}") from None


def violation(rule: str, enforcement: Enforcement, reason: str, **more: Any) -> Finding:
    """A violation of `rule`: `fail` when mandatory, `warn` when advisory."""
    return Finding(rule, violation_status(enforcement), enforcement, reason, **more)


@dataclass(frozen=True)
class Report:
    """All findings of one run, in the order they are shown, and what they add up to."""

    tool: Tool
    stack: str
    findings: tuple[Finding, ...]
    url: Optional[str] = None  # what was verified (verify)
    started_at: Optional[str] = None  # UTC ISO 8601
    seconds: Optional[float] = None
    environment: Optional[str] = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "tool", Tool(self.tool))
        object.__setattr__(self, "findings", tuple(self.findings))

    @property
    def blocking(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.blocking)

    @property
    def passed(self) -> bool:
        """No mandatory violation: warnings, unjudged and waived findings do not block."""
        return not self.blocking

    @property
    def verdict(self) -> str:
        ok, blocked = _VERDICTS[self.tool]
        return ok if self.passed else blocked

    @property
    def exit_code(self) -> int:
        return EXIT_OK if self.passed else EXIT_BLOCKED

    def counts(self) -> dict[str, int]:
        """Findings per status, every status listed."""
        found = Counter(f.status for f in self.findings)
        return {status.value: found.get(status, 0) for status in Status}

    def summary(self) -> str:
        """'3 pass, 1 WARN, 1 not judged': the non-zero counts, labelled as in the table."""
        found = Counter(f.status for f in self.findings)
        return ", ".join(f"{found[status]} {status.label}" for status in Status if found[status]) or "no findings"

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "schemaVersion": SCHEMA_VERSION,
            "tool": f"golive {self.tool.value}",
            "stack": self.stack,
        }
        for key, value in (
            ("environment", self.environment),
            ("url", self.url),
            ("startedAt", self.started_at),
            ("seconds", None if self.seconds is None else round(self.seconds, 3)),
        ):
            if value is not None:
                document[key] = value
        document.update(
            verdict=self.verdict,
            exitCode=self.exit_code,
            counts=self.counts(),
            findings=[f.to_json() for f in self.findings],
        )
        return document


def junit(report: Report) -> ET.Element:
    """One test suite per run, one test case per finding (classname = rule id, name = sub-check).

    JUnit has no warning: a `warn` passes with `warn: <reason>` in its system-out;
    `not_judged` and `waived` are `<skipped>` with their status in the message.
    """
    counts = report.counts()
    suite = ET.Element(
        "testsuite",
        name=f"golive {report.tool.value} {report.stack}",
        tests=str(len(report.findings)),
        failures=str(counts[Status.FAIL.value]),
        errors="0",
        skipped=str(counts[Status.NOT_JUDGED.value] + counts[Status.WAIVED.value]),
        time=f"{report.seconds or 0:.3f}",
    )
    if report.started_at:
        suite.set("timestamp", report.started_at)
    listed = ET.SubElement(suite, "properties")
    shown = {
        "schemaVersion": str(SCHEMA_VERSION),
        "verdict": report.verdict,
        "exitCode": str(report.exit_code),
        **({"url": report.url} if report.url else {}),
    }
    for key, value in shown.items():
        ET.SubElement(listed, "property", name=key, value=value)
    for finding in report.findings:
        case = ET.SubElement(suite, "testcase", classname=finding.rule, name=_case_name(finding), time="0")
        if finding.status is Status.FAIL:
            ET.SubElement(case, "failure", message=finding.reason, type=finding.id).text = finding.reason
        elif finding.status in (Status.NOT_JUDGED, Status.WAIVED):
            ET.SubElement(case, "skipped", message=f"{finding.status.value}: {finding.reason}")
        else:
            ET.SubElement(case, "system-out").text = f"{finding.status.value}: {finding.reason}"
    root = ET.Element(
        "testsuites",
        name=f"golive {report.tool.value}",
        tests=suite.get("tests", "0"),
        failures=suite.get("failures", "0"),
    )
    root.append(suite)
    return root


def _case_name(finding: Finding) -> str:
    if finding.name or finding.check:
        return finding.name or finding.check or ""
    if finding.resource:
        return f"{finding.rule} [{finding.resource.split('::')[-1]}]"
    return finding.rule


def junit_text(report: Report) -> str:
    tree = ET.ElementTree(junit(report))
    ET.indent(tree)
    return ET.tostring(tree.getroot(), encoding="unicode", xml_declaration=True) + "\n"


def ordered(findings: Iterable[Finding], order: Iterable[str]) -> tuple[Finding, ...]:
    """Findings in the order of `order`'s rule ids (unknown rules last), run order kept within a rule."""
    position = {rule: index for index, rule in enumerate(order)}
    return tuple(sorted(findings, key=lambda f: position.get(f.rule, len(position))))
