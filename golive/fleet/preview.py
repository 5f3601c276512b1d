"""`golive preview --stacks all` (or `--stack a --stack b`): the offline preview of many stacks at once.

The caller validates every stack file and starts the one policy pack; meanwhile the fork
server imports the SDK once (warm.py). A worker per stack, `jobs` at a time, runs the program
under the mocks, checks manifests and secrets, and asks the caller for the pack's verdict on
its graph (the pack's configuration is one per process, so the caller holds the conversation:
one stack's configure-and-analyze at a time, on one thread); it writes its stack's JSON and
SARIF and sends back its row.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Optional, TextIO

from golive import checklist as checklist_mod
from golive import progress, sarif, terminal, waivers
from golive.fleet import report, workers
from golive.fleet.report import Row
from golive.preview import EXIT_INVALID, judge, sarif_locator
from golive.program import ROOT, STACKS_DIR, ProgramError, RunResult, run_program
from settings import files
from settings.errors import SettingsError
from settings.load import StackConfig, load_stack, stack_file
from settings.model import Settings

STACK_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")  # as Pulumi names stacks; no path parts
DEFAULT_TIMEOUT_SECONDS = 600.0
PASSED, BLOCKED = "READY", "NOT READY"
FLEET_FILE = "fleet-preview.json"
WARM = "golive.fleet.warm"  # what the fork server imports before its first fork


def default_jobs() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS
        return max(1, os.cpu_count() or 1)


class UsageError(Exception):
    """A fleet that cannot start: a stack list naming no stack, a bad name, an unusable folder."""


def stack_names(selection: Sequence[str], stacks_dir: Path) -> list[str]:
    """The stacks `--stack`/`--stacks` name, in order, once each; `all` is every stack file in `stacks_dir`."""
    names: list[str] = []
    for item in selection:
        for name in (part.strip() for part in item.split(",")):
            if not name:
                raise UsageError(f"--stacks {item!r} has an empty name; separate stack names with single commas")
            if name == "all":
                found = sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in stacks_dir.glob("Pulumi.*.yaml"))
                if not found:
                    raise UsageError(f"--stacks all: {stacks_dir} holds no Pulumi.<stack>.yaml; give --stacks-dir")
                names += found
            elif not STACK_NAME.fullmatch(name):
                raise UsageError(
                    f"stack name {name!r}: use letters, digits, '.', '_' and '-' (the stack file is Pulumi.<name>.yaml)"
                )
            else:
                names.append(name)
    return list(dict.fromkeys(names))


def main(
    selection: Sequence[str],
    stacks_dir: Optional[Path] = None,
    jobs: Optional[int] = None,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    deadline: Optional[float] = None,
    out_dir: Optional[Path] = None,
    waivers_path: Optional[Path] = None,
    verbosity: int = terminal.NORMAL,
    out: Optional[TextIO] = None,
    err: Optional[TextIO] = None,
    today: Optional[date] = None,
    program: Path = ROOT / "__main__.py",
) -> int:
    stdout, stderr = out or sys.stdout, err or sys.stderr
    stacks_dir = stacks_dir or STACKS_DIR
    jobs = jobs or default_jobs()
    today = today or datetime.now(UTC).date()
    clock = time.monotonic()
    try:
        if jobs < 1:
            raise UsageError(f"--jobs {jobs}: give at least 1")
        if timeout <= 0 or (deadline is not None and deadline <= 0):
            raise UsageError("--timeout and --deadline are seconds: give a number above 0")
        if not stacks_dir.is_dir():
            raise UsageError(f"--stacks-dir {stacks_dir}: not a folder of stack files")
        names = stack_names(selection, stacks_dir)
        problem = report.out_dir_problem(out_dir)
        if problem:
            raise UsageError(problem)
        recorded = waivers.load(waivers_path or waivers.default_path(stacks_dir), today, waivers_path is not None)
    except (UsageError, waivers.WaiverFileError) as exc:
        print(f"golive preview: error: {files.clip_lines(str(exc))}", file=stderr)
        return EXIT_INVALID

    progress.step(f"reading {len(names)} stack file(s) in {stacks_dir}")
    loaded: dict[str, tuple[StackConfig, Settings]] = {}
    rows: dict[str, Row] = {}
    for name in names:
        try:
            loaded[name] = load_stack(name, stacks_dir)
        except SettingsError as exc:
            rows[name] = report.error_row(name, f"invalid settings: {exc}", target=_shown(stack_file(name, stacks_dir)))
            continue
        if len(loaded) == 1:  # a stack to judge: the pack boots and the SDK is imported while the rest are read
            checklist_mod.start_pack()
            workers.start_server([WARM])
    if loaded:
        at_once = min(jobs, len(loaded))
        progress.step(f"previewing {len(loaded)} stack(s), {at_once} at a time, once the fork server has the SDK")

    def finished(outcome: workers.Outcome) -> None:
        shown = "failed" if outcome.error else outcome.value["verdict"]
        progress.step(f"{outcome.name}: {shown} ({outcome.seconds:.1f} s)")

    work = StackWork(loaded, stacks_dir, tuple(recorded), today, out_dir, program)
    outcomes = workers.run(list(loaded), work, jobs, timeout, deadline, _serve(loaded), finished, [WARM])
    for outcome in outcomes:
        rows[outcome.name] = _row(outcome, stack_file(outcome.name, stacks_dir))
    ordered = [rows[name] for name in names]
    seconds = time.monotonic() - clock
    title = f"Go-live preview of {len(ordered)} stack(s) in {_shown(stacks_dir)}, {jobs} job(s)"
    report.print_table(ordered, title, PASSED, BLOCKED, seconds, stdout, verbosity)
    if out_dir is not None:
        path = out_dir / FLEET_FILE
        try:
            report.write_json(path, report.document("golive preview", ordered, PASSED, BLOCKED, seconds, jobs))
        except OSError as exc:
            print(f"--out-dir {out_dir}: cannot write {path.name} ({exc.strerror or exc})", file=stderr)
            return EXIT_INVALID
        if verbosity > terminal.QUIET:
            terminal.Printer(stdout).line(f"fleet report and per-stack JSON and SARIF written to {out_dir}")
    return report.exit_code(ordered)


class _Answer:
    """The pack's checklist rows for one stack, as the caller sends them (what `judge` calls `.rows()` on)."""

    def __init__(self, answer: Callable[[], Any]):
        self._answer = answer

    def rows(self) -> list:
        return self._answer()


