"""A Redis stand-in for ElastiCache: Debian's redis-server with TLS and AUTH on loopback.

As the kit's ElastiCache (transit encryption, an AUTH token): TLS only (`port 0`, no
plain port) with TLS 1.2 and 1.3, the local CA's leaf, a password generated the way
the kit generates the AUTH token (components/secret_catalog.py REDIS_TOKEN_SPEC), and
no persistence. Its settings, the password among them, go in a 0600 config file in its
own folder rather than on the command line, where any local user could read them.

The runtime reaches it as `OS_REDIS_URL=rediss://:PASSWORD@127.0.0.1:PORT`. Node trusts
only its bundled CAs, so every Node process that connects (the runtime, `client_check`)
needs NODE_EXTRA_CA_CERTS set to the local CA's file when it starts.

`client_check` connects with the runtime's own Redis client (the ioredis that
@objectstack/service-cluster-redis resolves, run by the pinned Node 22) and PINGs;
`client_checks` adds the refusals: a wrong password, and plain TCP to the TLS port.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from components.secret_catalog import REDIS_TOKEN_SPEC
from golive.rehearse import process as proc
from golive.rehearse.env import generate
from golive.rehearse.install import CLUSTER_REDIS_PACKAGE, Installation
from golive.rehearse.pki import Pki
from golive.rehearse.runtime import LOOPBACK, REDACTED, redact
from golive.results import Finding
from golive.verify.checks import FAIL, PASS, outcome

CHECK_ID = "redis-encrypted-with-auth"
REDIS_HINT = "install the Debian package redis-server (tools/system-packages.sh does, as `make test` runs it)"
START_TIMEOUT_SECONDS = 15.0
CLIENT_TIMEOUT_SECONDS = 30.0
READY_LINE = "Ready to accept connections"

Progress = Callable[[str], None]


class RedisMissing(Exception):
    """redis-server is not installed, or cannot serve TLS; the message says exactly what it lacks."""


def redis_binary() -> Optional[str]:
    return shutil.which("redis-server") or (
        "/usr/bin/redis-server" if os.access("/usr/bin/redis-server", os.X_OK) else None
    )


def missing() -> Optional[str]:
    """Why the stand-in cannot run here, or None when it can."""
    return None if redis_binary() else f"redis-server is not installed: {REDIS_HINT}"


def version() -> str:
    """redis-server's version, e.g. "7.0.15"."""
    binary = redis_binary()
    if binary is None:
        raise RedisMissing(f"redis-server is not installed: {REDIS_HINT}")
    done = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=10)
    for word in done.stdout.split():
        if word.startswith("v="):
            return word[2:]
    return done.stdout.strip()


@dataclass(frozen=True)
class RedisStandIn:
    """A running Redis: where it listens, the CA that signs its certificate; the password kept out of reprs."""

    host: str
    port: int
    ca_file: Path
    directory: Path
    password: str = field(repr=False)
    process: subprocess.Popen = field(repr=False)

    @property
    def url(self) -> str:
        """OS_REDIS_URL: rediss (TLS) with the password as the URL's user info, as the kit writes it."""
        return f"rediss://:{self.password}@{self.host}:{self.port}"

    @property
    def display_url(self) -> str:
        """The URL as a report may show it."""
        return f"rediss://:{REDACTED}@{self.host}:{self.port}"

    def log(self) -> str:
        """redis-server's log so far, redacted."""
        path = self.directory / "redis.log"
        text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
        return redact(text, [self.password])


def config(pki: Pki, port: int, password: str, directory: Path) -> str:
    """redis.conf: TLS on `port` only, AUTH, nothing written to disk but its log."""
    if any(ch in password for ch in '"\\\n\r '):
        raise ValueError("the Redis password may not hold quotes, backslashes or white space")
    return "\n".join(
        [
            f"bind {LOOPBACK}",
            "protected-mode yes",
            "port 0",
            f"tls-port {port}",
            f"tls-cert-file {pki.cert}",
            f"tls-key-file {pki.key}",
            f"tls-ca-cert-file {pki.ca_cert}",
            "tls-auth-clients no",  # ElastiCache asks no client certificate either: AUTH is the credential
            'tls-protocols "TLSv1.2 TLSv1.3"',
            f'requirepass "{password}"',
            'save ""',
            "appendonly no",
            "daemonize no",
            f"dir {directory}",
            f"logfile {directory / 'redis.log'}",
            "",
        ]
    )


