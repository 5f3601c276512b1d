"""`python -m golive rehearse`: stand a stack up on one machine and prove the checklist on the real runtime.

From the same offline preview `golive preview` runs, the rehearsal takes the server
Deployment's env and boots the real open runtime with it (`os start`, as the image
does), behind real nginx rendering the stack's own header set, CORS policy and rate
limits, with a real Redis over TLS and AUTH wherever the stack uses one. Then it runs
`golive verify`'s own checks against that edge, the kit's cross-owner access probes
against two owners made through the runtime's API, a boot with a wrong artifact pin,
and `golive release` then `golive rollback` with two artifact versions on a scratch copy
of the stack file, booting the runtime after each.

Each step becomes findings of the one results model (text, JSON, JUnit); where a local
stand-in cannot be faithful to AWS, the finding carries a fidelity note. What the open
runtime cannot prove (licensed multi-node, organizations) is "not judged" with the
runtime's own refusal as the reason, never a pass. Exit 0 (PASS) when nothing fails,
1 (FAIL) when something does, 2 for usage errors (unknown stack, runtime not installed).
Every process started is stopped, also on failure or Ctrl+C.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import io
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Optional, TextIO

from golive import outputs, results
from golive.program import STACKS_DIR
from golive.redact import Redactor
from golive.rehearse import artifacts, install, runtime
from golive.rehearse import env as env_mod
from golive.rehearse.artifacts import Artifact, ArtifactServer
from golive.rehearse.env import RuntimeEnv, StandIns
from golive.rehearse.runtime import BootFailed, Installation
from golive.results import Finding, Report, Status, Tool
from golive.verify import checks
from objectos_core.checklist import AWS_VERIFIED, BY_ID
from objectos_core.headers import HeaderSet
from settings import files
from settings.errors import SettingsError
from settings.load import load_stack
from settings.model import Settings
from testing.mocks import Registration

EXIT_USAGE = 2
MULTI_NODE_REFUSED = "multi-node not authorized"
INTEGRITY_FAILED = "Integrity check FAILED"
PIN_VERIFIED = "sha256 verified"
CA_VAR = "NODE_EXTRA_CA_CERTS"
TOPOLOGY_VARS = ("OS_CLUSTER_REPLICAS", "OS_EXPECT_MULTI_NODE")
"""What declares more than one node: dropped to rehearse one process when the edition cannot run more."""
LOG_TAIL = 1200

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Options:
    stack: str
    stack_file: Optional[Path] = None
    app: Optional[Path] = None
    """ObjectStack project folder (objectstack.config.ts) to compile and boot; default the kit's sample app."""
    release: bool = True
    """Rehearse `golive release` then `golive rollback` with two artifact versions (two more boots)."""
    probe_rate_limit: bool = True
    refusals: bool = True
    """Boot what the runtime must refuse: the declared multi-node topology (open runtime) and a wrong pin."""
    json_path: Optional[Path] = None
    junit_path: Optional[Path] = None


@dataclass
class Inputs:
    """What the rehearsal stands up, read from the offline preview; a test may weaken any of it."""

    settings: Settings
    resources: list[Registration]
    headers: HeaderSet
    app: Path
    pin: Optional[str] = None
    """The sha256 the boot pins; None pins the artifact's own (a test plants a wrong one)."""


@dataclass
class Outcome:
    """The report, and the process groups started (all ended when the run returns)."""

    report: Report
    notes: dict[str, str]
    stand_ins: list[str]
    groups: list[int] = field(default_factory=list)
    boots: list[dict[str, str]] = field(default_factory=list, repr=False)
    secret_values: tuple[str, ...] = field(default=(), repr=False)  # what every rendering must leave out


def finding(rule: str, check: str, name: str, status: Status, reason: str) -> Finding:
    """A rehearsal's own finding, made as the live verifier makes its findings (it runs beside them)."""
    return checks.outcome(rule, name, status, reason, check=check)


def passed(rule: str, check: str, name: str, reason: str) -> Finding:
    return finding(rule, check, name, Status.PASS, reason)


def failed(rule: str, check: str, name: str, reason: str) -> Finding:
    return finding(rule, check, name, Status.FAIL, reason)


def unjudged(rule: str, check: str, name: str, reason: str) -> Finding:
    return finding(rule, check, name, Status.NOT_JUDGED, reason)


