"""The checklist findings of a preview, from the policy pack run over the analyzer protocol.

A passing finding per item without violation, a `fail` (mandatory) or `warn`
(advisory) finding per violation with the resource at fault, and `not_judged`
findings for what only the live verifier can judge.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, Optional, TextIO, Union

from golive import analyzer
from golive.program import PROJECT
from golive.results import LABEL_WIDTH, Enforcement, Finding, Source, Status, violation
from golive.terminal import STATUS_STYLES, Printer
from objectos_core.checklist import BY_ID, ITEMS, LIVE_ONLY
from policy.enforcement import NOT_JUDGED, UNKNOWN_NEEDED, load_config

if TYPE_CHECKING:
    from golive.plan import Leak
    from golive.project import ProgramSettings
    from settings.model import Settings
    from testing.runner import RunResult

_CANNOT_RUN = "can't run policy"  # the policy SDK's note when a value is unknown during preview
MANDATORY, ADVISORY = Enforcement.MANDATORY, Enforcement.ADVISORY


def _held(mandatory: bool) -> Enforcement:
    return MANDATORY if mandatory else ADVISORY


def start_pack() -> None:
    """Boot the policy pack now so it is ready when the program has run."""
    analyzer.shared_pack()


def evaluate(result: RunResult, settings: Settings) -> list[Finding]:
    """Checklist findings from the policy pack, run over the analyzer protocol on the recorded graph.

    One passing finding per item with no violation, one per violation; items only
    the live verifier can judge are not judged. A pack that cannot run fails every item.
    """
    return submit(result, settings).rows()


class PendingChecks:
    """The pack's analysis of one preview, in flight."""

    def __init__(
        self,
        settings: Settings,
        levels: dict[str, str],
        pending: Optional[analyzer.Pending] = None,
        error: str = "",
        severities: Optional[dict[str, str]] = None,
    ):
        self.settings, self.levels, self.pending, self.error = settings, levels, pending, error
        self.severities = severities or {}

    def rows(self) -> list[Finding]:
        diagnostics = []
        if not self.error:
            try:
                diagnostics = self.pending.result()
            except analyzer.AnalyzerError as exc:
                self.error = str(exc)
        if self.error:
            return [
                violation(item.id, _held(self.settings.is_prod), f"the policy pack did not run: {self.error}")
                for item in ITEMS
                if item.id not in LIVE_ONLY
            ] + _live_only(self.settings)
        return rows(diagnostics, self.levels, self.settings.is_prod, self.severities) + _live_only(self.settings)


def submit(
    result: RunResult,
    settings: Settings | ProgramSettings,
    pack_config: Optional[dict[str, Any]] = None,
    project: str = PROJECT,
) -> PendingChecks:
    """Configure the pack for the stack's environment (or with `pack_config`) and send it the graph;
    collect with `.rows()`."""
    pack = analyzer.shared_pack()
    config = load_config(settings.environment) if pack_config is None else pack_config
    try:
        with pack.lock:
            info = pack.info()
            levels = pack.configure(config, info.policies)
            pack.configure_stack(result.stack, project, {"objectos:environment": settings.environment})
            pending = pack.submit(result.resources)
    except analyzer.AnalyzerError as exc:
        if pack_config is not None and isinstance(exc, analyzer.PackConfigError):
            raise  # a config the caller chose: its mistake is a usage error, not every row failing
        return PendingChecks(settings, {}, error=str(exc))
    return PendingChecks(settings, levels, pending, severities={p.name: p.severity for p in info.policies})


