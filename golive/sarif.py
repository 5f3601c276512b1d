"""SARIF 2.1.0 from the one results model, for GitHub code scanning and every other SARIF reader.

- one rule per finding id (the checklist id, `rule/check` for a verifier sub-check),
  described from the checklist, with a GitHub `security-severity` from the severity;
- one result per violation (`fail` is level `error`, `warn` is `warning`, or `note` for a
  low-severity advisory one) and per waived finding, which carries its waiver as an
  accepted external suppression; passing and unjudged findings are counted in the run's
  properties, not listed (GitHub would raise an alert for each);
- each result points at the stack-file line of the key its rule is about (the top of the
  file when no key is), at the waivers-file line for a waiver's own finding, and names its
  resource (a URN or URL) as a logical location.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from golive.results import SCHEMA_VERSION, Enforcement, Finding, Report, Severity, Status
from objectos_core.checklist import BY_ID

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT = "goliveFinding/v1"

# The stack-file key each checklist item is about: where its results point.
STACK_KEYS: dict[str, str] = {
    "tls-at-edge": "objectos:edge",
    "security-headers-present": "objectos:headers",
    "hsts-after-tls": "objectos:hsts",
    "cors-explicit-origins": "objectos:cors",
    "rate-limits-auth-write": "objectos:rateLimits",
    "auth-secret-in-secret-store": "objectos:secretValues",
    "no-baked-secrets": "objectos:secretValues",
    "oidc-callback-on-domain": "objectos:oidc",
    "database-backup-restore-tested": "objectos:backup",
    "audit-log-retention": "objectos:auditLog",
    "release-pins-image-and-artifact": "objectos:release",
    "redis-encrypted-with-auth": "objectos:redis",
    "waf-logging-redacted": "objectos:waf",
    "pods-can-start": "objectos:kubernetes",
    "runtime-edition-topology": "objectos:edition",
    "pods-run-restricted": "objectos:kubernetes",
    "network-exposure-limited": "objectos:network",
    "kubernetes-manifests-valid": "objectos:kubernetes",
}
FALLBACKS = {"objectos:edition": "objectos:release", "objectos:oidc": "objectos:domain"}

# GitHub ranks security alerts by a CVSS-like score: critical >= 9.0, high >= 7.0, medium >= 4.0.
SECURITY_SEVERITY = {Severity.LOW: "3.0", Severity.MEDIUM: "5.5", Severity.HIGH: "8.0", Severity.CRITICAL: "9.5"}
LISTED = (Status.FAIL, Status.WARN, Status.WAIVED)


@dataclass(frozen=True)
class Locator:
    """Where a finding's results point: the stack file (with the line of each top-level config key)."""

    stack_file: str  # a URI reference: relative to the repository root when the file is inside it
    key_lines: Mapping[str, int] = field(default_factory=dict)  # "objectos:cors" -> line
    config_line: int = 1

    def line_of(self, rule: str) -> int:
        key = STACK_KEYS.get(rule)
        while key is not None:
            if key in self.key_lines:
                return self.key_lines[key]
            key = FALLBACKS.get(key)
        return self.config_line

    def physical(self, finding: Finding) -> dict[str, Any]:
        if finding.where:
            path, _, line = finding.where.rpartition(":")
            return _physical(relative_uri(Path(path)), int(line) if line.isdigit() else 1)
        return _physical(self.stack_file, self.line_of(finding.rule))


def locator(stack_file: Path, marks: Mapping[tuple, tuple[int, int]]) -> Locator:
    """A Locator from the stack file's path and its key marks (`golive.locations.marks`)."""
    lines = {str(path[1]): mark[0] for path, mark in marks.items() if len(path) == 2 and path[0] == "config"}
    config = marks.get(("config",))
    return Locator(relative_uri(stack_file), lines, config[0] if config else 1)


def relative_uri(path: Path, root: Optional[Path] = None) -> str:
    """`path` relative to `root` (default: the working directory), as a URI; absolute when outside it."""
    resolved = path.resolve()
    try:
        return resolved.relative_to((root or Path.cwd()).resolve()).as_posix()
    except ValueError:
        return resolved.as_uri()


