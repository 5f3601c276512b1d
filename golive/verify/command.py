"""`python -m golive verify`: one command that proves a deployed stack keeps its settings' promises.

Exit 0 (verdict PASS) when no check fails: warnings and checks not judged do
not fail a run; 1 (verdict FAIL) when one does; 2 for usage errors: a bad stack
file, URL, probe file, output path or missing environment variable. Nothing secret is printed: probe credentials are
named by their environment variable only.
"""

from __future__ import annotations

import os
import ssl
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Optional, TextIO

from golive import locations, outputs, progress, results, sarif, terminal, waivers
from golive.program import STACKS_DIR
from golive.redact import Redactor
from golive.results import Enforcement, Finding, Tool
from golive.verify import access, checks, report, web
from golive.verify.aws_checks import AwsExpectations
from golive.verify.checks import Expectations, not_judged
from golive.verify.http import HttpProbe, tls_context
from objectos_core.checklist import AWS_VERIFIED
from objectos_core.headers import ALB_UNSUPPORTED, HSTS
from settings import files
from settings.errors import SettingsError
from settings.load import load_stack, stack_file
from settings.model import Settings

EXIT_OK, EXIT_FAILED, EXIT_USAGE = results.EXIT_OK, results.EXIT_BLOCKED, 2  # the report decides 0 or 1
DEFAULT_DEADLINE_SECONDS = 300.0  # a whole run; a healthy edge answers every check in well under a minute


@dataclass(frozen=True)
class Options:
    stack: str
    url: str
    stack_file: Optional[Path] = None
    http_url: Optional[str] = None
    aws: bool = False
    region: Optional[str] = None
    endpoint_url: Optional[str] = None
    access: Optional[Path] = None
    probe_rate_limit: bool = False
    ca_file: Optional[Path] = None
    json_path: Optional[Path] = None
    junit_path: Optional[Path] = None
    sarif_path: Optional[Path] = None
    waivers_path: Optional[Path] = None
    verbosity: int = terminal.NORMAL
    deadline_seconds: float = DEFAULT_DEADLINE_SECONDS


def promised_headers(settings: Settings) -> tuple[dict[str, str], Expectations]:
    """The edge's header map (HSTS included) and the expectations of the HTTP checks."""
    from program.adapters import header_set  # what the program gives the edge

    promised = header_set(settings)
    headers = dict(promised.as_map())
    without_hsts = {k: v for k, v in headers.items() if k.lower() != HSTS.lower()}
    hsts = next((v for k, v in headers.items() if k.lower() == HSTS.lower()), None)
    return headers, Expectations(
        headers=without_hsts,
        hsts=hsts,
        cors_origins=tuple(promised.cors.origins),
        cors_credentials=promised.cors.allow_credentials,
        auth_rate_limit=settings.rate_limits.auth.limit,
        auth_window_seconds=settings.rate_limits.auth.window_seconds,
        not_at_edge=tuple(ALB_UNSUPPORTED) if settings.edge.mode == "alb" else (),
    )


def aws_expectations(settings: Settings, headers: Mapping[str, str]) -> AwsExpectations:
    limits = settings.rate_limits
    return AwsExpectations(
        stack=settings.stack,
        edge_mode=settings.edge.mode,
        rate_limits={
            kind: (rule.limit, rule.window_seconds)
            for kind, rule in (("auth", limits.auth), ("write", limits.write), ("read", limits.read))
        },
        waf_log_retention_days=settings.waf.log_retention_days,
        redis_log_retention_days=settings.redis.log_retention_days,
        audit_retention_days=settings.audit_log.retention_days,
        object_lock_mode=settings.audit_log.object_lock_mode,
        vault_min_days=settings.backup.vault_lock.min_retention_days,
        vault_max_days=settings.backup.vault_lock.max_retention_days,
        database_arn=settings.database.arn,
        copy_to_region=settings.backup.copy_to_region,
        needs_redis=settings.multi_pod,
        headers=dict(headers),
        cors_origins=tuple(settings.cors.origins),
        cors_credentials=settings.cors.allow_credentials,
    )