def tail(log: str) -> str:
    """The end of a redacted runtime log, on one line, for a finding's reason."""
    lines = [line.strip() for line in log.splitlines() if line.strip() and "InMemory driver" not in line]
    text = " | ".join(lines)
    return text[-LOG_TAIL:]


class Rehearsal:
    """One run: its temporary folder, the processes it started, the findings so far."""

    def __init__(self, inputs: Inputs, installation: Installation, options: Options, progress: Progress):
        self.inputs, self.installation, self.options, self.say = inputs, installation, options, progress
        self.findings: list[Finding] = []
        self.notes: dict[str, str] = {}
        self.stand_ins: list[str] = []
        self.groups: list[int] = []
        self.boots: list[dict[str, str]] = []
        self.secret_extra: list[str] = []  # values made during the run that must never be printed
        self.pending: list[tuple[int, Future]] = []  # checks running beside the boots: (where their findings go, it)
        self.declared: Optional[RuntimeEnv] = None
        self.topology_changes: dict[str, Optional[str]] = {}  # what makes a multi-node declaration boot one process
        self.stack = contextlib.ExitStack()
        self.workdir = Path(tempfile.mkdtemp(prefix="golive-rehearsal-"))
        self.stack.callback(shutil.rmtree, self.workdir, True)

    def secret_values(self) -> list[str]:
        """Every secret value of the run: the runtime env's, and those made on the way."""
        declared = self.declared.secret_values if self.declared is not None else []
        return [*declared, *self.secret_extra]

    # --- the steps -------------------------------------------------------------------

    def run(self) -> None:
        with self.stack:
            try:
                self.steps()
            finally:
                self.collect()

    def collect(self) -> None:
        """The findings of the checks that ran beside the boots, where they would stand had they run in turn."""
        for slot, running in reversed(self.pending):
            try:
                found = running.result()
            except Exception as exc:  # a check that could not run is a failing finding, as a step is
                found = [failed("redis-encrypted-with-auth", "redis-client", "the runtime's Redis client", str(exc))]
            self.findings[slot:slot] = found
        self.pending.clear()

    def steps(self) -> None:
        self.version()
        from golive.rehearse import pki as pki_mod

        settings = self.inputs.settings
        self.pki = pki_mod.make_pki(self.workdir / "pki", [settings.domain, runtime.LOOPBACK, "localhost"])
        first, second = self.artifacts()
        server = self.stack.enter_context(artifacts.serving(self.workdir / "artifacts", self.pki.cert, self.pki.key))
        redis_url = self.redis()
        declared = self.declared_env(server, first, redis_url)
        if self.options.refusals:
            self.topology(declared)
            self.wrong_pin(declared, server, first)
        else:
            self.skip_refusals(declared)
        booted = self.boot_main(declared, server, first)
        if booted is not None:
            self.edge_and_verify(booted, declared)
        if self.options.release:
            self.release_and_rollback(declared, server, first, second)
        else:
            why = "not run (--no-release)"
            for check in ("release-moves-the-pair", "rollback-moves-the-pair"):
                self.findings.append(unjudged("release-pins-image-and-artifact", check, check.replace("-", " "), why))
        self.say("tearing down")

    def version(self) -> None:
        image = self.inputs.settings.release.image
        choice = install.version_for(image, self.installation.version())
        status = Status.PASS if choice.exact else Status.NOT_JUDGED
        self.findings.append(
            finding(
                "release-pins-image-and-artifact", "runtime-version", "runtime version rehearsed", status, choice.reason
            )
        )

    def artifacts(self) -> tuple[Artifact, Artifact]:
        app = self.inputs.app
        self.say(f"compiling {app.name} with os compile (cached after the first run)")
        source = artifacts.compiled(self.installation, app)
        first, second = artifacts.two_versions(source, self.workdir / "artifacts")
        self.stand_ins.append(
            f"artifact: {app.name} compiled by os compile, served over HTTPS on loopback as versions "
            f"{first.version} and {second.version}"
        )
        return first, second

    def redis(self) -> Optional[str]:
        """A real Redis over TLS with AUTH when the Deployment reads OS_REDIS_URL; its URL, or None."""
        reads_redis = any(
            isinstance(entry, dict) and entry.get("name") == env_mod.catalog.REDIS_URL
            for entry in _container_env(self.inputs.resources)
        )
        if not reads_redis:
            return None
        from golive.rehearse import redis as redis_mod

        self.say("starting redis-server with TLS and AUTH")
        stand_in = self.stack.enter_context(redis_mod.started_redis(self.pki, progress=self.say))
        self.secret_extra.append(stand_in.password)
        # The runtime's client against it, while the runtime boots (the pool ends before Redis stops).
        pool = self.stack.enter_context(ThreadPoolExecutor(max_workers=1, thread_name_prefix="redis-checks"))
        self.pending.append(
            (
                len(self.findings),
                pool.submit(lambda: [c.finding() for c in redis_mod.client_checks(self.installation, stand_in)]),
            )
        )
        self.stand_ins.append(
            f"Redis: redis-server on {stand_in.display_url}, TLS only (no plain port), AUTH with a generated password"
        )
        return stand_in.url

    def declared_env(self, server: ArtifactServer, first: Artifact, redis_url: Optional[str]) -> RuntimeEnv:
        from golive.rehearse import tenancy

        stand_ins = StandIns(
            port=runtime.free_port(),
            database_url=tenancy.DATABASE_URL,
            artifact_url=server.url(first),
            redis_url=redis_url,
        )
        declared = env_mod.server_env(self.inputs.resources, stand_ins)
        declared.env[CA_VAR] = str(self.pki.ca_cert)
        declared.replaced[CA_VAR] = (
            "the rehearsal's local CA (the cloud's artifact host and Redis have public or AWS certificates)"
        )
        self.stand_ins += declared.describe()
        self.declared = declared
        return declared

    def boot(
        self, declared: RuntimeEnv, changes: Mapping[str, Optional[str]], what: str
    ) -> contextlib.AbstractContextManager[runtime.Runtime]:
        env = {k: v for k, v in {**declared.env, **changes}.items() if v is not None}
        env["OS_PORT"] = str(runtime.free_port())
        self.boots.append(env)
        self.say(f"booting the runtime: {what}")
        return runtime.started(
            self.installation, env, secret_values=declared.secret_values + self.secret_extra,
            progress=self.say,
        )  # fmt: skip

    def topology(self, declared: RuntimeEnv) -> None:
        """Boot exactly what the Deployment declares when it declares more than one node."""
        replicas = _replicas(self.inputs.resources)
        edition = self.inputs.settings.runtime_edition or "open"
        rule, check, name = "runtime-edition-topology", "declared-topology-boots", f"{replicas} replicas as declared"
        if replicas <= 1 and not any(var in declared.env for var in TOPOLOGY_VARS):
            self.findings.append(
                passed(rule, check, "one replica as declared", "one process, as the Deployment declares")
            )
            return
        with self.boot(declared, {}, f"the declared topology ({replicas} replicas)") as process:
            self.groups.append(process.process.pid)
            try:
                process.wait_ready(progress=self.say)
                booted, log = True, process.log()
            except BootFailed as exc:
                booted, log = False, exc.log
        self.topology_changes = dict.fromkeys(TOPOLOGY_VARS)
        if booted:
            self.findings.append(passed(rule, check, name, f"the runtime booted with {replicas} replicas declared"))
            return
        if MULTI_NODE_REFUSED in log and edition == "licensed":
            reason = (
                f"not provable on the open runtime: it refused {replicas} replicas ('{MULTI_NODE_REFUSED}'), as it "
                "must without the licensed gate; prove multi-node on the licensed image. Rehearsing one process"
            )
            self.findings.append(unjudged(rule, check, name, reason))
        else:
            self.findings.append(failed(rule, check, name, f"the declared topology does not boot: {tail(log)}"))

    def skip_refusals(self, declared: RuntimeEnv) -> None:
        why = "not run (--no-refusals)"
        self.topology_changes = dict.fromkeys(TOPOLOGY_VARS) if _replicas(self.inputs.resources) > 1 else {}
        self.findings.append(unjudged("runtime-edition-topology", "declared-topology-boots", "declared topology", why))
        self.findings.append(
            unjudged("release-pins-image-and-artifact", "wrong-pin-refused", "a wrong artifact pin", why)
        )

    def wrong_pin(self, declared: RuntimeEnv, server: ArtifactServer, first: Artifact) -> None:
        rule, check, name = "release-pins-image-and-artifact", "wrong-pin-refused", "a wrong artifact pin"
        wrong = server.url(first, sha256="0" * 64)
        with self.boot(
            declared, {**self.topology_changes, "OS_ARTIFACT_URL": wrong}, "a wrong artifact pin"
        ) as process:
            self.groups.append(process.process.pid)
            try:
                process.wait_ready(progress=self.say)
                refused, log = False, process.log()
            except BootFailed as exc:
                refused, log = True, exc.log
        if refused and INTEGRITY_FAILED in log:
            self.findings.append(passed(rule, check, name, f"the runtime refused to boot ('{INTEGRITY_FAILED}')"))
        elif refused:
            self.findings.append(failed(rule, check, name, f"the boot failed, but not on the pin: {tail(log)}"))
        else:
            self.findings.append(failed(rule, check, name, "the runtime booted an artifact whose pin does not match"))

    def boot_main(self, declared: RuntimeEnv, server: ArtifactServer, first: Artifact) -> Optional[runtime.Runtime]:
        rule, check = "pods-can-start", "declared-env-boots"
        url = server.url(first, sha256=self.inputs.pin)
        changes = {**self.topology_changes, "OS_ARTIFACT_URL": url}
        process = self.stack.enter_context(self.boot(declared, changes, f"the declared env, artifact {first.version}"))
        self.groups.append(process.process.pid)
        try:
            seconds = process.wait_ready(progress=self.say)
        except BootFailed as exc:
            self.findings.append(failed(rule, check, "the declared env boots", f"{exc}: {tail(exc.log)}"))
            return None
        self.findings.append(
            passed(
                rule, check, "the declared env boots", f"ready after {seconds:.0f} s on {self.installation.version()}"
            )
        )
        self.findings.append(
            self.pin_check(process, server.served, first, "pin-verified", "artifact pin verified at boot")
        )
        return process

    def pin_check(
        self, process: runtime.Runtime, served: list[str], artifact: Artifact, check: str, name: str
    ) -> Finding:
        rule = "release-pins-image-and-artifact"
        fetched = f"/{artifact.path.name}" in served
        verified = process.wait_log(PIN_VERIFIED, timeout=5.0) and artifact.path.name in process.log()
        if fetched and verified:
            return passed(rule, check, name, f"booted version {artifact.version}, its #sha256= pin verified")
        return failed(rule, check, name, f"the runtime did not boot {artifact.path.name} with its pin verified")

    def edge_and_verify(self, process: runtime.Runtime, declared: RuntimeEnv) -> None:
        from golive.rehearse import edge as edge_mod

        settings = self.inputs.settings
        limits = settings.rate_limits
        rates = {"auth": limits.auth, "write": limits.write, "read": limits.read}
        self.say("starting nginx as the edge")
        edge = self.stack.enter_context(
            edge_mod.started_edge(
                self.inputs.headers, rates, f"{runtime.LOOPBACK}:{process.port}", self.pki, progress=self.say
            )
        )
        for rule, note in edge_mod.fidelity():
            self.notes[rule] = f"{self.notes[rule]}; {note}" if rule in self.notes else note
        self.stand_ins.append(f"edge: nginx on {edge.https_url} (TLS from the local CA) and {edge.http_url}")
        probes, environ = self.tenancy(process)
        self.say("running golive verify's checks against the edge")
        self.findings += self.verify(edge, probes, environ)
        self.findings += tenancy_posture(process.log())

    def tenancy(self, process: runtime.Runtime) -> tuple[list[Any], dict[str, str]]:
        from golive.rehearse import tenancy
        from golive.verify import access

        self.say("creating two owners through the runtime's API")
        try:
            owners = tenancy.seed(process.url, tenancy.REHEARSAL_OBJECT, grant=tenancy.REHEARSAL_GRANT)
        except tenancy.SeedFailed as exc:  # a refusal is a finding on this step, the rest still runs
            self.findings.append(
                failed("cross-org-access-denied", "owners-created", "two owners through the API", str(exc))
            )
            return [], {}
        self.secret_extra += list(owners.secret_values)
        text, environ = tenancy.probes(owners)
        probe_file = self.workdir / "access-probes.yaml"
        probe_file.write_text(text, encoding="utf-8")
        self.secret_extra += list(environ.values())
        return access.load(probe_file), dict(environ)

    def verify(self, edge: Any, probes: list[Any], environ: Mapping[str, str]) -> list[Finding]:
        from golive.verify import command as verify
        from golive.verify import web

        settings = self.inputs.settings
        options = verify.Options(
            stack=settings.stack,
            url=edge.https_url,
            http_url=edge.http_url,
            probe_rate_limit=self.options.probe_rate_limit,
            ca_file=self.pki.ca_cert,
        )
        where = web.target(edge.https_url, edge.http_url)
        found = verify.live_checks(
            options, settings, where, verify.trust(self.pki.ca_cert), probes, environ, datetime.now(UTC),
            rate_settle_seconds=0.0,
        )  # fmt: skip
        kept = [f for f in found if f.rule not in AWS_VERIFIED or f.status is not Status.NOT_JUDGED]
        why = "AWS resources are not rehearsed on one machine: run golive verify --aws against the deployed stack"
        kept += [unjudged(rule, "aws-resources", "AWS resources", why) for rule in AWS_VERIFIED]
        return kept

    def release_and_rollback(
        self, declared: RuntimeEnv, server: ArtifactServer, first: Artifact, second: Artifact
    ) -> None:
        from golive import release

        rule = "release-pins-image-and-artifact"
        scratch = self.workdir / "stacks"
        stack = self.inputs.settings.stack
        source_file = self.options.stack_file or (STACKS_DIR / f"Pulumi.{stack}.yaml")
        (scratch / "releases").mkdir(parents=True)
        shutil.copy(source_file, scratch / f"Pulumi.{stack}.yaml")
        history = STACKS_DIR / "releases" / f"{stack}.yaml"
        if self.options.stack_file is None and history.is_file():
            shutil.copy(history, scratch / "releases" / f"{stack}.yaml")
        image = self.inputs.settings.release.image
        images = (_image_variant(image, "1"), _image_variant(image, "2"))
        base, forward = server.url(first), server.url(second)
        steps = (
            ("release-sets-the-pair", "release 1 (base)", first, images[0],
             lambda out, err: release.release(stack, images[0], base, "rehearsal-1", False, scratch, out=out, err=err)),
            ("release-moves-the-pair", f"release to {second.version}", second, images[1],
             lambda out, err: release.release(stack, images[1], forward, "rehearsal-2", False, scratch, out=out, err=err)),
            ("rollback-moves-the-pair", f"rollback to {first.version}", first, images[0],
             lambda out, err: release.rollback(stack, None, scratch, out=out, err=err)),
        )  # fmt: skip
        for index, (check, name, artifact, image_pin, command) in enumerate(steps):
            out, err = io.StringIO(), io.StringIO()
            code = command(out, err)
            verb = "rollback" if index == 2 else "release"
            if code != 0:
                problem = err.getvalue().strip()[-400:]
                self.findings.append(failed(rule, check, name, f"golive {verb} exited {code}: {problem}"))
                return
            _, pinned = load_stack(stack, scratch)
            if (pinned.release.image, pinned.release.artifact_url) != (image_pin, server.url(artifact)):
                self.findings.append(failed(rule, check, name, f"golive {verb} did not move both pins together"))
                return
            if index == 0:
                continue  # the base release: the main boot already ran this artifact
            before = len(server.served)
            changes = {**self.topology_changes, "OS_ARTIFACT_URL": pinned.release.artifact_url}
            with self.boot(declared, changes, f"after golive {verb} to {artifact.version}") as process:
                self.groups.append(process.process.pid)
                try:
                    process.wait_ready(progress=self.say)
                except BootFailed as exc:
                    self.findings.append(failed(rule, check, name, f"the runtime did not boot: {tail(exc.log)}"))
                    return
                served_now = server.served[before:]
                result = self.pin_check(process, served_now, artifact, check, name)
            if result.status is Status.PASS:
                result = dataclasses.replace(
                    result,
                    reason=f"image and artifact moved together ({_short(image_pin)}, {artifact.version}); {result.reason}",
                )
            self.findings.append(result)