def rows(
    diagnostics: list[analyzer.Diagnostic],
    levels: dict[str, str],
    strict: bool,
    severities: Optional[dict[str, str]] = None,
) -> list[Finding]:
    """Checklist findings from the pack's diagnostics and each policy's configured enforcement level.

    A violation is `fail` under a mandatory policy and `warn` under an advisory one.
    `strict` (prod) makes every item the pack should have judged but did not (no policy,
    disabled, or a policy that could not run) a mandatory failure: prod goes live on
    verdicts, and only the live-only items are left to the verifier.
    """
    by_policy: dict[str, list[analyzer.Diagnostic]] = {}
    for diagnostic in diagnostics:
        by_policy.setdefault(diagnostic.policy, []).append(diagnostic)
    severities = severities or {}
    found: list[Finding] = []
    for item in ITEMS:
        if item.id in LIVE_ONLY:
            continue
        severity = severities.get(item.id) or None
        level = levels.get(item.id)
        if level is None:
            found.append(violation(item.id, _held(strict), "the policy pack has no policy for this item"))
            continue
        if level == "disabled":
            reason = "disabled in the policy pack config"
            if strict:
                found.append(violation(item.id, MANDATORY, f"{reason}; prod needs a verdict", severity=severity))
            else:
                found.append(Finding(item.id, Status.NOT_JUDGED, ADVISORY, reason, severity=severity))
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
                held = _held(d.enforcement == "mandatory")
                urn = d.urn or None
                found.append(violation(item.id, held, d.message, resource=urn, severity=d.severity or severity))
        unjudged = _unknown(unknown)
        if not violations:
            held = _held(level == "mandatory")
            if unknown and strict:
                reason = f"not judged, and prod needs a verdict: {unjudged}"
                found.append(violation(item.id, MANDATORY, reason, resource=unknown[0].urn or None, severity=severity))
            elif unknown:
                found.append(Finding(item.id, Status.NOT_JUDGED, held, unjudged, severity=severity))
            else:
                reason = f"{item.title} ({note})" if note else item.title
                found.append(Finding(item.id, Status.PASS, held, reason, severity=severity))
        else:  # shown beside the violations: what the policy could not judge yet
            for reason in (unjudged, note):
                if reason:
                    held = _held(level == "mandatory")
                    found.append(Finding(item.id, Status.NOT_JUDGED, held, reason, severity=severity))
    return found


def _unknown(unknown: list[analyzer.Diagnostic], shown: int = 6) -> str:
    """What a policy needed but could not know: the values its notes name, or the SDK's reason."""
    if not unknown:
        return ""
    names: list[str] = []
    for d in unknown:
        if UNKNOWN_NEEDED not in d.message:
            return d.message  # the SDK could not run the policy at all
        names += [n for n in d.message.split(UNKNOWN_NEEDED, 1)[1].split(", ") if n not in names]
    more = f", and {len(names) - shown} more" if len(names) > shown else ""
    return f"not judged: {len(names)} value(s) it needs are unknown until deploy: {', '.join(names[:shown])}{more}"


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


def combine(*groups: list[Finding]) -> list[Finding]:
    """All findings, minus the passing one of any item another check found violated."""
    checks = [check for group in groups for check in group]
    violated = {c.rule for c in checks if c.status in (Status.FAIL, Status.WARN)}
    return [c for c in checks if not (c.status is Status.PASS and c.rule in violated)]


def _live_only(settings: Settings) -> list[Finding]:
    return [
        Finding(check_id, Status.NOT_JUDGED, _held(settings.is_prod), reason, source=Source.VERIFY)
        for check_id, reason in LIVE_ONLY.items()
    ]


def leak_checks(leaks: list[Leak], settings: Settings) -> list[Finding]:
    """A secret's plaintext outside a secret value is a baked secret."""
    return [
        violation(
            "no-baked-secrets",
            _held(settings.is_prod),
            f"a secret's plaintext appears unmarked at {leak.path}; pass it as a Pulumi secret or by reference",
            resource=leak.urn,
            source=Source.PLAN,
        )
        for leak in leaks
    ]


def ordered(checks: list[Finding]) -> list[Finding]:
    """Checklist order, and within an item violations before the rest."""
    return sorted(checks, key=_order)


def print_table(checks: list[Finding], settings: Settings, out: Union[TextIO, Printer] = sys.stdout) -> None:
    printer = out if isinstance(out, Printer) else Printer(out)
    mode = "mandatory" if settings.is_prod else "advisory"
    printer.line(f"Go-live checklist ({mode} for {settings.environment})")
    if not checks:
        printer.line("  (no checklist results)")
        return
    print_rows(checks, printer)


def print_rows(checks: list[Finding], printer: Printer) -> None:
    """One row per finding, in checklist order: `  <id>  <STATUS> <reason>  [<resource name>]`."""
    width = max((len(item.id) for item in ITEMS), default=0)
    for check in ordered(checks):
        resource = f"  [{check.resource.split('::')[-1]}]" if check.resource else ""
        waiver = (
            f" (waived until {check.waiver.expires} by {check.waiver.owner}: {check.waiver.reason})"
            if check.waiver
            else ""
        )
        printer.parts(
            (f"  {check.rule:<{width}}  ", None),
            (f"{check.status.label:<{LABEL_WIDTH}}", STATUS_STYLES[check.status]),
            (f" {check.reason}{resource}{waiver}", None),
        )


_POSITION = {check_id: index for index, check_id in enumerate(BY_ID)}
_STATUS_ORDER = {
    status: index
    for index, status in enumerate((Status.FAIL, Status.WARN, Status.WAIVED, Status.PASS, Status.NOT_JUDGED))
}


def _order(check: Finding) -> tuple[int, int]:
    return (_POSITION.get(check.rule, len(_POSITION)), _STATUS_ORDER[check.status])
