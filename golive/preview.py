"""`python -m golive preview`: what a stack would deploy and whether it may go live.

No cloud account and no Pulumi CLI: the stack file is validated, the real
program runs under Pulumi's mocks, the recorded graph is checked (manifests,
duplicates, leaked secrets, the checklist) and summarised. `--program DIR` does
the same for a user's own Pulumi Python program (golive/project.py reads it).
"""

from __future__ import annotations

import dataclasses
import json
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Optional, TextIO

from golive import checklist as checklist_mod
from golive import locations, outputs, progress, sarif, stack_file_checks, terminal, waivers
from golive.analyzer import PackConfigError
from golive.critical_path import CREATION_SECONDS, DEFAULT_SECONDS, CriticalPath, critical_path, nodes_from
from golive.graph import DOT_SUFFIXES
from golive.manifests import ManifestProblem, validate_manifests
from golive.plan import Plan, build_plan, counts_by_type, find_leaks, redact, secret_texts, tree
from golive.program import PROJECT, ROOT, STACKS_DIR, ProgramError, RunResult, run_program, run_user_program
from golive.project import ProgramSettings, ProjectError, load_program
from golive.results import (
    EXIT_BLOCKED,
    EXIT_OK,
    Enforcement,
    Finding,
    Report,
    Source,
    Status,
    Tool,
    junit_text,
    violation,
)
from golive.stack_kind import StackKind, program_stack_kind
from policy.enforcement import load_config
from settings import files
from settings.errors import SettingsError
from settings.load import Secure, StackConfig, load_stack
from settings.load import stack_file as default_stack_file
from settings.model import Settings

EXIT_READY, EXIT_NOT_READY, EXIT_INVALID = EXIT_OK, EXIT_BLOCKED, 2
MANIFESTS_VALID = "kubernetes-manifests-valid"
NAMES_UNIQUE = "resource-names-unique"
"""The preview's own rules of the graph, beside the checklist: they block in every environment."""
MANDATORY = Enforcement.MANDATORY


@dataclass
class Preview:
    settings: Settings | ProgramSettings  # the kit's stack settings, or what a user's program is judged by
    result: RunResult
    plan: Plan
    manifest_problems: list[ManifestProblem]
    checks: list[Finding]  # the checklist's findings, in checklist order
    critical: CriticalPath
    warnings: list[str] = field(default_factory=list)
    stack_findings: list[Finding] = field(default_factory=list)  # the stack file's secrets provider and ESC imports
    waived: Optional[tuple[Finding, ...]] = None  # every finding once the waivers file is applied
    stack_kind: Optional[StackKind] = None  # a user's program: whether the pack judged it an ObjectOS stack

    def with_waivers(self, recorded: Sequence[waivers.Waiver], today: date) -> Preview:
        """This preview with each violation a live waiver matches `waived`, and the waivers' own findings."""
        held = MANDATORY if self.settings.is_prod else Enforcement.ADVISORY
        found = (*self.checks, *self.stack_findings, *self.graph_findings)
        return dataclasses.replace(
            self, waived=tuple(waivers.apply(found, recorded, self.result.stack, Tool.PREVIEW, today, held))
        )

    @property
    def manifest_failures(self) -> list[ManifestProblem]:
        return [p for p in self.manifest_problems if not p.skipped]

    @property
    def mandatory_failures(self) -> list[Finding]:
        return [c for c in self.checks if c.blocking]

    @property
    def graph_findings(self) -> list[Finding]:
        return graph_findings(self.manifest_problems, self.result.duplicate_urns, self.settings.kubernetes.version)

    @property
    def headline(self) -> str:
        s = self.settings
        if isinstance(s, ProgramSettings):
            return s.headline()
        return f"Stack {self.result.stack}: environment {s.environment}, edge {s.edge.mode}, domain {s.domain}"

    @property
    def report(self) -> Report:
        """Every finding of the preview; its verdict and exit code are the preview's."""
        found = self.waived if self.waived is not None else (*self.checks, *self.stack_findings, *self.graph_findings)
        return Report("preview", self.result.stack, found, environment=self.settings.environment)

    @property
    def exit_code(self) -> int:
        return self.report.exit_code

    def to_json(self) -> dict[str, Any]:
        """What `--json` writes: the report (verdict, exit code, counts, findings) and the plan's graph."""
        return {**self.report.to_json(), **self.plan.to_json()}


