"""The `golive` command line: preview, release, rollback, verify."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Optional, Sequence

EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # usage errors exit 2 with no traceback
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def parser() -> argparse.ArgumentParser:
    root = _Parser(prog="python -m golive", description="ObjectOS go-live kit: preview, release, verify.")
    commands = root.add_subparsers(dest="command", required=True, parser_class=_Parser)

    preview = commands.add_parser("preview", help="offline go-live preview of a stack (no cloud, no Pulumi CLI)")
    preview.add_argument("--stack", required=True, help="stack name: reads stacks/Pulumi.<stack>.yaml")
    preview.add_argument("--stack-file", type=Path, help="read this stack file instead")
    preview.add_argument("--json", type=Path, dest="json_path", help="write the plan as JSON to this path")
    preview.add_argument(
        "--graph", type=Path, dest="graph_path", help="write the resource graph: DOT for .dot/.gv, Mermaid otherwise"
    )
    return root


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parser().parse_args(argv)
    if args.command == "preview":
        from golive import preview

        return preview.main(args.stack, args.stack_file, args.json_path, graph_path=args.graph_path)
    raise AssertionError(f"unhandled command {args.command}")
