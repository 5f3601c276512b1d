"""`golive verify --fleet FILE` (or `--stack a --url A --stack b --url B`): live checks of many deployed stacks.

Each stack is verified in a worker of its own (workers.py), `jobs` at a time, by the same code as a single
`golive verify`; `--timeout` bounds one host's run (a worker past it is stopped and its row says
so), `--deadline` the whole fleet's. Per-stack JSON and JUnit go to `--out-dir`.

The fleet file (YAML):

    stacks:
      - stack: prod-eu                       # stacks/Pulumi.<stack>.yaml holds its expectations
        url: https://eu.app.example.com
        http-url: http://eu.app.example.com  # optional, as --http-url
        access: probes/prod-eu.yaml          # optional, as --access (relative to this file)
        ca-file: ca.pem                      # optional, as --ca-file (relative to this file)
"""

from __future__ import annotations

import io
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional, TextIO

from golive import progress, terminal
from golive.fleet import report, workers
from golive.fleet.preview import STACK_NAME, default_jobs
from golive.fleet.report import Row
from settings import files
from settings.load import stack_file

EXIT_USAGE = 2
PASSED, BLOCKED = "PASS", "FAIL"
DEFAULT_TIMEOUT_SECONDS = 300.0
DEFAULT_DEADLINE_SECONDS = 1800.0
FLEET_FILE = "fleet-verify.json"
_ENTRY_KEYS = ("stack", "url", "http-url", "access", "ca-file")


class FleetFileError(Exception):
    """The fleet file (or the repeated options) cannot be used; the message names the entry and key."""


@dataclass(frozen=True)
class Target:
    """One deployed stack to verify."""

    stack: str
    url: str
    http_url: Optional[str] = None
    access: Optional[Path] = None
    ca_file: Optional[Path] = None


def load_fleet(path: Path) -> list[Target]:
    """The targets of a fleet file; every problem is named by entry and key."""
    try:
        document = files.load_yaml(path)
    except files.InputFileError as exc:
        raise FleetFileError(str(exc)) from None
    if not isinstance(document, dict) or not isinstance(document.get("stacks"), list):
        raise FleetFileError(f"{path}: expected a mapping with a 'stacks' list (see docs/fleet.md)")
    unknown = sorted(set(document) - {"stacks"})
    if unknown:
        raise FleetFileError(f"{path}: unknown top-level key(s) {', '.join(unknown)}; only 'stacks' is read")
    targets = [_target(entry, index, path) for index, entry in enumerate(document["stacks"], 1)]
    return _checked(targets, str(path))


def _target(entry: Any, index: int, path: Path) -> Target:
    where = f"{path}: stacks entry {index}"
    if not isinstance(entry, dict):
        raise FleetFileError(f"{where}: expected a mapping with 'stack' and 'url'")
    unknown = sorted(str(k) for k in set(entry) - set(_ENTRY_KEYS))
    if unknown:
        raise FleetFileError(f"{where}: unknown key(s) {', '.join(unknown)}; use {', '.join(_ENTRY_KEYS)}")
    for key in ("stack", "url"):
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise FleetFileError(f"{where}: '{key}' is missing or not a string; every entry needs stack and url")
    for key in ("http-url", "access", "ca-file"):
        if key in entry and not (isinstance(entry[key], str) and entry[key].strip()):
            raise FleetFileError(f"{where}: '{key}' must be a non-empty string, or left out")

    def relative(key: str) -> Optional[Path]:
        return path.parent / entry[key] if key in entry else None

    return Target(entry["stack"], entry["url"], entry.get("http-url"), relative("access"), relative("ca-file"))


def from_options(stacks: Sequence[str], urls: Sequence[str]) -> list[Target]:
    """`--stack a --url A --stack b --url B`: paired in order."""
    if len(stacks) != len(urls):
        raise FleetFileError(
            f"{len(stacks)} --stack and {len(urls)} --url given; give one --url after each --stack, or use --fleet FILE"
        )
    return _checked([Target(s, u) for s, u in zip(stacks, urls, strict=True)], "the command line")


def _checked(targets: list[Target], source: str) -> list[Target]:
    if not targets:
        raise FleetFileError(f"{source}: no stack to verify")
    seen: set[str] = set()
    for target in targets:
        if not STACK_NAME.fullmatch(target.stack):
            raise FleetFileError(f"{source}: stack {target.stack!r}: use letters, digits, '.', '_' and '-'")
        if target.stack in seen:
            raise FleetFileError(f"{source}: stack {target.stack} is listed twice; list each stack once")
        seen.add(target.stack)
    return targets


@dataclass(frozen=True)
class Shared:
    """The options every stack of the fleet is verified with."""

    aws: bool = False
    region: Optional[str] = None
    endpoint_url: Optional[str] = None
    probe_rate_limit: bool = False
    ca_file: Optional[Path] = None  # a target's own ca-file wins
    waivers_path: Optional[Path] = None
    stacks_dir: Optional[Path] = None


