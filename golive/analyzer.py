"""Run the policy pack as the Pulumi CLI does, and speak the analyzer protocol to it.

The CLI starts a Python pack with `python -u -m pulumi.policy <engine> .` in the
pack's folder (in the pack's virtualenv when PulumiPolicy.yaml names one that
exists), reads the gRPC port from the first line of its stdout, then calls
GetAnalyzerInfo, Configure, ConfigureStack, Analyze once per resource and
AnalyzeStack once with the whole graph. This module does the same with the
graph recorded by the offline preview, so `golive preview` and
`pulumi preview --policy-pack policy` run exactly the same code.
"""

from __future__ import annotations

import atexit
import os
import subprocess
import sys
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import grpc
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime import rpc
from pulumi.runtime.proto import analyzer_pb2 as pb
from pulumi.runtime.proto import analyzer_pb2_grpc as pb_grpc

from policy import lifeline
from settings import files
from testing.mocks import Registration

PACK_DIR = Path(__file__).resolve().parent.parent / "policy"
START_TIMEOUT_SECONDS = 60.0
CALL_TIMEOUT_SECONDS = 120.0
NO_ENGINE = "127.0.0.1:0"  # the pack only uses the engine address for logging; offline there is none
_MAX_MESSAGE = 400 * 1024 * 1024  # as the policy SDK allows
LEVELS = {pb.ADVISORY: "advisory", pb.MANDATORY: "mandatory", pb.REMEDIATE: "remediate", pb.DISABLED: "disabled"}
LEVEL_CODES = {name: code for code, name in LEVELS.items()}
SEVERITIES = {
    pb.POLICY_SEVERITY_UNSPECIFIED: "",
    pb.POLICY_SEVERITY_LOW: "low",
    pb.POLICY_SEVERITY_MEDIUM: "medium",
    pb.POLICY_SEVERITY_HIGH: "high",
    pb.POLICY_SEVERITY_CRITICAL: "critical",
}


class AnalyzerError(Exception):
    """The pack could not be started, configured or asked."""


class PackConfigError(AnalyzerError):
    """The pack config names a policy, a setting or a level the pack does not have."""


@dataclass(frozen=True)
class PolicyInfo:
    name: str
    description: str
    enforcement: str
    severity: str
    stack_policy: bool
    display_name: str = ""
    remediation: str = ""
    config_schema: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PackInfo:
    name: str
    version: str
    policies: tuple[PolicyInfo, ...]


@dataclass(frozen=True)
class Diagnostic:
    policy: str
    message: str  # the violation, without the policy's description
    urn: str
    enforcement: str  # advisory | mandatory
    severity: str


# --- the pack process ------------------------------------------------------------------


def pack_python(pack_dir: Path = PACK_DIR) -> str:
    """The interpreter the CLI would use: the pack's own virtualenv when it exists."""
    manifest = pack_dir / "PulumiPolicy.yaml"
    options = {}
    if manifest.exists():
        runtime = (files.load_yaml(manifest) or {}).get("runtime")
        options = runtime.get("options", {}) if isinstance(runtime, dict) else {}
    venv = options.get("virtualenv")
    if venv:
        candidate = (pack_dir / venv / "bin" / "python").resolve()
        if candidate.exists():
            return str(candidate)
    return sys.executable


def _lifeline(env: dict[str, str]) -> None:
    """Name this process as the pack's parent, so the pack asks the kernel to stop it when we die,
    even by SIGKILL, where no atexit handler runs (policy/lifeline.py). The kernel ties this to
    the spawning thread, so only a pack started from the main thread (which lives as long as the
    process) gets it. A value inherited from our own environment is never passed on: it names
    another process."""
    env.pop(lifeline.PARENT_VAR, None)
    if threading.current_thread() is threading.main_thread():
        env[lifeline.PARENT_VAR] = str(os.getpid())