def graph_findings(problems: list[ManifestProblem], duplicate_urns: list[str], version: str) -> list[Finding]:
    """Findings of the manifest validation and the resource-name check (always mandatory)."""
    found = [
        Finding(
            MANIFESTS_VALID,
            Status.NOT_JUDGED if problem.skipped else Status.FAIL,
            MANDATORY,
            problem.message,
            name=f"{problem.kind}/{problem.name}",
            resource=problem.urn,
            source=Source.PLAN,
        )
        for problem in problems
    ]
    if not any(f.blocking for f in found):
        found.append(
            Finding(
                MANIFESTS_VALID, Status.PASS, MANDATORY, f"valid for Kubernetes {version} (strict)", source=Source.PLAN
            )
        )
    found += [
        violation(
            NAMES_UNIQUE,
            MANDATORY,
            "two resources share this URN; give each resource a unique name",
            resource=urn,
            source=Source.PLAN,
        )
        for urn in duplicate_urns
    ]
    if not duplicate_urns:
        found.append(Finding(NAMES_UNIQUE, Status.PASS, MANDATORY, "every resource URN is unique", source=Source.PLAN))
    return found


def config_secrets(config: StackConfig) -> list[str]:
    """Plaintexts of the config's secret values (placeholders offline, real values under tests)."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, Secure):
            found.append(str(value.value))
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(config.values)
    return found


def run_preview(config: StackConfig, settings: Settings, program: Path = ROOT / "__main__.py") -> Preview:
    engine_config, secret_keys = config.engine_config()
    checklist_mod.start_pack()  # the policy pack boots while the program runs
    progress.step(f"running the program under Pulumi's mocks ({program.name})")
    result = run_program(config.stack, engine_config, secret_keys, program)
    return judge(result, config, settings)


def preview_program(directory: Path, stack: Optional[str] = None, pack_config_path: Optional[Path] = None) -> Preview:
    """`golive preview --program DIR`: a user's own program under the same mocks and the same pack."""
    user = load_program(directory, stack, pack_config_path)
    checklist_mod.start_pack()
    result = run_user_program(user)
    try:
        return judge(result, user.config, ProgramSettings(user), user.pack_config, user.project)
    except PackConfigError as exc:
        given = "--policy-pack-config " if pack_config_path is not None else ""
        raise ProjectError(f"{given}{user.pack_config_source}: {exc}") from None


def judge(
    result: RunResult,
    config: StackConfig,
    settings: Settings | ProgramSettings,
    pack_config: Optional[dict[str, Any]] = None,
    project: str = PROJECT,
    submit: Optional[Callable[..., checklist_mod.PendingChecks]] = None,
) -> Preview:
    """Check the recorded graph: the pack's checklist, manifests, names, leaked secrets, the critical path.

    `submit` sends the graph to the pack (default: this process's pack; a fleet worker asks its parent's)."""
    progress.step(f"the policy pack judges {len(result.resources)} resources")
    send = submit or checklist_mod.submit
    pending = send(result, settings, pack_config, project)  # analyses while manifests are checked
    secrets = secret_texts(result, config_secrets(config))
    plan = build_plan(result, secrets)
    progress.step(f"validating the Kubernetes manifests against {settings.kubernetes.version} (strict)")
    problems = validate_manifests(result.resources, settings.kubernetes.version)
    checks = checklist_mod.combine(pending.rows(), checklist_mod.leak_checks(find_leaks(result, secrets), settings))
    checks = checklist_mod.ordered(checks)
    # A program may log a value it holds as secret; the summary prints warnings verbatim.
    warnings = [redact(text, secrets) for severity, text in result.messages if severity == "warning"]
    critical = critical_path(nodes_from(result.resources))
    stack_findings = stack_file_checks.findings(config, settings.is_prod)
    kind = None
    if isinstance(settings, ProgramSettings):
        judged_by = load_config(settings.environment) if pack_config is None else pack_config
        kind = program_stack_kind(result.resources, judged_by)
    return Preview(settings, result, plan, problems, checks, critical, warnings, stack_findings, stack_kind=kind)


def preview_stack(stack: str, stack_file: Optional[Path] = None) -> Preview:
    config, settings = load_stack(stack, STACKS_DIR, stack_file)
    return run_preview(config, settings)


# --- printing ---------------------------------------------------------------------


def verdict_line(preview: Preview) -> str:
    """'Verdict: READY to go live (prod: checklist mandatory); 18 pass, 1 not judged'."""
    report, s = preview.report, preview.settings
    if report.passed:
        mode = "prod: checklist mandatory" if s.is_prod else "advisory outside prod"
        return f"Verdict: {report.verdict} to go live ({mode}); {report.summary()}"
    blocked = Counter(
        f.rule if f.rule in (MANIFESTS_VALID, NAMES_UNIQUE, *waivers.RULES, *stack_file_checks.RULES) else "checklist"
        for f in report.blocking
    )
    reasons = [
        f"{sum(blocked[g] for g in group)} {what}"
        for group, what in (
            (("checklist",), "mandatory checklist failure(s)"),
            ((MANIFESTS_VALID,), "invalid manifest(s)"),
            ((NAMES_UNIQUE,), "duplicate resource name(s)"),
            (waivers.RULES, "expired or unused waiver(s)"),
            (stack_file_checks.RULES, "stack file problem(s)"),
        )
        if any(blocked[g] for g in group)
    ]
    return f"Verdict: {report.verdict}: {', '.join(reasons)}; {report.summary()}"