def sarif(report: Report, where: Locator) -> dict[str, Any]:
    rules: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    for finding in report.findings:
        if finding.id not in index:
            index[finding.id] = len(rules)
            rules.append(_rule(finding))
    results = [_result(f, index[f.id], where) for f in report.findings if f.status in LISTED]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "golive",
                "fullName": f"ObjectOS go-live kit: golive {report.tool.value}",
                "rules": rules,
            }
        },
        "automationDetails": {"id": f"golive-{report.tool.value}/{report.stack}/"},
        "invocations": [_invocation(report)],
        "results": results,
        "properties": {
            "schemaVersion": SCHEMA_VERSION,
            "stack": report.stack,
            "verdict": report.verdict,
            "exitCode": report.exit_code,
            "counts": report.counts(),
            **({"environment": report.environment} if report.environment else {}),
            **({"url": report.url} if report.url else {}),
        },
    }
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def sarif_text(report: Report, where: Locator) -> str:
    return json.dumps(sarif(report, where), indent=2) + "\n"


def level(finding: Finding) -> str:
    """error for a mandatory violation; warning for an advisory one, note when its severity is low."""
    if finding.enforcement is Enforcement.MANDATORY:
        return "error"
    return "note" if finding.severity is Severity.LOW else "warning"


def _rule(finding: Finding) -> dict[str, Any]:
    item = BY_ID.get(finding.rule)
    title = item.title if item else finding.rule
    text = f"{title}: {finding.name}" if finding.name and finding.check else title
    rule: dict[str, Any] = {
        "id": finding.id,
        "name": finding.id,
        "shortDescription": {"text": text},
        "defaultConfiguration": {"level": level(finding)},
        "properties": {
            "tags": ["security", finding.source.value],
            "enforcement": finding.enforcement.value,
            **({"severity": finding.severity.value} if finding.severity else {}),
            **({"security-severity": SECURITY_SEVERITY[finding.severity]} if finding.severity else {}),
        },
    }
    if item:
        rule["fullDescription"] = {"text": title}
        rule["help"] = {"text": item.remediation}
    return rule


def _result(finding: Finding, rule_index: int, where: Locator) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.id,
        "ruleIndex": rule_index,
        "kind": "fail",
        "level": level(finding),
        "message": {"text": _message(finding)},
        "locations": [_location(finding, where)],
        "partialFingerprints": {FINGERPRINT: _fingerprint(finding)},
        "properties": {"status": finding.status.value, "enforcement": finding.enforcement.value},
    }
    if finding.waiver:
        waiver = finding.waiver
        result["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": f"{waiver.reason} (owner {waiver.owner}, until {waiver.expires})",
                "location": {"physicalLocation": _physical(relative_uri(Path(waiver.file)), waiver.line or 1)},
                "properties": {"owner": waiver.owner, "expires": waiver.expires},
            }
        ]
    return result


def _message(finding: Finding) -> str:
    return f"{finding.name}: {finding.reason}" if finding.name else finding.reason


def _location(finding: Finding, where: Locator) -> dict[str, Any]:
    location: dict[str, Any] = {"physicalLocation": where.physical(finding)}
    if finding.resource:
        kind = "resource"
        name = finding.resource.rsplit("::", 1)[-1] if finding.resource.startswith("urn:") else finding.resource
        location["logicalLocations"] = [{"name": name, "fullyQualifiedName": finding.resource, "kind": kind}]
    return location


def _physical(uri: str, line: int) -> dict[str, Any]:
    artifact: dict[str, Any] = {"uri": uri}
    if not uri.startswith("file:"):
        artifact["uriBaseId"] = SRCROOT
    return {"artifactLocation": artifact, "region": {"startLine": max(line, 1)}}


def _fingerprint(finding: Finding) -> str:
    """Stable across runs and line moves: the finding's id, its resource and what it looked at."""
    basis = "\x1f".join((finding.id, finding.resource or "", finding.name or ""))
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:32]


def _invocation(report: Report) -> dict[str, Any]:
    invocation: dict[str, Any] = {"executionSuccessful": True, "exitCode": report.exit_code}
    if report.started_at:
        invocation["startTimeUtc"] = report.started_at.replace("+00:00", "Z")
    return invocation
