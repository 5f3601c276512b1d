"""The checklist verdict of a preview, from the policy pack run over the analyzer protocol.

A passing row per item without violation, a failing row per violation (with the
resource at fault), and skipped rows for what only the live verifier can judge.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional, TextIO

from golive import analyzer
from golive.program import PROJECT
from objectos_core.checklist import BY_ID, ITEMS
from policy.enforcement import LIVE_ONLY, NOT_JUDGED, load_config

if TYPE_CHECKING:
    from golive.plan import Leak
    from golive.program import RunResult
    from settings.model import Settings

STATUSES = ("pass", "fail", "skip")
_CANNOT_RUN = "can't run policy"  # the policy SDK's note when a value is unknown during preview


@dataclass(frozen=True)
class CheckResult:
    id: str
    status: str  # pass | fail | skip
    mandatory: bool
    reason: str
    resource: Optional[str] = None  # URN, when one resource is at fault
    source: str = "policy"

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "status": self.status,
            "mandatory": self.mandatory,
            "reason": self.reason,
            "resource": self.resource,
            "source": self.source,
        }


def start_pack() -> None:
    """Boot the policy pack now so it is ready when the program has run."""
    analyzer.shared_pack()


def evaluate(result: "RunResult", settings: "Settings") -> list[CheckResult]:
    """Checklist rows from the policy pack, run over the analyzer protocol on the recorded graph.

    One passing row per item with no violation, one failing row per violation; items
    only the live verifier can judge are skipped. A pack that cannot run fails every item.
    """
    return submit(result, settings).rows()


class PendingChecks:
    """The pack's analysis of one preview, in flight."""

    def __init__(
        self,
        settings: "Settings",
        levels: dict[str, str],
        pending: Optional[analyzer.Pending] = None,
        error: str = "",
    ):
        self.settings, self.levels, self.pending, self.error = settings, levels, pending, error

    def rows(self) -> list[CheckResult]:
        diagnostics = []
        if not self.error:
            try:
                diagnostics = self.pending.result()
            except analyzer.AnalyzerError as exc:
                self.error = str(exc)
        if self.error:
            return [
                CheckResult(item.id, "fail", self.settings.is_prod, f"the policy pack did not run: {self.error}")
                for item in ITEMS
                if item.id not in LIVE_ONLY
            ] + _live_only(self.settings)
        return rows(diagnostics, self.levels, self.settings.is_prod) + _live_only(self.settings)


def submit(result: "RunResult", settings: "Settings") -> PendingChecks:
    """Configure the pack for the stack's environment and send it the graph; collect with `.rows()`."""
    pack = analyzer.shared_pack()
    try:
        with pack.lock:
            info = pack.info()
            levels = pack.configure(load_config(settings.environment), info.policies)
            pack.configure_stack(result.stack, PROJECT, {"objectos:environment": settings.environment})
            pending = pack.submit(result.resources)
    except analyzer.AnalyzerError as exc:
        return PendingChecks(settings, {}, error=str(exc))
    return PendingChecks(settings, levels, pending)


