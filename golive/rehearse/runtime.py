"""Start the real runtime (`os start`, as the image does), wait until it is ready, stop it.

The process gets exactly the env it is given, plus what a process needs to run at all
(PATH to the Node 22 binary, a HOME and an OS_HOME in its own temporary folder, which is
also its working folder, so no `.env` file of the caller's is read). It runs in a
process group of its own; stopping it ends the whole group and waits until none is
left, also when the boot failed. Its log goes to a file in that folder; what callers
see of it is redacted of every secret value the env holds.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from golive.rehearse.install import Installation

LOOPBACK = "127.0.0.1"
READY_PATH = "/api/v1/ready"
HEALTH_PATH = "/api/v1/health"
BOOT_TIMEOUT_SECONDS = 180.0
STOP_GRACE_SECONDS = 10.0
REDACTED = "[redacted]"
PROCESS_VARS = ("PATH", "HOME", "OS_HOME")
"""What the harness adds to the given env: a process needs them to run, and they hold no setting."""

Progress = Callable[[str], None]


class BootFailed(Exception):
    """The runtime exited, or was not ready in time; `log` is its redacted output."""

    def __init__(self, message: str, log: str, exit_code: Optional[int]):
        super().__init__(message)
        self.log = log
        self.exit_code = exit_code


def free_port() -> int:
    """A loopback port nothing listens on right now (the runtime refuses a taken one)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def redact(text: str, secret_values: Iterable[str]) -> str:
    """`text` with every secret value (longest first, so none leaves a tail) replaced."""
    for value in sorted({v for v in secret_values if v}, key=len, reverse=True):
        text = text.replace(value, REDACTED)
    return text


@dataclass
class Runtime:
    """One running runtime process (its process group)."""

    process: subprocess.Popen
    port: int
    workdir: Path
    env: dict[str, str] = field(repr=False)  # secret values: never in a repr or a test failure
    secret_values: tuple[str, ...] = field(repr=False)

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.workdir / "runtime.log"

    def log(self) -> str:
        """Its output so far, redacted."""
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""
        return redact(text, self.secret_values)

    def running(self) -> bool:
        return self.process.poll() is None

    def request(
        self, method: str, path: str, headers: Optional[Mapping[str, str]] = None, timeout: float = 10.0
    ) -> tuple[int, dict[str, str]]:
        """(status, lower-cased headers) of one request on loopback, no proxy in between."""
        connection = http.client.HTTPConnection(LOOPBACK, self.port, timeout=timeout)
        try:
            connection.request(method, path, headers=dict(headers or {}))
            response = connection.getresponse()
            response.read()
            return response.status, {k.lower(): v for k, v in response.getheaders()}
        finally:
            connection.close()

    def wait_ready(self, timeout: float = BOOT_TIMEOUT_SECONDS, progress: Progress = lambda _: None) -> float:
        """Seconds until /api/v1/ready answered 200; BootFailed if it exits or the time runs out."""
        started = time.monotonic()
        last_said, last_state = 0.0, ""
        while True:
            waited = time.monotonic() - started
            code = self.process.poll()
            if code is not None:
                raise BootFailed(f"the runtime exited with code {code} before it was ready", self.log(), code)
            try:
                status, _ = self.request("GET", READY_PATH, timeout=3.0)
                state = f"{READY_PATH} answered {status}"
            except OSError as exc:
                status, state = 0, f"not listening yet ({exc.__class__.__name__})"
            if status == 200:
                progress(f"ready after {waited:.1f} s")
                return waited
            if waited > timeout:
                raise BootFailed(f"not ready after {timeout:.0f} s: {state}", self.log(), None)
            if state != last_state or waited - last_said >= 5.0:
                progress(f"{waited:5.1f} s: {state}")
                last_said, last_state = waited, state
            time.sleep(0.5)

    def wait_log(self, text: str, timeout: float = 30.0) -> bool:
        """Whether `text` shows in the log within `timeout` (the boot summary follows readiness)."""
        deadline = time.monotonic() + timeout
        while text not in self.log():
            if time.monotonic() > deadline or not self.running():
                return text in self.log()
            time.sleep(0.2)
        return True

    def wait_exit(self, timeout: float = BOOT_TIMEOUT_SECONDS) -> int:
        """The exit code of a boot that must be refused; BootFailed if it is still up (and ready)."""
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise BootFailed(f"still running after {timeout:.0f} s", self.log(), None) from None

    def stop(self) -> None:
        """End the process group: SIGTERM, then SIGKILL after a grace period; wait until none is left."""
        group = self.process.pid
        for sig, grace in ((signal.SIGTERM, STOP_GRACE_SECONDS), (signal.SIGKILL, STOP_GRACE_SECONDS)):
            if not group_alive(group):
                break
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, sig)
            deadline = time.monotonic() + grace
            while group_alive(group) and time.monotonic() < deadline:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.process.wait(timeout=0.2)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=1.0)