def print_summary(preview: Preview, out: TextIO = sys.stdout, verbosity: int = terminal.NORMAL) -> None:
    """The verdict and its counts first, then the checklist, then the details (`verbosity` says how many)."""
    s, result, report = preview.settings, preview.result, preview.report
    printer = terminal.Printer(out, verbosity)
    say = printer.line
    printer.verdict(verdict_line(preview), report.passed)
    rows = [f for f in report.findings if f.rule not in (MANIFESTS_VALID, NAMES_UNIQUE)]
    if verbosity == terminal.QUIET:
        checklist_mod.print_rows([f for f in rows if f.status in (Status.FAIL, Status.WARN)], printer)
        print_graph_problems(report, printer, blocking_only=True)
        return
    custom = [r for r in result.resources if r.custom]
    say(preview.headline)
    if preview.stack_kind is not None:
        say(preview.stack_kind.line())
    say(f"{len(custom)} resources in {len(result.resources) - len(custom)} components")
    say()
    checklist_mod.print_table(rows, s, printer)
    say()
    manifests = sum(1 for r in result.resources if r.custom and r.type.startswith("kubernetes:"))
    say(f"Kubernetes manifests: {manifests} checked against {s.kubernetes.version} (strict)")
    print_graph_problems(report, printer)
    for warning in preview.warnings:
        say(f"warning: {warning}", "yellow")
    say()
    print_critical_path(preview, say)
    if verbosity < terminal.VERBOSE:
        say()
        say("--verbose adds the resource tree and the resources by type", "dim")
        return
    say()
    say("Resource tree")
    for depth, registration in tree(result):
        flags = [
            f for f, on in (("protected", registration.protect), ("retained", registration.retain_on_delete)) if on
        ]
        suffix = f"  [{', '.join(flags)}]" if flags else ""
        say(f"{'  ' * (depth + 1)}{registration.name} ({registration.type}){suffix}")
    say()
    say("Resources by type")
    for type_, count in counts_by_type(result):
        say(f"  {count:4d}  {type_}")


def print_graph_problems(report: Report, printer: terminal.Printer, blocking_only: bool = False) -> None:
    for finding in report.findings:
        if blocking_only and not finding.blocking:
            continue
        if finding.rule == MANIFESTS_VALID and finding.status not in (Status.PASS, Status.WAIVED):
            label = "INVALID" if finding.blocking else "not validated"
            printer.line(f"  {label}: {finding.name}: {finding.reason}", "red" if finding.blocking else "dim")
        elif finding.rule == NAMES_UNIQUE and finding.blocking:
            printer.line(f"  DUPLICATE resource name: {finding.resource}", "red")


def print_critical_path(preview: Preview, say: Callable[..., None]) -> None:
    path = preview.critical
    by_urn = preview.result.by_urn
    say(
        f"Deploy critical path of a fresh `pulumi up`: about {path.seconds / 60:.1f} min "
        f"({path.ratio:.2f}x the slowest resource on it)"
    )
    for urn in path.urns:
        r = by_urn[urn]
        seconds, _ = CREATION_SECONDS.get(r.type, DEFAULT_SECONDS)
        say(f"  {seconds:6.0f} s  {r.name} ({r.type})")


def terraform_plan_text(preview: Preview) -> str:
    """The recorded graph as `terraform show -json` writes a plan, for checkov and trivy."""
    from golive.terraform_plan import terraform_plan

    plan = terraform_plan(preview.result.resources, secret_texts(preview.result))
    return json.dumps(plan, indent=2) + "\n"


def shown_path(path: Path) -> str:
    """`path` as a person typed it: relative to the working directory when inside it."""
    uri = sarif.relative_uri(path)
    return str(path) if uri.startswith("file:") else uri


def sarif_locator(stack: str, stack_path: Optional[Path]) -> sarif.Locator:
    """Where the SARIF results point: the stack file, with the line of each config key."""
    path = stack_path or default_stack_file(stack, STACKS_DIR)
    try:
        return sarif.locator(path, locations.marks(files.read_text(path).text, path))
    except files.InputFileError:  # it was read a moment ago; point at its top if it changed since
        return sarif.Locator(sarif.relative_uri(path))


def _input_files(
    stack: Optional[str],
    stack_file: Optional[Path],
    program: Optional[Path],
    pack_config: Optional[Path],
    waivers_path: Optional[Path],
) -> list[Optional[Path]]:
    """The files a preview reads, which no report may overwrite."""
    if program is not None:
        location = program / (f"Pulumi.{stack}.yaml" if stack else "Pulumi.yaml")
        read = [program / "Pulumi.yaml", location, pack_config, *sorted(program.glob("*.py"))]
    else:
        location = stack_file or default_stack_file(stack, STACKS_DIR)
        read = [location]
    return [*read, waivers_path or waivers.default_path(location.parent)]


