"""What the rehearsal's servers share: free loopback ports, a start that retries when a port
was taken before the server bound it, and a stop that ends the server's whole process group.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Sequence
from typing import Optional

from golive.rehearse.runtime import LOOPBACK, group_alive

START_ATTEMPTS = 5
STOP_GRACE_SECONDS = 5.0

Progress = Callable[[str], None]


class PortTaken(Exception):
    """The server could not bind a port found free a moment before: start again on new ports."""


class StartFailed(Exception):
    """The server exited or did not listen in time; `log` is what it wrote (no secret in it)."""

    def __init__(self, message: str, log: str = ""):
        super().__init__(message + (f"\n{log.strip()}" if log.strip() else ""))
        self.log = log


def free_ports(count: int) -> list[int]:
    """`count` distinct loopback ports nothing listens on right now (held together, so distinct)."""
    sockets = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(count)]
    try:
        for probe in sockets:
            probe.bind((LOOPBACK, 0))
        return [probe.getsockname()[1] for probe in sockets]
    finally:
        for probe in sockets:
            probe.close()


def answers(port: int, host: str = LOOPBACK) -> bool:
    """Whether something accepts TCP connections on the port."""
    try:
        socket.create_connection((host, port), timeout=0.2).close()
        return True
    except OSError:
        return False


def spawn(argv: Sequence[str], cwd: Optional[str] = None) -> subprocess.Popen:
    """A server in its own process group (so stopping it ends all of its children), output discarded."""
    return subprocess.Popen(
        list(argv),
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def stop_group(process: subprocess.Popen, grace: float = STOP_GRACE_SECONDS) -> None:
    """SIGTERM to the process group, SIGKILL after the grace period; returns once none of it is left."""
    group = process.pid
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if not group_alive(group):
            break
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, sig)
        deadline = time.monotonic() + grace
        while group_alive(group) and time.monotonic() < deadline:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=0.1)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=1.0)


def start_on_free_ports(
    count: int,
    start: Callable[[list[int]], subprocess.Popen],
    wait: Callable[[subprocess.Popen, list[int]], None],
    ports: Callable[[int], list[int]] = free_ports,
    attempts: int = START_ATTEMPTS,
) -> tuple[subprocess.Popen, list[int]]:
    """Start a server on `count` free ports; when `wait` raises PortTaken, stop it and try new ports.

    A port found free may be taken by another process before the server binds it;
    picking new ports is quicker than waiting for that one to come free.
    """
    for _ in range(attempts):
        chosen = ports(count)
        process = start(chosen)
        try:
            wait(process, chosen)
        except PortTaken:
            stop_group(process)
            continue
        except BaseException:
            stop_group(process)
            raise
        return process, chosen
    raise StartFailed(f"no free ports after {attempts} attempts: each was taken before the server bound it")
