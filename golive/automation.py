"""Preview or update a list of stacks with the Pulumi Automation API (`pulumi.automation`).

`python -m golive.automation preview [--stacks dev,prod]` runs `pulumi preview` with the kit's
policy pack (and each stack's environment config for it) for every listed stack, one after the
other; `up --yes` runs `pulumi up`. With no `--stacks`, every stack file in `stacks/` is run.
Each stack's engine output streams as it comes, each line prefixed with the stack's name, and
one result line per stack follows. A stack that fails never stops the others.

Needs the Pulumi CLI: this drives the real engine (a logged-in backend, the stack created there,
the providers and the cloud credentials), unlike `golive preview`, which needs none of them.
Without `pulumi` on PATH it stops before any stack with exit 2 and says so.

Exit codes: 0 every stack succeeded; 1 at least one failed (its result line says why);
2 a usage error, an unknown stack, or no Pulumi CLI.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from golive.cli import EXIT_USAGE, _Parser
from golive.project import ProjectError, load_program

ROOT = Path(__file__).resolve().parent.parent  # the kit's Pulumi project: Pulumi.yaml, stacks/, policy/
COMMANDS = ("preview", "up")
INSTALL_CLI = (
    "the Pulumi CLI (`pulumi`) is not on PATH: the Automation API drives it. Install it "
    "(https://www.pulumi.com/docs/iac/download-install/) and log in to a backend (`pulumi login`); "
    "`python -m golive preview` judges a stack offline without it"
)


class AutomationError(Exception):
    """A mistake that stops the run before any stack (exit 2); the message says what to do."""


@dataclass(frozen=True)
class StackResult:
    stack: str
    ok: bool
    summary: str  # the changes (op: count), or why the stack failed


def stack_names(root: Path = ROOT) -> list[str]:
    """The stacks with a stack file in `root/stacks/` (Pulumi.<stack>.yaml), as `golive preview --stack` finds them."""
    return sorted(p.name.split(".", 1)[1].rsplit(".", 1)[0] for p in (root / "stacks").glob("Pulumi.*.y*ml"))


def choose_stacks(given: Optional[str], available: Sequence[str]) -> list[str]:
    """`--stacks a,b` checked against the stack files; every stack when not given."""
    if given is None:
        if not available:
            raise AutomationError("stacks/ holds no Pulumi.<stack>.yaml; add a stack file or pass --stacks")
        return list(available)
    names = [name.strip() for name in given.split(",")]
    if any(not name for name in names):
        raise AutomationError(f"--stacks {given!r}: an empty name; write the stack names separated by commas")
    unknown = [name for name in names if name not in available]
    if unknown:
        raise AutomationError(
            f"--stacks: no stack file for {', '.join(unknown)} in stacks/; its stacks are {', '.join(available) or 'none'}"
        )
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise AutomationError(f"--stacks: {', '.join(repeated)} listed twice; name each stack once")
    return names


def parser() -> argparse.ArgumentParser:
    root = _Parser(
        prog="python -m golive.automation",
        description="Preview or update a list of stacks with the Pulumi Automation API (needs the Pulumi CLI).",
    )
    root.add_argument("command", choices=COMMANDS, help="pulumi preview or pulumi up, for each stack")
    root.add_argument("--stacks", help="comma-separated stack names (default: every stack file in stacks/)")
    root.add_argument("--create", action="store_true", help="create a stack the backend does not have yet")
    root.add_argument("--yes", action="store_true", help="with up: change the real infrastructure of every stack")
    return root


def run_stacks(
    command: str,
    stacks: Sequence[str],
    create: bool = False,
    root: Path = ROOT,
    write: Callable[[str], None] = print,
) -> list[StackResult]:
    """`command` on each stack in turn, its engine output streamed through `write`; one result per stack."""
    import pulumi.automation as auto

    try:
        cli = auto.PulumiCommand()  # finds `pulumi` and checks its version once, for every stack
    except FileNotFoundError:
        raise AutomationError(INSTALL_CLI) from None
    except auto.InvalidVersionError as exc:
        raise AutomationError(f"the Pulumi CLI is too old for this SDK ({exc}); upgrade it") from None
    results = []
    for stack in stacks:

        def out(line: str, stack: str = stack) -> None:
            write(f"[{stack}] {line.rstrip()}")

        results.append(_run_one(auto, cli, command, stack, create, root, out))
    return results


def _run_one(
    auto: Any, cli: Any, command: str, stack: str, create: bool, root: Path, out: Callable[[str], None]
) -> StackResult:
    try:
        program = load_program(root, stack)  # the stack file, read as the offline preview reads it
    except ProjectError as exc:
        return StackResult(stack, False, str(exc))
    from policy.enforcement import PACK_DIR, config_file

    select = auto.create_or_select_stack if create else auto.select_stack
    options = auto.LocalWorkspaceOptions(pulumi_command=cli)
    run: dict[str, Any] = {"policy_packs": [str(PACK_DIR)], "on_output": out, "color": "never"}
    pack_config = config_file(program.environment)  # as `golive preview` judges the stack
    if pack_config.exists():
        run["policy_pack_configs"] = [str(pack_config)]
    try:
        workspace_stack = select(stack_name=stack, work_dir=str(root), opts=options)
        if command == "preview":
            changes = workspace_stack.preview(**run).change_summary
        else:
            changes = workspace_stack.up(**run).summary.resource_changes or {}
    except auto.StackNotFoundError:
        return StackResult(
            stack,
            False,
            f"the backend has no stack {stack}: create it with `pulumi stack init {stack}` or pass --create",
        )
    except auto.CommandError as exc:
        return StackResult(stack, False, f"pulumi {command} failed: {_last_lines(exc)}")
    except FileNotFoundError:
        raise AutomationError(INSTALL_CLI) from None
    counts = sorted((getattr(op, "value", str(op)), count) for op, count in changes.items() if count)
    return StackResult(stack, True, ", ".join(f"{op} {count}" for op, count in counts) or "no changes")


def _last_lines(exc: Exception, lines: int = 3) -> str:
    """The end of what the CLI wrote to stderr (the SDK's error holds its code, stdout and stderr)."""
    text = str(exc)
    text = text.rsplit(" stderr: ", 1)[-1]
    kept = [line.strip() for line in text.strip().splitlines() if line.strip()][-lines:]
    return " / ".join(kept) or type(exc).__name__


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parser().parse_args(argv)
    try:
        if args.command == "up" and not args.yes:
            raise AutomationError("up changes the real infrastructure of every listed stack: pass --yes to go ahead")
        stacks = choose_stacks(args.stacks, stack_names())
        results = run_stacks(args.command, stacks, create=args.create)
    except AutomationError as exc:
        print(f"golive.automation: {exc}", file=sys.stderr)
        return EXIT_USAGE
    width = max(len(r.stack) for r in results)
    for result in results:
        print(f"{result.stack:<{width}}  {'ok' if result.ok else 'FAILED'}  {result.summary}")
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