def group_alive(group: int) -> bool:
    """Whether any process of the group is still alive (zombies excepted: they run nothing)."""
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return any(_state(pid) not in ("Z", "X", None) for pid in members(group))


def members(group: int) -> list[int]:
    """The process ids of a process group (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == group:
                found.append(int(entry.name))
    return found


def _state(pid: int) -> Optional[str]:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return None


def process_env(installation: Installation, env: Mapping[str, str], workdir: Path) -> dict[str, str]:
    """The given env, plus PATH, HOME and OS_HOME (unless given) and nothing else of the caller's."""
    full = {
        "PATH": os.pathsep.join((str(installation.node.parent), "/usr/bin", "/bin")),
        "HOME": str(workdir / "home"),
        "OS_HOME": str(workdir / "os-home"),
    }
    full.update(env)
    return full


def compile_artifact(installation: Installation, project: Path, timeout: float = 300.0) -> Path:
    """`os compile` of the project's objectstack.config.ts: its dist/objectstack.json (the artifact)."""
    with tempfile.TemporaryDirectory(prefix="objectos-compile-") as home:
        done = subprocess.run(
            [str(installation.node), str(installation.cli), "compile"],
            cwd=project,
            env=process_env(installation, {"OS_CLOUD_URL": "off"}, Path(home)),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    artifact = project / "dist" / "objectstack.json"
    if done.returncode != 0 or not artifact.is_file():
        raise BootFailed(
            f"os compile failed in {project} (exit {done.returncode})", done.stdout + done.stderr, done.returncode
        )
    return artifact


def pinned_file_url(artifact: Path, sha256: Optional[str] = None) -> str:
    """OS_ARTIFACT_URL for a local artifact with its `#sha256=` pin (the file's own, unless given)."""
    digest = sha256 if sha256 is not None else hashlib.sha256(artifact.read_bytes()).hexdigest()
    return f"{artifact.resolve().as_uri()}#sha256={digest}"


@contextlib.contextmanager
def started(
    installation: Installation,
    env: Mapping[str, str],
    *,
    port: Optional[int] = None,
    secret_values: Iterable[str] = (),
    progress: Progress = lambda _: None,
    args: Iterable[str] = (),
) -> Iterator[Runtime]:
    """A runtime process started with `env` on a loopback port; stopped (and its folder removed) on exit.

    The port is `env`'s OS_PORT when given, else a free one. The caller waits
    (`wait_ready` or `wait_exit`): a boot that must be refused is a result too.
    """
    workdir = Path(tempfile.mkdtemp(prefix="objectos-rehearsal-"))
    runtime: Optional[Runtime] = None
    try:
        chosen = int(env["OS_PORT"]) if "OS_PORT" in env else (port or free_port())
        full = process_env(installation, {**env, "OS_PORT": str(chosen)}, workdir)
        for folder in ("home", "os-home"):
            (workdir / folder).mkdir()
        log = (workdir / "runtime.log").open("wb")
        try:
            progress(f"starting {installation.cli.parent.parent.name} {installation.version()} on {LOOPBACK}:{chosen}")
            process = subprocess.Popen(
                [str(installation.node), str(installation.cli), "start", "--port", str(chosen), *args],
                cwd=workdir,
                env=full,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stop() ends `start` and its `serve` child
            )
        finally:
            log.close()
        runtime = Runtime(process, chosen, workdir, full, tuple(v for v in secret_values if v))
        yield runtime
    finally:
        if runtime is not None:
            runtime.stop()
        shutil.rmtree(workdir, ignore_errors=True)