class PolicyPackProcess:
    """One running policy pack and a gRPC client to it."""

    def __init__(self, pack_dir: Path = PACK_DIR, python: Optional[str] = None):
        self.pack_dir = pack_dir
        self.python = python or pack_python(pack_dir)
        self._proc: Optional[subprocess.Popen] = None
        self._port: Optional[str] = None
        self._ready = threading.Event()
        self._stderr: list[str] = []
        self._channel: Optional[grpc.Channel] = None
        self._stub: Optional[pb_grpc.AnalyzerStub] = None
        self._info: Optional[PackInfo] = None
        self.lock = threading.Lock()  # one conversation (configure, analyze) at a time
        self.inflight: Optional[Pending] = None  # a new configuration waits until this analysis is done

    def start(self) -> PolicyPackProcess:
        """Start the pack; returns at once so the caller can work while it boots."""
        if self._proc is not None or self._ready.is_set():
            return self
        # The pack needs none of the caller's Pulumi settings (access tokens, config passphrases).
        env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_")}
        env["PYTHONUNBUFFERED"] = "1"
        _lifeline(env)
        try:
            self._proc = subprocess.Popen(
                [self.python, "-u", "-m", "pulumi.policy", NO_ENGINE, "."],
                cwd=self.pack_dir,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        except OSError as exc:
            self._stderr.append(str(exc))
            self._ready.set()
            return self
        threading.Thread(target=self._read_stdout, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()
        return self

    def _read_stdout(self) -> None:
        assert self._proc is not None and self._proc.stdout is not None
        for line in self._proc.stdout:
            if self._port is None and line.strip().isdigit():
                self._port = line.strip()
                self._ready.set()
        self._ready.set()  # the process ended: wake the waiter

    def _read_stderr(self) -> None:
        assert self._proc is not None and self._proc.stderr is not None
        for line in self._proc.stderr:
            if len(self._stderr) < 200:
                self._stderr.append(line.rstrip())

    @property
    def stub(self) -> pb_grpc.AnalyzerStub:
        if self._stub is None:
            self.start()
            if not self._ready.wait(START_TIMEOUT_SECONDS) or self._port is None:
                self.close()
                detail = "\n".join(self._stderr[-20:]) or "no output"
                raise AnalyzerError(f"the policy pack in {self.pack_dir} did not start:\n{detail}")
            options = [
                ("grpc.max_receive_message_length", _MAX_MESSAGE),
                ("grpc.max_send_message_length", _MAX_MESSAGE),
            ]
            self._channel = grpc.insecure_channel(f"127.0.0.1:{self._port}", options=options)
            self._stub = pb_grpc.AnalyzerStub(self._channel)
        return self._stub

    @property
    def alive(self) -> bool:
        """Started and not exited (a pack not started yet counts as alive)."""
        if self._proc is None:
            return not self._ready.is_set()
        return self._proc.poll() is None

    def close(self) -> None:
        if self._channel is not None:
            self._channel.close()
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
        self._stub = self._channel = None

    # --- the analyzer protocol -------------------------------------------------------------

    def _call(self, method: str, request: Any) -> Any:
        try:
            return getattr(self.stub, method)(request, timeout=CALL_TIMEOUT_SECONDS)
        except grpc.RpcError as exc:
            raise AnalyzerError(
                f"policy pack {method} failed: {exc.details() if hasattr(exc, 'details') else exc}"
            ) from None

    def info(self) -> PackInfo:
        """The pack's name, version and policies (asked once: they cannot change while it runs)."""
        if self._info is None:
            self._info = self._ask_info()
        return self._info

    def _ask_info(self) -> PackInfo:
        reply = self._call("GetAnalyzerInfo", empty_pb2.Empty())
        policies = tuple(
            PolicyInfo(
                name=p.name,
                description=p.description,
                enforcement=LEVELS.get(p.enforcementLevel, "advisory"),
                severity=SEVERITIES.get(p.severity, ""),
                stack_policy=p.policy_type == pb.POLICY_TYPE_STACK,
                display_name=p.displayName,
                remediation=p.remediation_steps,
                config_schema=json_format.MessageToDict(p.configSchema.properties)
                if p.HasField("configSchema")
                else {},
            )
            for p in reply.policies
        )
        return PackInfo(reply.name, reply.version, policies)

    def configure(self, config: Mapping[str, Any], policies: Sequence[PolicyInfo]) -> dict[str, str]:
        """Send the pack config as the CLI does; returns each policy's enforcement level."""
        resolved = resolve_config(config, policies)
        if self.inflight is not None:
            self.inflight.wait()  # the previous analysis ran under the previous configuration
        request = pb.ConfigureAnalyzerRequest()
        for name, (level, properties) in resolved.items():
            entry = request.policyConfig[name]
            entry.enforcementLevel = LEVEL_CODES[level]
            entry.properties.update(properties)
        self._call("Configure", request)
        return {name: level for name, (level, _) in resolved.items()}

    def configure_stack(self, stack: str, project: str, tags: Mapping[str, str]) -> None:
        self._call(
            "ConfigureStack",
            pb.AnalyzerStackConfigureRequest(stack=stack, project=project, dry_run=True, tags=dict(tags)),
        )

    def analyze(self, resources: Sequence[Registration]) -> list[Diagnostic]:
        """Analyze every resource, as the engine does when each one is registered."""
        return self.submit(resources, stack=False).result()

    def analyze_stack(self, resources: Sequence[Registration]) -> list[Diagnostic]:
        """Analyze the whole graph once, as the engine does at the end of a preview."""
        return self.submit(resources, resource=False).result()

    def submit(self, resources: Sequence[Registration], resource: bool = True, stack: bool = True) -> Pending:
        """Send every Analyze call and the AnalyzeStack call at once; the pack works while the caller does."""
        providers = _providers(resources)
        calls: list[tuple[Any, str]] = []
        stub = self.stub
        if resource:
            for registration in resources:
                request = pb.AnalyzeRequest(
                    urn=registration.urn,
                    type=registration.type,
                    name=registration.name,
                    properties=engine_properties(registration.raw_inputs),
                    options=_options(registration),
                )
                provider = _provider_of(registration, providers)
                if provider is not None:
                    request.provider.CopyFrom(provider)
                calls.append((stub.Analyze.future(request, timeout=CALL_TIMEOUT_SECONDS), registration.urn))
        if stack:
            calls.append(
                (stub.AnalyzeStack.future(_stack_request(resources, providers), timeout=CALL_TIMEOUT_SECONDS), "")
            )
        self.inflight = Pending(calls)
        return self.inflight


class Pending:
    """Analyze calls in flight; `result()` waits for all of them."""

    def __init__(self, calls: list[tuple[Any, str]]):
        self._calls = calls

    def wait(self) -> None:
        for future, _ in self._calls:
            try:
                future.result()
            except grpc.RpcError:
                pass

    def result(self) -> list[Diagnostic]:
        found: list[Diagnostic] = []
        for future, urn in self._calls:
            try:
                found += _diagnostics(future.result(), default_urn=urn)
            except grpc.RpcError as exc:
                raise AnalyzerError(
                    f"policy pack analysis failed: {exc.details() if hasattr(exc, 'details') else exc}"
                ) from None
        return found


def _stack_request(resources: Sequence[Registration], providers: Mapping[str, Registration]) -> pb.AnalyzeStackRequest:
    request = pb.AnalyzeStackRequest()
    for registration in resources:
        entry = request.resources.add(
            urn=registration.urn,
            type=registration.type,
            name=registration.name,
            properties=engine_properties(registration.raw_inputs),
            options=_options(registration),
            parent=registration.parent,
            dependencies=registration.dependencies,
        )
        for key, urns in registration.property_dependencies.items():
            entry.propertyDependencies[key].urns.extend(urns)
        provider = _provider_of(registration, providers)
        if provider is not None:
            entry.provider.CopyFrom(provider)
    return request


# --- the CLI's handling of pack configuration --------------------------------------------


def resolve_config(config: Mapping[str, Any], policies: Sequence[PolicyInfo]) -> dict[str, tuple[str, dict]]:
    """Policy name -> (enforcement level, properties), as the CLI builds it from a config file.

    The policy's own level, overridden by `all`, overridden by the policy's entry; properties
    start from the schema defaults. Unknown policies and wrongly typed values are errors.
    """
    known = {p.name for p in policies}
    unknown = sorted(set(config) - known - {"all"})
    if unknown:
        raise PackConfigError(f"the policy config names unknown policies: {', '.join(unknown)}")
    default_level = config.get("all")
    if default_level is not None and default_level not in LEVEL_CODES:
        raise PackConfigError(f"the policy config's 'all' is '{default_level}'; use advisory, mandatory or disabled")
    resolved: dict[str, tuple[str, dict]] = {}
    for policy in policies:
        level = default_level or policy.enforcement
        properties = {k: spec["default"] for k, spec in policy.config_schema.items() if "default" in spec}
        entry = config.get(policy.name)
        if isinstance(entry, str):
            level = entry
        elif isinstance(entry, Mapping):
            level = entry.get("enforcementLevel", level)
            for key, value in entry.items():
                if key == "enforcementLevel":
                    continue
                spec = policy.config_schema.get(key)
                if spec is None:
                    raise PackConfigError(f"the policy config sets '{key}' on {policy.name}, which has no such setting")
                _check_value(policy.name, key, value, spec)
                properties[key] = value
        elif entry is not None:
            raise PackConfigError(
                f"the policy config gives {policy.name} {entry!r}; give a level (advisory, mandatory, disabled) "
                "or an object of its settings"
            )
        if level not in LEVEL_CODES:
            raise PackConfigError(f"the policy config gives {policy.name} the level '{level}'")
        resolved[policy.name] = (level, properties)
    return resolved


_JSON_TYPES = {"integer": int, "number": (int, float), "string": str, "boolean": bool, "array": list, "object": dict}


def _check_value(policy: str, key: str, value: Any, spec: Mapping[str, Any]) -> None:
    expected = spec.get("type")
    python_type = _JSON_TYPES.get(expected)
    wrong = python_type is not None and (
        not isinstance(value, python_type) or (expected in ("integer", "number") and isinstance(value, bool))
    )
    if wrong:
        raise PackConfigError(f"{policy}.{key} must be a {expected}, got {value!r}")
    if "enum" in spec and value not in spec["enum"]:
        raise PackConfigError(f"{policy}.{key} must be one of {spec['enum']}, got {value!r}")
    if "minimum" in spec and isinstance(value, (int, float)) and value < spec["minimum"]:
        raise PackConfigError(f"{policy}.{key} must be at least {spec['minimum']}, got {value!r}")


# --- building requests from the recorded graph --------------------------------------------


def engine_properties(struct: Optional[struct_pb2.Struct]) -> struct_pb2.Struct:
    """Properties as the engine forwards them: secrets kept wrapped, resource references and
    output values flattened to plain values (the engine marshals without them)."""
    result = struct_pb2.Struct()
    if struct is None:
        return result
    if not _needs_flattening(struct):
        result.CopyFrom(struct)
        return result
    result.update(_flatten(json_format.MessageToDict(struct)))
    return result


_FLATTENED_SIGS = (rpc._special_resource_sig.encode(), rpc._special_output_value_sig.encode())


def _needs_flattening(struct: struct_pb2.Struct) -> bool:
    wire = struct.SerializeToString()
    return any(sig in wire for sig in _FLATTENED_SIGS)


def _flatten(value: Any) -> Any:
    if isinstance(value, dict):
        sig = value.get(rpc._special_sig_key)
        if sig == rpc._special_resource_sig:
            return value.get("id") or value.get("urn")
        if sig == rpc._special_output_value_sig:
            inner = _flatten(value["value"]) if "value" in value else rpc.UNKNOWN
            if value.get("secret"):
                return {rpc._special_sig_key: rpc._special_secret_sig, "value": inner}
            return inner
        return {k: _flatten(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_flatten(v) for v in value]
    return value


def _options(registration: Registration) -> pb.AnalyzerResourceOptions:
    return pb.AnalyzerResourceOptions(
        protect=registration.protect,
        ignoreChanges=registration.ignore_changes,
        deleteBeforeReplace=registration.delete_before_replace,
        deleteBeforeReplaceDefined=registration.delete_before_replace,
        parent=registration.parent,
    )


def _providers(resources: Iterable[Registration]) -> dict[str, Registration]:
    return {r.urn: r for r in resources if r.type.startswith("pulumi:providers:")}


def _provider_of(
    registration: Registration, providers: Mapping[str, Registration]
) -> Optional[pb.AnalyzerProviderResource]:
    """The explicit provider a resource names (a reference is `<urn>::<id>`)."""
    provider = providers.get(registration.provider.rsplit("::", 1)[0]) if registration.provider else None
    return _provider(provider) if provider is not None else None


def _provider(registration: Registration) -> pb.AnalyzerProviderResource:
    return pb.AnalyzerProviderResource(
        type=registration.type,
        properties=engine_properties(registration.raw_inputs),
        urn=registration.urn,
        name=registration.name,
    )


def _diagnostics(reply: pb.AnalyzeResponse, default_urn: str) -> list[Diagnostic]:
    found = []
    for d in reply.diagnostics:
        message = d.message
        if d.description and message.startswith(d.description):
            message = message[len(d.description) :].lstrip("\n") or d.description
        found.append(
            Diagnostic(
                policy=d.policyName,
                message=message,
                urn=d.urn or default_urn,
                enforcement=LEVELS.get(d.enforcementLevel, "advisory"),
                severity=SEVERITIES.get(d.severity, ""),
            )
        )
    return found


# --- one pack per process ---------------------------------------------------------------

_shared: Optional[PolicyPackProcess] = None
_shared_lock = threading.Lock()


def shared_pack() -> PolicyPackProcess:
    """The pack this process talks to, started on first use and stopped at exit."""
    global _shared
    with _shared_lock:
        if _shared is None or not _shared.alive:
            _shared = PolicyPackProcess().start()
            atexit.register(_shared.close)
        return _shared