def main(
    options: Options,
    environ: Mapping[str, str] = os.environ,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
    promise: Callable[[Settings], tuple[dict[str, str], Expectations]] = promised_headers,
    aws_client_factory: Optional[Callable] = None,
    rate_settle_seconds: float = 40.0,
) -> int:
    started, clock = datetime.now(UTC), time.monotonic()

    def usage(message: str) -> int:
        print(f"golive verify: error: {files.clip_lines(message)}", file=err)
        return EXIT_USAGE

    targets = (("--json", options.json_path), ("--junit", options.junit_path), ("--sarif", options.sarif_path))
    location = options.stack_file or stack_file(options.stack, STACKS_DIR)
    waivers_path = options.waivers_path or waivers.default_path(location.parent)
    refused = outputs.check(targets, (location, options.access, waivers_path, options.ca_file))
    if refused:
        return usage(refused)
    try:
        _, settings = load_stack(options.stack, STACKS_DIR, options.stack_file)
    except SettingsError as exc:
        print(files.clip_lines(str(exc)), file=err)  # a huge value stays a short line
        return EXIT_USAGE
    try:
        where = web.target(options.url, options.http_url)
    except ValueError as exc:
        return usage(str(exc))
    try:
        context = trust(options.ca_file)
    except ValueError as exc:
        return usage(str(exc))
    try:
        recorded = waivers.load(
            waivers_path,
            started.date(),
            options.waivers_path is not None,
        )
    except waivers.WaiverFileError as exc:
        return usage(str(exc))
    stdout = out
    if any(outputs.is_stdout(path) for _, path in targets):
        out = err  # stdout carries the document alone; the table goes to stderr
    probes: list[access.Probe] = []
    if options.access:
        try:
            probes = access.load(options.access)
        except access.AccessFileError as exc:
            return usage(str(exc))
        missing = access.missing_variables(probes, environ)
        if missing:
            return usage(f"{options.access} needs these environment variables set: {', '.join(missing)}")
        unusable = access.value_problems(probes, environ)
        if unusable:
            return usage(f"{options.access}: " + "; ".join(unusable))
    # Every finding passes through this before any format is written: no probe value is shown.
    redactor = Redactor(access.secret_values(probes, environ))
    if where.host != settings.domain:
        print(
            f"note: --url host {where.host} is not objectos:domain {settings.domain}; TLS is checked for {where.host}",
            file=err,
        )

    progress.step(f"checking {where.https_url}")
    outcomes = live_checks(
        options,
        settings,
        where,
        context,
        probes,
        environ,
        started,
        promise,
        aws_client_factory,
        rate_settle_seconds,
        until=clock + options.deadline_seconds,
    )
    held = Enforcement.MANDATORY if settings.is_prod else Enforcement.ADVISORY
    outcomes = waivers.apply(outcomes, recorded, options.stack, Tool.VERIFY, started.date(), held)

    run = report.build(
        options.stack,
        where.https_url,
        started.isoformat(timespec="seconds"),
        time.monotonic() - clock,
        outcomes,
        redactor,
    )
    report.print_table(run, out, options.verbosity)

    def write_sarif(run: results.Report, path: Path, stdout: TextIO) -> None:
        try:
            marks = locations.marks(files.read_text(location).text, location)
        except files.InputFileError:
            marks = {}
        outputs.write(path, sarif.sarif_text(run, sarif.locator(location, marks)), stdout)

    for option, path, write in (
        ("--json", options.json_path, report.write_json),
        ("--junit", options.junit_path, report.write_junit),
        ("--sarif", options.sarif_path, write_sarif),
    ):
        if path:
            try:
                write(run, path, stdout)
            except OSError as exc:
                return usage(f"{option} {path}: cannot write the results ({exc.strerror or exc})")
    return run.exit_code


