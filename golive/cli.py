"""The `golive` command line: preview, release, rollback, verify, rehearse."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Optional

from golive.fleet import options as fleet_options

EXIT_USAGE = 2
EXIT_BROKEN_PIPE = 128 + 13  # what a shell reports for a command killed by SIGPIPE
EXIT_INTERRUPTED = 128 + signal.SIGINT  # what a shell reports for Ctrl-C


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # usage errors exit 2 with no traceback
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def parser() -> argparse.ArgumentParser:
    root = _Parser(prog="python -m golive", description="ObjectOS go-live kit: preview, release, verify.")
    commands = root.add_subparsers(dest="command", required=True, parser_class=_Parser)

    preview = commands.add_parser("preview", help="offline go-live preview of a stack (no cloud, no Pulumi CLI)")
    preview.add_argument(
        "--stack",
        action=fleet_options.Repeated,
        help="stack name: reads stacks/Pulumi.<stack>.yaml (with --program: DIR/Pulumi.<stack>.yaml); repeat for many",
    )
    preview.add_argument("--stack-file", type=Path, help="read this stack file instead")
    preview.add_argument(
        "--program",
        type=Path,
        metavar="DIR",
        help="preview your own Pulumi Python program: the folder of its Pulumi.yaml",
    )
    preview.add_argument(
        "--policy-pack-config",
        type=Path,
        dest="pack_config_path",
        metavar="FILE",
        help="with --program: the pack config to judge by (default: policy/policy-config.<environment>.json)",
    )
    preview.add_argument(
        "--json",
        type=Path,
        dest="json_path",
        help="write the findings, verdict and plan as JSON to this path (- for stdout)",
    )
    preview.add_argument(
        "--junit", type=Path, dest="junit_path", help="write the findings as JUnit XML to this path (- for stdout)"
    )
    preview.add_argument(
        "--terraform-plan",
        type=Path,
        dest="terraform_plan_path",
        metavar="PATH",
        help="write the graph as a Terraform plan JSON (terraform show -json), for checkov and trivy (- for stdout)",
    )
    _results_options(preview, "findings")
    preview.add_argument(
        "--graph",
        type=Path,
        dest="graph_path",
        help="write the resource graph: DOT for .dot/.gv, Mermaid otherwise (- for Mermaid on stdout)",
    )
    preview.add_argument(
        "--graph-detail",
        choices=("resources", "components"),
        default="resources",
        help="one node per resource (default) or per top-level component (Mermaid)",
    )
    fleet_options.add_preview(preview)
    preview.set_defaults(usage=preview)  # for the errors of options that go together

    release = commands.add_parser(
        "release", help="pin a new release (image and artifact together) in the stack file and its history"
    )
    release.add_argument("--stack", required=True, help="stack name: edits stacks/Pulumi.<stack>.yaml")
    release.add_argument("--image", required=True, help="image pinned by digest: <repo>@sha256:<64 hex>")
    release.add_argument(
        "--artifact-url", required=True, help="https URL of objectstack.json ending in #sha256=<64 hex>"
    )
    release.add_argument("--id", dest="release_id", help="release id (default: <YYYY.MM.DD>-<n>, today in UTC)")
    release.add_argument(
        "--migration",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="record whether this release changes the schema; unrecorded, a rollback assumes it does",
    )
    release.add_argument("--stacks-dir", type=Path, help="folder of the stack files (default: stacks/)")

    rollback = commands.add_parser(
        "rollback", help="pin the previous (or a named) release again, image and artifact together"
    )
    rollback.add_argument("--stack", required=True, help="stack name: edits stacks/Pulumi.<stack>.yaml")
    rollback.add_argument("--to", help="release id from stacks/releases/<stack>.yaml (default: the previous one)")
    rollback.add_argument("--stacks-dir", type=Path, help="folder of the stack files (default: stacks/)")

    verify = commands.add_parser("verify", help="prove a deployed stack keeps its settings' promises (live checks)")
    verify.add_argument(
        "--stack",
        action=fleet_options.Repeated,
        help="stack name: expectations come from stacks/Pulumi.<stack>.yaml (required; repeat with --url for many)",
    )
    verify.add_argument(
        "--url", action=fleet_options.Repeated, help="the public origin to check, https://HOST[:PORT] (required)"
    )
    verify.add_argument("--stack-file", type=Path, help="read this stack file instead")
    verify.add_argument("--http-url", help="plain-HTTP origin whose redirect is checked (default: http://HOST)")
    verify.add_argument(
        "--aws", action="store_true", help="also check the AWS resources tagged objectos:stack (read-only)"
    )
    verify.add_argument("--region", help="AWS region (default: the stack's aws:region)")
    verify.add_argument("--endpoint-url", help="AWS endpoint override, e.g. a local emulator")
    verify.add_argument("--access", type=Path, help="YAML file of cross-organization access probes")
    verify.add_argument(
        "--probe-rate-limit", action="store_true", help="exceed the auth rate limit from this IP and expect a 429"
    )
    verify.add_argument("--ca-file", type=Path, help="trust this CA bundle instead of the system store")
    verify.add_argument(
        "--json", type=Path, dest="json_path", help="write the results as JSON to this path (- for stdout)"
    )
    verify.add_argument(
        "--junit", type=Path, dest="junit_path", help="write the results as JUnit XML to this path (- for stdout)"
    )
    verify.add_argument(
        "--deadline",
        type=_seconds,
        dest="deadline_seconds",
        default=300.0,
        metavar="SECONDS",
        help="end the whole run after this long; checks not reached are not judged (default: 300)",
    )
    _results_options(verify, "results")
    fleet_options.add_verify(verify)
    verify.set_defaults(usage=verify)
    rehearse = commands.add_parser(
        "rehearse", help="stand a stack up on this machine (real runtime, nginx, Redis) and prove the checklist"
    )
    rehearse.add_argument("--stack", required=True, help="stack name: rehearses stacks/Pulumi.<stack>.yaml")
    rehearse.add_argument("--stack-file", type=Path, help="read this stack file instead")
    rehearse.add_argument(
        "--app", type=Path, help="ObjectStack project folder (objectstack.config.ts) to boot (default: a sample app)"
    )
    rehearse.add_argument(
        "--no-release", dest="release", action="store_false", help="skip the release and rollback boots"
    )
    rehearse.add_argument(
        "--no-rate-limit", dest="probe_rate_limit", action="store_false", help="skip the rate-limit probe"
    )
    rehearse.add_argument(
        "--no-refusals",
        dest="refusals",
        action="store_false",
        help="skip the boots the runtime must refuse (the declared multi-node topology, a wrong artifact pin)",
    )
    rehearse.add_argument(
        "--json", type=Path, dest="json_path", help="write the results as JSON to this path (- for stdout)"
    )
    rehearse.add_argument(
        "--junit", type=Path, dest="junit_path", help="write the results as JUnit XML to this path (- for stdout)"
    )
    return root


def _results_options(command: argparse.ArgumentParser, what: str) -> None:
    """The options preview and verify share: SARIF, waivers, and how much text to print."""
    command.add_argument(
        "--sarif", type=Path, dest="sarif_path", help=f"write the {what} as SARIF 2.1.0 to this path (- for stdout)"
    )
    command.add_argument(
        "--waivers",
        type=Path,
        dest="waivers_path",
        help="read the waivers from this file (default: waivers.yaml beside the stack file, if it exists)",
    )
    loudness = command.add_mutually_exclusive_group()
    loudness.add_argument(
        "-q", "--quiet", action="store_true", help="print only the verdict and the violations; no progress"
    )
    loudness.add_argument("-v", "--verbose", action="store_true", help="print every detail (the resource tree, ...)")


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value <= 86_400:  # also refuses nan and inf
        raise argparse.ArgumentTypeError(f"'{text[:40]}' is not a number of seconds above 0 and at most 86400")
    return value


def verbosity(args: argparse.Namespace) -> int:
    from golive import terminal

    return terminal.QUIET if args.quiet else terminal.VERBOSE if args.verbose else terminal.NORMAL


def main(argv: Optional[Sequence[str]] = None) -> int:
    try:
        code = _run(argv)
        sys.stdout.flush()  # a short output is still buffered: let a closed pipe show here
        return code
    except KeyboardInterrupt:
        # Ctrl-C: files are written whole or not at all (release holds the signal over its renames).
        print("golive: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`| head -1`): stop quietly, as a shell command does on SIGPIPE.
        # stdout goes to devnull so the interpreter's final flush cannot fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return EXIT_BROKEN_PIPE


def exit_cleanly_on_sigterm() -> None:
    """Turn SIGTERM (a CI job cancelled, a container stopped) into SystemExit, so exit
    handlers run and stop the policy pack instead of leaving it running."""
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _terminated)


def _terminated(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def _check_preview_options(args: argparse.Namespace) -> None:
    usage = args.usage
    if args.program is None and args.stack is None:
        usage.error("the following arguments are required: --stack (or --program DIR)")
    if args.program is not None and args.stack_file is not None:
        usage.error("--stack-file is for the kit's stacks; with --program the stack file is DIR/Pulumi.<stack>.yaml")
    if args.program is None and args.pack_config_path is not None:
        usage.error("--policy-pack-config goes with --program; the kit's stacks use their environment's config")


def _run(argv: Optional[Sequence[str]]) -> int:
    root = parser()
    args = root.parse_args(argv)
    for option in ("release_id", "to"):  # an empty value must not silently mean "the default"
        if getattr(args, option, None) == "":
            root.error(f"--{option.removeprefix('release_')} is empty; give a release id, or leave the option out")
    if args.command in ("preview", "verify"):
        from golive import progress, terminal

        # The first progress line comes before the slow imports and the program run.
        report = terminal.Progress(sys.stderr, f"golive {args.command}", enabled=not args.quiet)
        report(fleet_options.described(args))
        with progress.reporting(report):
            return _results_command(args)
    if args.command in ("release", "rollback"):
        from golive import release

        stacks_dir = args.stacks_dir or release.STACKS_DIR
        if args.command == "release":
            return release.release(
                args.stack, args.image, args.artifact_url, args.release_id, args.migration, stacks_dir
            )
        return release.rollback(args.stack, args.to, stacks_dir)
    if args.command == "rehearse":
        from golive.rehearse import command as rehearse

        options = {name: value for name, value in vars(args).items() if name != "command"}
        return rehearse.main(rehearse.Options(**options))
    raise AssertionError(f"unhandled command {args.command}")


def _results_command(args: argparse.Namespace) -> int:
    fleet = (fleet_options.preview_fleet if args.command == "preview" else fleet_options.verify_fleet)(args)
    clash = fleet_options.conflicts(args, fleet)
    if clash:
        args.usage.error(clash)
    if fleet:
        return _fleet_command(args)
    if args.command == "preview":
        from golive import preview

        _check_preview_options(args)
        return preview.main(
            args.stack,
            args.stack_file,
            args.json_path,
            graph_path=args.graph_path,
            graph_detail=args.graph_detail,
            junit_path=args.junit_path,
            program=args.program,
            pack_config_path=args.pack_config_path,
            sarif_path=args.sarif_path,
            waivers_path=args.waivers_path,
            verbosity=verbosity(args),
            terraform_plan_path=args.terraform_plan_path,
        )
    from golive.verify import command

    loudness = verbosity(args)
    if args.stack is None or args.url is None:
        args.usage.error("the following arguments are required: --stack, --url (or --fleet FILE)")
    skipped = ("command", "quiet", "verbose", "usage", "stack_all", "url_all", *fleet_options.FLEET_ONLY)
    options = {name: value for name, value in vars(args).items() if name not in skipped}
    return command.main(command.Options(**options, verbosity=loudness))


def _fleet_command(args: argparse.Namespace) -> int:
    """`preview --stacks ...` or `verify --fleet FILE`: many stacks, one combined report."""
    timing = {name: getattr(args, name) for name in ("jobs", "timeout", "deadline") if getattr(args, name) is not None}
    if args.command == "preview":
        from golive.fleet import preview as fleet_preview

        selection = [*(getattr(args, "stack_all", None) or []), *(args.stacks or [])]
        return fleet_preview.main(
            selection,
            args.stacks_dir,
            out_dir=args.out_dir,
            waivers_path=args.waivers_path,
            verbosity=verbosity(args),
            **timing,
        )
    from golive.fleet import verify as fleet_verify

    if args.fleet is not None and (getattr(args, "stack_all", None) or getattr(args, "url_all", None)):
        args.usage.error("--fleet FILE lists the stacks and URLs; leave out --stack and --url")
    try:
        if args.fleet is not None:
            targets = fleet_verify.load_fleet(args.fleet)
        else:
            stacks, urls = getattr(args, "stack_all", None) or [], getattr(args, "url_all", None) or []
            targets = fleet_verify.from_options(stacks, urls)
    except fleet_verify.FleetFileError as exc:
        print(f"golive verify: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.access is not None or args.http_url is not None:
        args.usage.error("--access and --http-url are per stack: give them as access and http-url in the --fleet file")
    shared = fleet_verify.Shared(
        aws=args.aws,
        region=args.region,
        endpoint_url=args.endpoint_url,
        probe_rate_limit=args.probe_rate_limit,
        ca_file=args.ca_file,
        waivers_path=args.waivers_path,
        stacks_dir=args.stacks_dir,
    )
    return fleet_verify.main(targets, shared, out_dir=args.out_dir, verbosity=verbosity(args), **timing)