def main(
    targets: Sequence[Target],
    shared: Shared = Shared(),
    jobs: Optional[int] = None,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    deadline: Optional[float] = DEFAULT_DEADLINE_SECONDS,
    out_dir: Optional[Path] = None,
    verbosity: int = terminal.NORMAL,
    out: Optional[TextIO] = None,
    err: Optional[TextIO] = None,
) -> int:
    stdout, stderr = out or sys.stdout, err or sys.stderr
    jobs = jobs or max(4, default_jobs())  # waiting on the network, not the CPU
    problem = report.out_dir_problem(out_dir)
    if jobs < 1:
        problem = f"--jobs {jobs}: give at least 1"
    elif timeout <= 0 or (deadline is not None and deadline <= 0):
        problem = "--timeout and --deadline are seconds: give a number above 0"
    if problem:
        print(f"golive verify: error: {problem}", file=stderr)
        return EXIT_USAGE
    clock = time.monotonic()
    by_stack = {t.stack: t for t in targets}

    def finished(outcome: workers.Outcome) -> None:
        shown = "failed" if outcome.error else outcome.value["verdict"]
        progress.step(f"{outcome.name}: {shown} ({outcome.seconds:.1f} s)")

    progress.step(f"verifying {len(targets)} stack(s), {min(jobs, len(targets))} at a time")
    work = TargetWork(by_stack, shared, out_dir)
    outcomes = workers.run(list(by_stack), work, jobs, timeout, deadline, None, finished, _preload(shared))
    rows = [_row(o, by_stack[o.name]) for o in outcomes]
    seconds = time.monotonic() - clock
    title = f"Live verification of {len(rows)} stack(s), {jobs} at a time, {timeout:g} s per host"
    report.print_table(rows, title, PASSED, BLOCKED, seconds, stdout, verbosity)
    if out_dir is not None:
        try:
            document = report.document("golive verify", rows, PASSED, BLOCKED, seconds, jobs)
            report.write_json(out_dir / FLEET_FILE, document)
        except OSError as exc:
            print(f"--out-dir {out_dir}: cannot write {FLEET_FILE} ({exc.strerror or exc})", file=stderr)
            return EXIT_USAGE
    return report.exit_code(rows)


def _preload(shared: Shared) -> list[str]:
    """What a verification imports, imported once by the fork server so each worker starts warm."""
    return ["program.adapters", "golive.verify.command"] + (["golive.verify.aws"] if shared.aws else [])


@dataclass(frozen=True)
class TargetWork:
    """What a worker does for one deployed stack: `golive verify` on it, its JSON read back into its row's data."""

    by_stack: dict[str, Target]
    shared: Shared
    out_dir: Optional[Path]

    def __call__(self, stack: str, _channel: workers.Channel) -> dict[str, Any]:
        from golive.verify import command

        target, shared, out_dir = self.by_stack[stack], self.shared, self.out_dir
        scratch = Path(tempfile.mkdtemp(prefix="golive-verify-"))
        folder = out_dir or scratch
        json_path, junit_path = folder / f"verify-{stack}.json", folder / f"verify-{stack}.junit.xml"
        options = command.Options(
            stack=stack,
            url=target.url,
            stack_file=stack_file(stack, shared.stacks_dir) if shared.stacks_dir else None,
            http_url=target.http_url,
            aws=shared.aws,
            region=shared.region,
            endpoint_url=shared.endpoint_url,
            access=target.access,
            probe_rate_limit=shared.probe_rate_limit,
            ca_file=target.ca_file or shared.ca_file,
            json_path=json_path,
            junit_path=junit_path if out_dir else None,
            waivers_path=shared.waivers_path,
            verbosity=terminal.QUIET,
        )
        said = io.StringIO()
        code = command.main(options, out=io.StringIO(), err=said)
        if code not in (0, 1):
            raise workers.WorkError(" ".join(said.getvalue().split()) or f"golive verify exited {code}")
        data = json.loads(json_path.read_text(encoding="utf-8"))
        if out_dir is None:
            json_path.unlink()
        scratch.rmdir()
        blocking = [f for f in data["findings"] if f["status"] == "fail"]
        return {
            "verdict": data["verdict"],
            "exitCode": data["exitCode"],
            "counts": data["counts"],
            "problems": [(f["id"], f["reason"], f.get("resource") or "") for f in blocking],
            "files": [str(json_path), str(junit_path)] if out_dir else [],
        }


def _row(outcome: workers.Outcome, target: Target) -> Row:
    return report.outcome_row(outcome.name, outcome.value, outcome.error, outcome.seconds, target.url)