def _serve(loaded: dict[str, tuple[StackConfig, Settings]]) -> workers.Serve:
    """The caller's side: the stack's graph through the shared pack, under its environment's configuration."""

    def serve(stack: str, resources: list) -> list:
        _, settings = loaded[stack]
        return checklist_mod.submit(RunResult(stack, resources, {}), settings).rows()

    return serve


@dataclass(frozen=True)
class StackWork:
    """What a worker does for one stack: run, judge (asking the caller's pack), write, and return its row's data.

    It crosses to the fork server pickled: the stack files as the caller loaded and validated
    them (an invalid one never reaches a worker), and plain values."""

    loaded: dict[str, tuple[StackConfig, Settings]]
    stacks_dir: Path
    recorded: tuple[waivers.Waiver, ...]
    today: date
    out_dir: Optional[Path]
    program: Path

    def __call__(self, stack: str, channel: workers.Channel) -> dict[str, Any]:
        started = time.monotonic()
        config, settings = self.loaded[stack]
        engine_config, secret_keys = config.engine_config()
        try:
            result = run_program(stack, engine_config, secret_keys, self.program)
        except ProgramError as exc:
            raise workers.WorkError(f"the program stopped: {exc}") from None

        def submit(result: RunResult, *_: Any) -> _Answer:
            return _Answer(channel.ask(result.resources))

        preview = judge(result, config, settings, submit=submit).with_waivers(self.recorded, self.today)
        written = []
        out_dir = self.out_dir
        if out_dir is not None:
            plan_path, sarif_path = out_dir / f"plan-{stack}.json", out_dir / f"preview-{stack}.sarif"
            try:
                out_dir.mkdir(parents=True, exist_ok=True)
                plan_path.write_text(json.dumps(preview.to_json(), indent=2) + "\n", encoding="utf-8")
                locator = sarif_locator(stack, stack_file(stack, self.stacks_dir))
                sarif_path.write_text(sarif.sarif_text(preview.report, locator), encoding="utf-8")
            except OSError as exc:
                raise workers.WorkError(f"cannot write to --out-dir {out_dir} ({exc.strerror or exc})") from None
            written = [str(plan_path), str(sarif_path)]
        run = preview.report
        return {
            "verdict": run.verdict,
            "exitCode": run.exit_code,
            "counts": run.counts(),
            "problems": [(f.rule, f.reason, f.resource or "") for f in run.blocking],
            "files": written,
            "seconds": time.monotonic() - started,
        }


def _row(outcome: workers.Outcome, path: Path) -> Row:
    return report.outcome_row(outcome.name, outcome.value, outcome.error, outcome.seconds, _shown(path))


def _shown(path: Path) -> str:
    uri = sarif.relative_uri(path)
    return str(path) if uri.startswith("file:") else uri