def _image_variant(image: str, label: str) -> str:
    """A second image pin for the release rehearsal: the same repository, another digest."""
    import hashlib

    repository = image.split("@", 1)[0].rsplit(":", 1)[0] if "@" in image else image.rsplit(":", 1)[0]
    digest = hashlib.sha256(f"{image}#{label}".encode()).hexdigest()
    return f"{repository}@sha256:{digest}"


def _short(image: str) -> str:
    return image.rsplit("@sha256:", 1)[-1][:12]


def _container_env(resources: list[Registration]) -> list[Any]:
    container = env_mod.server_container(env_mod.server_deployment(resources))
    return [entry for entry in container.get("env") or [] if isinstance(entry, dict)]


def _replicas(resources: list[Registration]) -> int:
    """How many nodes the Deployment declares: OS_CLUSTER_REPLICAS (the runtime reads it), else spec.replicas."""
    declared = [entry.get("value") for entry in _container_env(resources) if isinstance(entry, dict)
                and entry.get("name") == TOPOLOGY_VARS[0]]  # fmt: skip
    spec = (env_mod.server_deployment(resources).inputs.get("spec") or {}).get("replicas", 1)
    counts = []
    for value in (*declared, spec):
        try:
            counts.append(int(float(value)))
        except (TypeError, ValueError):
            continue
    return max(counts, default=1)


