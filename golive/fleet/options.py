"""The fleet's command-line options on `golive preview` and `golive verify` (standard library only:
the first progress line comes before any heavy import)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Optional


class Repeated(argparse.Action):
    """`--stack a --stack b`: `stack` keeps the last (as before), `<dest>_all` every one."""

    def __call__(
        self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any, option: Optional[str] = None
    ) -> None:
        setattr(namespace, self.dest, values)
        listed = list(getattr(namespace, f"{self.dest}_all", None) or [])
        setattr(namespace, f"{self.dest}_all", [*listed, values])


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text}: give a number of seconds above 0")
    return value


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text}: give at least 1")
    return value


def _common(command: argparse.ArgumentParser, per: str, deadline: str, deadline_flag: str = "--deadline") -> None:
    command.add_argument(
        "--jobs", type=_jobs, metavar="N", help="stacks at once (default: the cores, at least 4 for verify)"
    )
    command.add_argument(
        "--timeout", type=_seconds, metavar="SECONDS", help=f"stop one stack's run after this long ({per})"
    )
    command.add_argument(
        deadline_flag,
        dest="deadline",
        type=_seconds,
        metavar="SECONDS",
        help=f"stop the whole fleet after this long ({deadline})",
    )
    command.add_argument(
        "--out-dir", type=Path, metavar="DIR", help="write the fleet report and each stack's documents here"
    )


def add_preview(preview: argparse.ArgumentParser) -> None:
    preview.add_argument(
        "--stacks",
        action="append",
        metavar="LIST",
        help="preview many stacks: 'all' (every stack file) or a,b,c; with --stack repeated, the same",
    )
    preview.add_argument(
        "--stacks-dir", type=Path, metavar="DIR", help="with many stacks: the folder of their stack files"
    )
    _common(preview, "default 600", "default none")


def add_verify(verify: argparse.ArgumentParser) -> None:
    verify.add_argument(
        "--fleet", type=Path, metavar="FILE", help="verify every stack this YAML file lists (stack, url, ...)"
    )
    verify.add_argument(
        "--stacks-dir", type=Path, metavar="DIR", help="with many stacks: the folder of their stack files"
    )
    # verify's own --deadline bounds one stack's run; the fleet's overall one is --fleet-deadline
    _common(verify, "per host, default 300", "default 1800", deadline_flag="--fleet-deadline")


def preview_fleet(args: argparse.Namespace) -> bool:
    return bool(args.stacks) or len(getattr(args, "stack_all", None) or []) > 1


def verify_fleet(args: argparse.Namespace) -> bool:
    return args.fleet is not None or len(getattr(args, "stack_all", None) or []) > 1


_SINGLE_ONLY = {
    "stack_file": "--stack-file",
    "program": "--program",
    "pack_config_path": "--policy-pack-config",
    "json_path": "--json",
    "junit_path": "--junit",
    "sarif_path": "--sarif",
    "graph_path": "--graph",
}


FLEET_ONLY = ("fleet", "stacks", "stacks_dir", "jobs", "timeout", "deadline", "out_dir")


def conflicts(args: argparse.Namespace, fleet: bool) -> Optional[str]:
    """What was given that does not go with the mode chosen, in words for the usage error."""
    fleet_only = [f"--{name.replace('_', '-')}" for name in FLEET_ONLY if name not in ("fleet", "stacks")]
    if fleet:
        given = [flag for name, flag in _SINGLE_ONLY.items() if getattr(args, name, None) is not None]
        if given:
            return f"{', '.join(given)} go(es) with one stack; with many, --out-dir DIR gets each stack's documents"
        return None
    given = [flag for flag in fleet_only if getattr(args, flag[2:].replace("-", "_"), None) is not None]
    if given:
        return f"{', '.join(given)} go(es) with many stacks: give --stacks all, --stacks a,b or --stack more than once"
    return None


def described(args: argparse.Namespace) -> str:
    """The first progress line's subject: `stack prod`, or the stacks of a fleet."""
    listed: Sequence[str] = [*(getattr(args, "stack_all", None) or []), *(getattr(args, "stacks", None) or [])]
    if getattr(args, "fleet", None) is not None:
        return f"fleet {args.fleet}"
    return f"stacks {','.join(listed)}" if len(listed) > 1 or getattr(args, "stacks", None) else f"stack {args.stack}"