def live_checks(
    options: Options,
    settings: Settings,
    where: web.Target,
    context: ssl.SSLContext,
    probes: list[access.Probe],
    environ: Mapping[str, str],
    started: datetime,
    promise: Callable[[Settings], tuple[dict[str, str], Expectations]] = promised_headers,
    aws_client_factory: Optional[Callable] = None,
    rate_settle_seconds: float = 40.0,
    until: Optional[float] = None,
) -> list[Finding]:
    """Every check of one run against `where`, in run order (the rehearsal runs these against its edge).

    `until` (a `time.monotonic()` instant; default: `options.deadline_seconds` from now) ends the
    run: a check not started by then is not judged ("deadline reached"), one cut off by it fails.
    """
    headers, expected = promise(settings)
    until = time.monotonic() + options.deadline_seconds if until is None else until
    with HttpProbe(context=context, until=until, deadline_seconds=options.deadline_seconds) as client:
        checked = web.run(client, where, expected, options.ca_file, started)
        outcomes = checked.outcomes + _probes(
            client, checked, options, where, expected, probes, environ, rate_settle_seconds
        )
        if options.aws and client.out_of_time():
            return outcomes + [not_judged(rule, "AWS resources", client.unreached_reason) for rule in AWS_VERIFIED]
    if options.aws:
        progress.step("reading the tagged AWS resources")
    return outcomes + _aws(options, settings, headers, started, aws_client_factory)


def trust(ca_file: Optional[Path]) -> ssl.SSLContext:
    """The TLS context of every HTTPS request; ValueError says what is wrong with --ca-file."""
    if ca_file is None:
        return tls_context()
    if not ca_file.exists():
        raise ValueError(f"--ca-file {ca_file} does not exist")
    if not ca_file.is_file():
        raise ValueError(f"--ca-file {ca_file} is not a file; give the PEM bundle itself")
    try:
        return tls_context(ca_file)
    except ssl.SSLError as exc:
        reason = exc.reason or exc
        raise ValueError(f"--ca-file {ca_file} holds no PEM certificate ({reason}); give a PEM CA bundle") from None
    except OSError as exc:
        raise ValueError(f"--ca-file {ca_file} cannot be read ({exc.strerror or exc})") from None


def _probes(
    client: HttpProbe,
    checked: web.WebResult,
    options: Options,
    where: web.Target,
    expected: Expectations,
    probes: list[access.Probe],
    environ: Mapping[str, str],
    settle_seconds: float,
) -> list[Finding]:
    """The rate-limit probe and the access probes: run only when asked, and only over trusted TLS."""
    trusted, untrusted = checked.trusted, f"not run: {checked.untrusted_reason}"
    outcomes = []
    if not options.probe_rate_limit:
        why = "not run; pass --probe-rate-limit (it spends this IP's auth budget for one window)"
        outcomes.append(not_judged("rate-limits-auth-write", "rate limit probe", why))
    elif not trusted:
        outcomes.append(not_judged("rate-limits-auth-write", "rate limit probe", untrusted))
    else:
        limit, window = expected.auth_rate_limit, expected.auth_window_seconds
        progress.step(
            f"rate-limit probe: {limit} + 5 requests to the auth route, then one a second for up to {settle_seconds:.0f} s"
        )
        outcomes.append(
            checks.rate_limited(web.probe_rate_limit(client, where, limit, window, settle_seconds=settle_seconds))
        )
    if not probes:
        why = "not run; pass --access FILE (see examples/access-probes.yaml)"
        outcomes.append(not_judged("cross-org-access-denied", "access probes", why))
    elif not trusted:
        outcomes.append(not_judged("cross-org-access-denied", "access probes", untrusted))
    else:
        outcomes += access.run(probes, client, where.https_url, environ)
    return outcomes


def _aws(
    options: Options, settings: Settings, headers: Mapping[str, str], now: datetime, factory: Optional[Callable]
) -> list[Finding]:
    if not options.aws:
        return [
            not_judged(check_id, "AWS resources", "not run; pass --aws with read-only credentials")
            for check_id in AWS_VERIFIED
        ]
    from golive.verify import aws  # boto3 only when asked for

    reader = aws.AwsReader(settings.stack, options.region or settings.region, options.endpoint_url, factory)
    return aws.verify(reader, aws_expectations(settings, headers), now)