def _write_private(path: Path, text: str) -> None:
    path.unlink(missing_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write(text)


def _wait_ready(process: subprocess.Popen, directory: Path, port: int, password: str) -> None:
    log = directory / "redis.log"
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace") if log.exists() else ""
        if "Address already in use" in text:
            raise proc.PortTaken(text)
        if process.poll() is not None:
            shown = redact(text, [password])
            if "tls" in shown.lower() and ("not supported" in shown.lower() or "bad directive" in shown.lower()):
                raise RedisMissing(f"this redis-server was built without TLS (BUILD_TLS=yes): {shown.strip()}")
            raise proc.StartFailed(f"redis-server exited with code {process.returncode}", shown)
        if READY_LINE in text and proc.answers(port):
            return
        time.sleep(0.05)
    raise proc.StartFailed(f"redis-server was not ready within {START_TIMEOUT_SECONDS:.0f} s", redact(text, [password]))


@contextlib.contextmanager
def started_redis(
    pki: Pki,
    progress: Progress = lambda _: None,
    ports: Callable[[int], list[int]] = proc.free_ports,
) -> Iterator[RedisStandIn]:
    """redis-server with TLS and AUTH on a free loopback port; stopped and its folder removed on exit.

    `pki`'s leaf must name 127.0.0.1 (clients connect by that address).
    """
    binary = redis_binary()
    if binary is None:
        raise RedisMissing(f"redis-server is not installed: {REDIS_HINT}")
    if LOOPBACK not in pki.hosts:
        raise ValueError(f"the certificate's hosts {list(pki.hosts)} must include {LOOPBACK}, where clients connect")
    password = generate(REDIS_TOKEN_SPEC)
    directory = Path(tempfile.mkdtemp(prefix="objectos-redis-"))
    conf = directory / "redis.conf"
    try:
        progress(f"starting redis-server {version()} (TLS and AUTH only)")

        def start(chosen: list[int]) -> subprocess.Popen:
            _write_private(conf, config(pki, chosen[0], password, directory))
            (directory / "redis.log").unlink(missing_ok=True)
            return proc.spawn([binary, str(conf)], cwd=str(directory))

        def wait(process: subprocess.Popen, chosen: list[int]) -> None:
            _wait_ready(process, directory, chosen[0], password)

        process, (port,) = proc.start_on_free_ports(1, start, wait, ports=ports)
        try:
            progress(f"redis listening: rediss://{LOOPBACK}:{port} (no plain port)")
            yield RedisStandIn(LOOPBACK, port, pki.ca_cert, directory, password, process)
        finally:
            proc.stop_group(process)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


# --- the runtime's own client ------------------------------------------------------------

# Connects the way @objectstack/service-cluster-redis does (new Redis(url, {lazyConnect})),
# without retries, and PINGs. The URL arrives in the env, never on the command line.
CLIENT_SCRIPT = r"""
const { createRequire } = require("module");
const from = createRequire(process.env.GOLIVE_REDIS_DRIVER);
const loaded = from("ioredis");
const Redis = loaded.Redis || loaded.default || loaded;
const client = new Redis(process.env.GOLIVE_REDIS_URL, {
  lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null,
  reconnectOnError: () => false, connectTimeout: 5000, enableOfflineQueue: false,
});
let seen = null;
client.on("error", (error) => { seen = seen || error; });
const print = (result) => process.stdout.write(JSON.stringify(result));
(async () => {
  try {
    await client.connect();
    print({ ok: true, reply: await client.ping() });
  } catch (error) {
    const why = seen || error;  // the server's own reply (WRONGPASS) comes as an error event first
    print({ ok: false, error: String((why && why.message) || why) });
  } finally {
    client.disconnect();
  }
})();
"""


@dataclass(frozen=True)
class ClientCheck:
    """One connection attempt by the runtime's Redis client, and what it should have got."""

    name: str
    connected: bool
    """The client connected, authenticated and got PONG."""
    detail: str
    """PONG, or the client's error (redacted)."""
    expect_connected: bool = True

    @property
    def passed(self) -> bool:
        return self.connected == self.expect_connected

    def finding(self) -> Finding:
        """The check as a result row under the checklist's Redis item."""
        if self.passed:
            reason = self.detail if self.connected else f"refused: {self.detail}"
            return outcome(CHECK_ID, self.name, PASS, reason)
        if self.connected:
            return outcome(CHECK_ID, self.name, FAIL, "connected and got PONG; Redis must refuse it")
        return outcome(CHECK_ID, self.name, FAIL, f"did not connect: {self.detail}")


def driver_entry(installation: Installation) -> Path:
    """The cluster driver's package.json: ioredis is resolved from there, as the runtime resolves it."""
    entry = installation.modules / CLUSTER_REDIS_PACKAGE / "package.json"
    if not entry.is_file():
        raise RedisMissing(f"{CLUSTER_REDIS_PACKAGE} is not installed in {installation.root}: run `make runtime`")
    return entry


def client_check(
    installation: Installation,
    url: str,
    ca_file: Path,
    name: str = "the runtime's Redis client over TLS with AUTH",
    expect_connected: bool = True,
    secret_values: tuple[str, ...] = (),
    timeout: float = CLIENT_TIMEOUT_SECONDS,
) -> ClientCheck:
    """ioredis, as the runtime loads it, connects to `url` trusting `ca_file` (NODE_EXTRA_CA_CERTS) and PINGs."""
    hidden = (*secret_values, _password(url))
    with tempfile.TemporaryDirectory(prefix="objectos-redis-client-") as home:
        env = {
            "PATH": os.pathsep.join((str(installation.node.parent), "/usr/bin", "/bin")),
            "HOME": home,
            "NODE_EXTRA_CA_CERTS": str(ca_file),
            "GOLIVE_REDIS_DRIVER": str(driver_entry(installation)),
            "GOLIVE_REDIS_URL": url,
        }
        try:
            done = subprocess.run(
                [str(installation.node), "-e", CLIENT_SCRIPT],
                cwd=home,
                env=env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired:
            return ClientCheck(name, False, f"no answer within {timeout:.0f} s", expect_connected)
    try:
        result = json.loads(done.stdout)
    except ValueError:
        detail = redact((done.stdout + done.stderr).strip()[-500:], hidden) or f"node exited {done.returncode}"
        return ClientCheck(name, False, detail, expect_connected)
    if result.get("ok") and result.get("reply") == "PONG":
        return ClientCheck(name, True, "PONG", expect_connected)
    return ClientCheck(name, False, redact(str(result.get("error") or result), hidden), expect_connected)


def client_checks(installation: Installation, redis: RedisStandIn) -> list[ClientCheck]:
    """The right URL connects; a wrong password and plain TCP to the TLS port are refused."""
    wrong = "0" * len(redis.password)
    hidden = (redis.password,)
    attempts: list[dict[str, Any]] = [
        {"url": redis.url},
        {
            "url": f"rediss://:{wrong}@{redis.host}:{redis.port}",
            "name": "the runtime's Redis client with a wrong password",
            "expect_connected": False,
        },
        {
            "url": f"redis://:{redis.password}@{redis.host}:{redis.port}",
            "name": "the runtime's Redis client without TLS",
            "expect_connected": False,
        },
    ]
    # Each is a node process of its own, mostly start-up: side by side they take the time of one.
    with ThreadPoolExecutor(max_workers=len(attempts), thread_name_prefix="redis-client") as pool:
        running = [
            pool.submit(client_check, installation, ca_file=redis.ca_file, secret_values=hidden, **attempt)
            for attempt in attempts
        ]
        return [check.result() for check in running]


def _password(url: str) -> str:
    authority = url.partition("://")[2].split("/", 1)[0]
    if "@" not in authority:
        return ""
    userinfo = authority.rsplit("@", 1)[0]
    return userinfo.split(":", 1)[1] if ":" in userinfo else userinfo