def redis_findings(checked: Any) -> list[Finding]:
    """The Redis stand-in's checks as findings of redis-encrypted-with-auth."""
    rule = "redis-encrypted-with-auth"
    found = []
    for check, name, ok, reason in getattr(checked, "checks", ()):
        found.append(finding(rule, check, name, Status.PASS if ok else Status.FAIL, reason))
    return found


def tenancy_posture(log: str) -> list[Finding]:
    """What the open runtime's tenancy lets the rehearsal prove: cross-owner, not cross-organization."""
    posture = next(
        (line.split(":", 1)[1].strip() for line in log.splitlines() if line.strip().startswith("Tenancy:")), ""
    )
    rule, check, name = "cross-org-access-denied", "organization-walls", "cross-organization walls"
    if posture == "single":
        reason = (
            "the open runtime is single-org ('Tenancy: single'; isolated or group needs the licensed "
            "@objectstack/organizations): cross-owner record security was probed instead; prove organization "
            "walls with golive verify --access on the licensed image"
        )
        return [unjudged(rule, check, name, reason)]
    return [unjudged(rule, check, name, f"tenancy posture '{posture or 'unknown'}': organizations not probed here")]


# --- the command --------------------------------------------------------------------


def inputs_for(options: Options, say: Progress) -> Inputs:
    from golive.preview import run_preview
    from program.adapters import header_set

    config, settings = load_stack(options.stack, STACKS_DIR, options.stack_file)
    say(f"offline preview of stack '{options.stack}' (the graph the rehearsal stands up)")
    preview = run_preview(config, settings)
    return Inputs(
        settings=settings,
        resources=copy.deepcopy(list(preview.result.resources)),
        headers=header_set(settings),
        app=options.app or artifacts.APP,
    )


