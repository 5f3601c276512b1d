"""The checklist verdict of a preview: one row per checklist item."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional, TextIO

from policy.checklist import BY_ID, ITEMS

if TYPE_CHECKING:
    from golive.plan import Leak, Plan
    from golive.program import RunResult
    from settings.model import Settings

STATUSES = ("pass", "fail", "skip")


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


def evaluate(result: "RunResult", settings: "Settings", plan: "Plan") -> list[CheckResult]:
    """Checklist rows from the policy pack (added by the policy pack's wiring)."""
    return []


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
        status = check.status.upper() if check.status == "fail" else check.status
        resource = f"  [{check.resource.split('::')[-1]}]" if check.resource else ""
        print(f"  {check.id:<{width}}  {status:<5} {check.reason}{resource}", file=out)


def _order(check: CheckResult) -> tuple[int, str]:
    ids = list(BY_ID)
    return (ids.index(check.id) if check.id in BY_ID else len(ids), check.status)