def rows(diagnostics: list[analyzer.Diagnostic], levels: dict[str, str], strict: bool) -> list[CheckResult]:
    """Checklist rows from the pack's diagnostics and each policy's configured enforcement level.

    `strict` (prod) makes every item the pack should have judged but did not (no policy,
    disabled, or a policy that could not run) a mandatory failure: prod goes live on
    verdicts, and only the live-only items are left to the verifier.
    """
    by_policy: dict[str, list[analyzer.Diagnostic]] = {}
    for diagnostic in diagnostics:
        by_policy.setdefault(diagnostic.policy, []).append(diagnostic)
    found: list[CheckResult] = []
    for item in ITEMS:
        if item.id in LIVE_ONLY:
            continue
        level = levels.get(item.id)
        if level is None:
            found.append(CheckResult(item.id, "fail", strict, "the policy pack has no policy for this item"))
            continue
        if level == "disabled":
            reason = "disabled in the policy pack config"
            if strict:
                found.append(CheckResult(item.id, "fail", True, f"{reason}; prod needs a verdict"))
            else:
                found.append(CheckResult(item.id, "skip", False, reason))
            continue
        violations, unknown, notes = [], [], []
        for d in by_policy.get(item.id, []):
            if d.message.startswith(_CANNOT_RUN):
                (notes if NOT_JUDGED in d.message else unknown).append(d)
            else:
                violations.append(d)
        note = _note(notes)
        seen: set[tuple[str, str]] = set()
        for d in violations:
            if (d.message, d.urn) not in seen:
                seen.add((d.message, d.urn))
                found.append(CheckResult(item.id, "fail", d.enforcement == "mandatory", d.message, d.urn or None))
        if not violations:
            if unknown and strict:
                reason = f"not judged, and prod needs a verdict: {unknown[0].message}"
                found.append(CheckResult(item.id, "fail", True, reason, unknown[0].urn or None))
            elif unknown:
                found.append(CheckResult(item.id, "skip", level == "mandatory", unknown[0].message))
            else:
                reason = f"{item.title} ({note})" if note else item.title
                found.append(CheckResult(item.id, "pass", level == "mandatory", reason))
        elif note:  # shown beside the failures: what the policy could not judge yet
            found.append(CheckResult(item.id, "skip", False, note))
    return found


def _note(notes: list[analyzer.Diagnostic], shown: int = 6) -> str:
    """A policy's note of what it judged no verdict on (it judged every known value): never a failure."""
    parts = []
    for d in notes:
        detail = d.message.split(NOT_JUDGED, 1)[1]
        for part in detail.split("; "):
            head, _, listed = part.partition(": ")
            names = listed.split(", ") if listed else []
            more = f", and {len(names) - shown} more" if len(names) > shown else ""
            parts.append(f"{head}: {', '.join(names[:shown])}{more}" if names else head)
    return "not judged: " + "; ".join(parts) if parts else ""


def combine(*groups: list[CheckResult]) -> list[CheckResult]:
    """All rows, minus the passing row of any item another check failed."""
    checks = [check for group in groups for check in group]
    failed = {c.id for c in checks if c.status == "fail"}
    return [c for c in checks if not (c.status == "pass" and c.id in failed)]


def _live_only(settings: "Settings") -> list[CheckResult]:
    return [CheckResult(check_id, "skip", settings.is_prod, reason, source="live") for check_id, reason in LIVE_ONLY.items()]


def leak_checks(leaks: list["Leak"], settings: "Settings") -> list[CheckResult]:
    """A secret's plaintext outside a secret value is a baked secret."""
    return [
        CheckResult(
            "no-baked-secrets",
            "fail",
            settings.is_prod,
            f"a secret's plaintext appears unmarked at {leak.path}; pass it as a Pulumi secret or by reference",
            leak.urn,
            source="preview",
        )
        for leak in leaks
    ]


def print_table(checks: list[CheckResult], settings: "Settings", out: TextIO = sys.stdout) -> None:
    mode = "mandatory" if settings.is_prod else "advisory"
    print(f"Go-live checklist ({mode} for {settings.environment})", file=out)
    if not checks:
        print("  (no checklist results)", file=out)
        return
    width = max(len(item.id) for item in ITEMS)
    for check in sorted(checks, key=_order):
        status = check.status
        if status == "fail":
            status = "FAIL" if check.mandatory else "WARN"  # an advisory failure does not block
        resource = f"  [{check.resource.split('::')[-1]}]" if check.resource else ""
        print(f"  {check.id:<{width}}  {status:<5} {check.reason}{resource}", file=out)


_POSITION = {check_id: index for index, check_id in enumerate(BY_ID)}


def _order(check: CheckResult) -> tuple[int, str]:
    return (_POSITION.get(check.id, len(_POSITION)), check.status)