def rehearse(
    inputs: Inputs, options: Options, progress: Progress, installation: Optional[Installation] = None
) -> Outcome:
    started, clock = datetime.now(UTC), time.monotonic()
    rehearsal = Rehearsal(inputs, installation or install.installation(), options, progress)
    try:
        rehearsal.run()
    except Exception as exc:  # a step that cannot go on is a failing finding, and the report still comes out
        what = exc.__class__.__name__
        rehearsal.findings.append(failed("pods-can-start", "rehearsal", "the rehearsal", f"stopped ({what}): {exc}"))
    # Every value made during the run (generated secrets, the Redis password, the owners' tokens) is
    # masked in every finding, in every spelling, before any rendering sees it.
    redactor = Redactor(rehearsal.secret_values())
    masked = [redactor.fields(f, ("reason", "name", "resource")) for f in rehearsal.findings]
    stand_ins = [redactor.text(line) for line in rehearsal.stand_ins]
    report = Report(
        Tool.REHEARSE,
        inputs.settings.stack,
        results.ordered(masked, BY_ID),
        url=None,
        started_at=started.isoformat(timespec="seconds"),
        seconds=time.monotonic() - clock,
        environment=inputs.settings.environment,
    )
    return Outcome(
        report, rehearsal.notes, stand_ins, rehearsal.groups, rehearsal.boots, tuple(rehearsal.secret_values())
    )


