"""`python -m golive preview`: what a stack would deploy and whether it may go live.

No cloud account and no Pulumi CLI: the stack file is validated, the real
program runs under Pulumi's mocks, the recorded graph is checked (manifests,
duplicates, leaked secrets, the checklist) and summarised.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional, TextIO

from golive import checklist as checklist_mod
from golive.critical_path import CREATION_SECONDS, DEFAULT_SECONDS, CriticalPath, critical_path, nodes_from
from golive.graph import DOT_SUFFIXES
from golive.manifests import ManifestProblem, validate_manifests
from golive.plan import Plan, build_plan, counts_by_type, find_leaks, redact, secret_texts, tree
from golive.program import ROOT, STACKS_DIR, ProgramError, RunResult, run_program
from settings.errors import SettingsError
from settings.load import Secure, StackConfig, load_stack
from settings.model import Settings

EXIT_READY, EXIT_NOT_READY, EXIT_INVALID = 0, 1, 2


@dataclass
class Preview:
    settings: Settings
    result: RunResult
    plan: Plan
    manifest_problems: list[ManifestProblem]
    checks: list[checklist_mod.CheckResult]
    critical: CriticalPath
    warnings: list[str] = field(default_factory=list)

    @property
    def manifest_failures(self) -> list[ManifestProblem]:
        return [p for p in self.manifest_problems if not p.skipped]

    @property
    def mandatory_failures(self) -> list[checklist_mod.CheckResult]:
        return [c for c in self.checks if c.status == "fail" and c.mandatory]

    @property
    def exit_code(self) -> int:
        blocked = self.mandatory_failures or self.manifest_failures or self.result.duplicate_urns
        return EXIT_NOT_READY if blocked else EXIT_READY


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
    result = run_program(config.stack, engine_config, secret_keys, program)
    pending = checklist_mod.submit(result, settings)  # and analyses while the manifests are checked
    secrets = secret_texts(result, config_secrets(config))
    plan = build_plan(result, secrets)
    problems = validate_manifests(result.resources, settings.kubernetes.version)
    checks = checklist_mod.combine(pending.rows(), checklist_mod.leak_checks(find_leaks(result, secrets), settings))
    plan.checklist = [c.to_json() for c in checks]
    # A program may log a value it holds as secret; the summary prints warnings verbatim.
    warnings = [redact(text, secrets) for severity, text in result.messages if severity == "warning"]
    critical = critical_path(nodes_from(result.resources))
    return Preview(settings, result, plan, problems, checks, critical, warnings)


def preview_stack(stack: str, stack_file: Optional[Path] = None) -> Preview:
    config, settings = load_stack(stack, STACKS_DIR, stack_file)
    return run_preview(config, settings)


# --- printing ---------------------------------------------------------------------


def print_summary(preview: Preview, out: TextIO = sys.stdout) -> None:
    s, result = preview.settings, preview.result
    custom = [r for r in result.resources if r.custom]
    say: Callable[[str], None] = lambda line="": print(line, file=out)  # noqa: E731
    say(f"Stack {result.stack}: environment {s.environment}, edge {s.edge.mode}, domain {s.domain}")
    say(f"{len(custom)} resources in {len(result.resources) - len(custom)} components")
    say()
    say("Resource tree")
    for depth, registration in tree(result):
        flags = [f for f, on in (("protected", registration.protect), ("retained", registration.retain_on_delete)) if on]
        suffix = f"  [{', '.join(flags)}]" if flags else ""
        say(f"{'  ' * (depth + 1)}{registration.name} ({registration.type}){suffix}")
    say()
    say("Resources by type")
    for type_, count in counts_by_type(result):
        say(f"  {count:4d}  {type_}")
    say()
    manifests = sum(1 for r in result.resources if r.custom and r.type.startswith("kubernetes:"))
    say(f"Kubernetes manifests: {manifests} checked against {s.kubernetes.version} (strict)")
    for problem in preview.manifest_problems:
        label = "skipped" if problem.skipped else "INVALID"
        say(f"  {label}: {problem.kind}/{problem.name}: {problem.message}")
    for urn in result.duplicate_urns:
        say(f"  DUPLICATE resource name: {urn}")
    for warning in preview.warnings:
        say(f"warning: {warning}")
    say()
    print_critical_path(preview, say)
    say()
    checklist_mod.print_table(preview.checks, s, out)
    say()
    if preview.exit_code == EXIT_READY:
        say(f"Verdict: READY to go live ({'prod: checklist mandatory' if s.is_prod else 'advisory outside prod'})")
    else:
        reasons = []
        if preview.mandatory_failures:
            reasons.append(f"{len(preview.mandatory_failures)} mandatory checklist failure(s)")
        if preview.manifest_failures:
            reasons.append(f"{len(preview.manifest_failures)} invalid manifest(s)")
        if result.duplicate_urns:
            reasons.append(f"{len(result.duplicate_urns)} duplicate resource name(s)")
        say(f"Verdict: NOT READY: {', '.join(reasons)}")


def print_critical_path(preview: Preview, say: Callable[[str], None]) -> None:
    path = preview.critical
    by_urn = preview.result.by_urn
    say(f"Deploy critical path of a fresh `pulumi up`: about {path.seconds / 60:.1f} min "
        f"({path.ratio:.2f}x the slowest resource on it)")
    for urn in path.urns:
        r = by_urn[urn]
        seconds, _ = CREATION_SECONDS.get(r.type, DEFAULT_SECONDS)
        say(f"  {seconds:6.0f} s  {r.name} ({r.type})")


def main(
    stack: str,
    stack_file: Optional[Path],
    json_path: Optional[Path],
    out: Optional[TextIO] = None,
    graph_path: Optional[Path] = None,
    graph_detail: str = "resources",
) -> int:
    out = out or sys.stdout  # looked up per call, so a redirected stdout is honoured
    if graph_path is not None and graph_detail == "components" and graph_path.suffix in DOT_SUFFIXES:
        print(
            f"--graph {graph_path}: --graph-detail components is drawn as Mermaid only; "
            "give a .mmd path, or leave out --graph-detail for DOT",
            file=sys.stderr,
        )
        return EXIT_INVALID
    try:
        preview = preview_stack(stack, stack_file)
    except SettingsError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_INVALID
    except ProgramError as exc:
        print(f"the program stopped: {exc}", file=sys.stderr)
        return EXIT_INVALID
    print_summary(preview, out)
    if json_path is not None:
        try:
            json_path.parent.mkdir(parents=True, exist_ok=True)
            json_path.write_text(json.dumps(preview.plan.to_json(), indent=2, sort_keys=False) + "\n", encoding="utf-8")
        except OSError as exc:
            print(f"--json {json_path}: cannot write the plan ({exc.strerror or exc}); choose a writable path", file=sys.stderr)
            return EXIT_INVALID
        print(f"plan written to {json_path}", file=out)
    if graph_path is not None:
        from golive.graph import write_graph

        try:
            kind = write_graph(preview.result, preview.critical, graph_path, graph_detail)
        except OSError as exc:
            reason = exc.strerror or exc
            print(f"--graph {graph_path}: cannot write the graph ({reason}); choose a writable path", file=sys.stderr)
            return EXIT_INVALID
        print(f"{kind} graph written to {graph_path}", file=out)
    return preview.exit_code