def main(
    stack: Optional[str],
    stack_file: Optional[Path],
    json_path: Optional[Path],
    out: Optional[TextIO] = None,
    graph_path: Optional[Path] = None,
    graph_detail: str = "resources",
    junit_path: Optional[Path] = None,
    program: Optional[Path] = None,
    pack_config_path: Optional[Path] = None,
    sarif_path: Optional[Path] = None,
    waivers_path: Optional[Path] = None,
    verbosity: int = terminal.NORMAL,
    terraform_plan_path: Optional[Path] = None,
    err: Optional[TextIO] = None,
    today: Optional[date] = None,
) -> int:
    stdout = out or sys.stdout  # looked up per call, so a redirected stdout is honoured
    stderr = err or sys.stderr
    targets = (
        ("--json", json_path),
        ("--junit", junit_path),
        ("--sarif", sarif_path),
        ("--graph", graph_path),
        ("--terraform-plan", terraform_plan_path),
    )
    read = _input_files(stack, stack_file, program, pack_config_path, waivers_path)
    refused = outputs.check(targets, read)
    if refused:
        print(f"golive preview: error: {refused}", file=stderr)
        return EXIT_INVALID
    # With a document on stdout, the summary goes to stderr so stdout can be parsed.
    out = stderr if any(outputs.is_stdout(path) for _, path in targets) else stdout
    if graph_path is not None and graph_detail == "components" and graph_path.suffix in DOT_SUFFIXES:
        print(
            f"--graph {graph_path}: --graph-detail components is drawn as Mermaid only; "
            "give a .mmd path, or leave out --graph-detail for DOT",
            file=stderr,
        )
        return EXIT_INVALID
    today = today or datetime.now(UTC).date()
    if program is not None:  # a user's program: its own folder holds its stack files (and any waivers)
        location = program / (f"Pulumi.{stack}.yaml" if stack else "Pulumi.yaml")
    else:
        location = stack_file or default_stack_file(stack, STACKS_DIR)
    try:
        recorded = waivers.load(waivers_path or waivers.default_path(location.parent), today, waivers_path is not None)
    except waivers.WaiverFileError as exc:
        print(f"golive preview: error: {files.clip_lines(str(exc))}", file=stderr)
        return EXIT_INVALID
    progress.step(f"reading {shown_path(location)}")
    try:
        if program is not None:
            preview = preview_program(program, stack, pack_config_path)
        else:
            preview = preview_stack(stack, stack_file)
    except ProjectError as exc:
        print(f"golive preview: error: {files.clip_lines(str(exc))}", file=sys.stderr)
        return EXIT_INVALID
    except SettingsError as exc:
        print(files.clip_lines(str(exc)), file=stderr)  # a huge value stays a short line
        return EXIT_INVALID
    except ProgramError as exc:
        print(f"the program stopped: {files.clip_lines(str(exc))}", file=stderr)
        return EXIT_INVALID
    preview = preview.with_waivers(recorded, today)
    print_summary(preview, out, verbosity)
    say = terminal.Printer(out).line if verbosity > terminal.QUIET else (lambda *_: None)
    documents = (
        ("--json", json_path, "plan", lambda: json.dumps(preview.to_json(), indent=2, sort_keys=False) + "\n"),
        ("--junit", junit_path, "JUnit report", lambda: junit_text(preview.report)),
        (
            "--sarif",
            sarif_path,
            "SARIF log",
            lambda: sarif.sarif_text(preview.report, sarif_locator(stack, stack_file if program is None else location)),
        ),
        ("--terraform-plan", terraform_plan_path, "Terraform plan", lambda: terraform_plan_text(preview)),
    )
    for option, path, what, render in documents:
        if path is None:
            continue
        try:
            outputs.write(path, render(), stdout)
        except OSError as exc:
            print(
                f"{option} {path}: cannot write the {what} ({exc.strerror or exc}); choose a writable path",
                file=stderr,
            )
            return EXIT_INVALID
        if not outputs.is_stdout(path):
            say(f"{what} written to {path}")
    if graph_path is not None:
        from golive.graph import write_graph

        try:
            kind = write_graph(preview.result, preview.critical, graph_path, graph_detail, stdout)
        except OSError as exc:
            reason = exc.strerror or exc
            print(f"--graph {graph_path}: cannot write the graph ({reason}); choose a writable path", file=stderr)
            return EXIT_INVALID
        if not outputs.is_stdout(graph_path):
            say(f"{kind} graph written to {graph_path}")
    return preview.exit_code