def main(
    options: Options,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
    adjust: Optional[Callable[[Inputs], Inputs]] = None,
) -> int:
    clock = time.monotonic()

    def say(message: str) -> None:
        print(f"rehearse [{time.monotonic() - clock:6.1f} s] {message}", file=err, flush=True)

    def usage(message: str) -> int:
        print(f"golive rehearse: error: {files.clip_lines(message)}", file=err)
        return EXIT_USAGE

    targets = (("--json", options.json_path), ("--junit", options.junit_path))
    stack_path = options.stack_file or STACKS_DIR / f"Pulumi.{options.stack}.yaml"
    refused = outputs.check(targets, (stack_path, options.app and options.app / artifacts.CONFIG_FILE))
    if refused:
        return usage(refused)
    if options.app is not None and not (options.app / artifacts.CONFIG_FILE).is_file():
        return usage(f"--app {options.app}: no {artifacts.CONFIG_FILE}; give an ObjectStack project folder")
    reason = install.missing()
    if reason is not None:
        return usage(reason)
    try:
        inputs = inputs_for(options, say)
    except SettingsError as exc:
        print(files.clip_lines(str(exc)), file=err)
        return EXIT_USAGE
    if adjust is not None:
        inputs = adjust(inputs)
    outcome = rehearse(inputs, options, say)
    stdout = out
    if any(outputs.is_stdout(path) for _, path in targets):
        out = err
    print_report(outcome, out)
    for option, path, text in (
        ("--json", options.json_path, lambda: json_text(outcome)),
        ("--junit", options.junit_path, lambda: junit_text(outcome)),
    ):
        if path:
            try:
                outputs.write(path, text(), stdout)
            except OSError as exc:
                return usage(f"{option} {path}: cannot write the results ({exc.strerror or exc})")
    return outcome.report.exit_code


# --- rendering ----------------------------------------------------------------------


def note_for(finding: Finding, notes: Mapping[str, str]) -> Optional[str]:
    """The fidelity note of a finding: by its id, its sub-check, or its rule (none for the AWS rows)."""
    if finding.check == "aws-resources":
        return None
    for key in (finding.id, finding.check or "", finding.rule):
        if key and key in notes:
            return notes[key]
    return None


def print_report(outcome: Outcome, out: TextIO) -> None:
    """The verdict first, then one row per finding, then where the rehearsal is not AWS, then what is local."""
    report = outcome.report
    print(f"Go-live rehearsal of stack '{report.stack}' on loopback", file=out)
    print(f"Verdict: {report.verdict}: {report.summary()} ({report.seconds or 0:.1f} s)", file=out)
    rule_width = max((len(f.rule) for f in report.findings), default=0)
    for f in report.findings:
        print(f"  {f.status.label:<{results.LABEL_WIDTH}} {f.rule:<{rule_width}}  {f.name or ''}: {f.reason}", file=out)
    shown = {}
    for f in report.findings:
        note = note_for(f, outcome.notes)
        if note and f.status is not Status.NOT_JUDGED:
            shown.setdefault(f.rule, note)
    if shown:
        print("Fidelity (where this rehearsal is not AWS):", file=out)
        for rule, note in shown.items():
            print(f"  - {rule}: {note}", file=out)
    if outcome.stand_ins:
        print("Stand-ins (what is local in this rehearsal):", file=out)
        for line in outcome.stand_ins:
            print(f"  - {line}", file=out)


def json_text(outcome: Outcome) -> str:
    import json

    document = outcome.report.to_json()
    for entry, f in zip(document["findings"], outcome.report.findings, strict=True):
        entry["fidelity"] = note_for(f, outcome.notes)
    document["standIns"] = list(outcome.stand_ins)
    return json.dumps(document, indent=2) + "\n"


def junit_text(outcome: Outcome) -> str:
    noted = tuple(
        dataclasses.replace(f, reason=f"{f.reason} (fidelity: {note})") if (note := note_for(f, outcome.notes)) else f
        for f in outcome.report.findings
    )
    return results.junit_text(dataclasses.replace(outcome.report, findings=noted))
