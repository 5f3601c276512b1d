"""Run one unit of work per stack, each in its own forked worker, a few at a time.

The parent has imported everything the work needs before the first fork, so a worker starts
warm (the SDK's import is paid once). A worker speaks to the parent over a socket pair in
length-prefixed pickles: `ask` (a request the parent answers on a thread of its own: the
preview's policy pack lives in the parent), then `done` or `error`. A worker that dies, is
killed or outlives its timeout is an outcome with its error; it never hides another's.
Workers end with `os._exit`, so the parent's exit handlers (which stop the pack) never run in
them. Standard library only; Linux and macOS (os.fork).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import io
import os
import pickle
import queue
import selectors
import signal
import socket
import struct
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Optional

_HEADER = struct.Struct("!I")
_PR_SET_PDEATHSIG = 1  # linux/prctl.h
_OUTPUT_TAIL = 1500  # characters of a dead worker's own output shown with its error


@dataclass(frozen=True)
class Outcome:
    """What one unit of work came to: its value, or why there is none."""

    name: str
    value: Any = None
    error: str = ""  # an exception in the work, a crash, a timeout, the deadline
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.error


class WorkError(Exception):
    """Raised by the work for an error it has already put in words (no traceback is shown)."""


class Channel:
    """The worker's end: ask the parent and read its answer later."""

    def __init__(self, sock: socket.socket):
        self._sock = sock

    def send(self, kind: str, payload: Any) -> None:
        _send(self._sock, (kind, payload))

    def ask(self, payload: Any) -> Callable[[], Any]:
        """Send a request now; the returned function waits for the answer (so work can go on meanwhile)."""
        self.send("ask", payload)

        def answer() -> Any:
            kind, value = _receive(self._sock)
            if kind == "error":
                raise WorkError(value)
            return value

        return answer


Work = Callable[[str, Channel], Any]
Serve = Callable[[str, Any], Any]


def run(
    names: Sequence[str],
    work: Work,
    jobs: int,
    timeout: float,
    deadline: Optional[float] = None,
    serve: Optional[Serve] = None,
    on_done: Optional[Callable[[Outcome], None]] = None,
    fork_guard: bool = False,
) -> list[Outcome]:
    """`work(name, channel)` for every name in a forked worker, at most `jobs` at once; outcomes in `names` order.

    `timeout` bounds one worker's seconds, `deadline` the whole run's; `serve(name, request)`
    answers a worker's `ask` on a parent thread; `on_done` sees each outcome as it arrives;
    `fork_guard` keeps forks and `serve` calls apart (a library whose fork handlers a fork in
    the middle of a call would upset)."""
    if jobs < 1:
        raise ValueError("jobs must be at least 1")
    started = time.monotonic()
    waiting = list(dict.fromkeys(names))
    running: dict[int, _Worker] = {}
    outcomes: dict[str, Outcome] = {}
    requests: queue.Queue = queue.Queue()
    guard = threading.Lock() if fork_guard else None
    server = threading.Thread(target=_answer, args=(requests, serve, guard), daemon=True)
    server.start()
    selector = selectors.DefaultSelector()

    def finish(worker: _Worker, outcome: Outcome) -> None:
        outcomes[worker.name] = outcome
        if on_done is not None:
            on_done(outcome)

    try:
        while waiting or running:
            now = time.monotonic()
            late = deadline is not None and now - started >= deadline
            while waiting and len(running) < jobs and not late:
                with guard or contextlib.nullcontext():
                    worker = _start(waiting.pop(0), work, running.values())
                running[worker.pid] = worker
                selector.register(worker.sock, selectors.EVENT_READ, worker)
            if late:
                for name in waiting:
                    outcomes[name] = Outcome(name, error=f"not started: the fleet deadline of {deadline:g} s passed")
                waiting.clear()
            limits = [w.started + timeout for w in running.values()]
            if deadline is not None:
                limits.append(started + deadline)
            wait = max(0.0, min(limits) - time.monotonic()) if limits else 0.0
            for key, _ in selector.select(timeout=min(wait, 1.0)):
                worker = key.data
                if not worker.read(requests):
                    selector.unregister(worker.sock)
                    del running[worker.pid]
                    finish(worker, worker.reap())
            now = time.monotonic()
            for worker in list(running.values()):
                reason = ""
                if now - worker.started >= timeout:
                    reason = f"stopped: it did not finish within the timeout of {timeout:g} s"
                elif deadline is not None and now - started >= deadline:
                    reason = f"stopped at the fleet deadline of {deadline:g} s"
                if reason:
                    selector.unregister(worker.sock)
                    del running[worker.pid]
                    finish(worker, worker.kill(reason))
    finally:
        for worker in running.values():  # an interrupt or an error here: no worker outlives the run
            worker.kill("stopped: the run was interrupted")
        requests.put(None)
        selector.close()
    return [outcomes[name] for name in dict.fromkeys(names)]


class _Worker:
    def __init__(self, name: str, pid: int, sock: socket.socket, output: io.BufferedRandom):
        self.name, self.pid, self.sock, self.output = name, pid, sock, output
        self.started = time.monotonic()
        self.buffer = b""
        self.result: Optional[tuple[str, Any]] = None

    def read(self, requests: queue.Queue) -> bool:
        """Take what the worker sent; False once it has closed its end."""
        try:
            chunk = self.sock.recv(1 << 16)
        except OSError:
            chunk = b""
        if not chunk:
            return False
        self.buffer += chunk
        while len(self.buffer) >= _HEADER.size:
            (size,) = _HEADER.unpack_from(self.buffer)
            if len(self.buffer) < _HEADER.size + size:
                break
            body, self.buffer = self.buffer[_HEADER.size : _HEADER.size + size], self.buffer[_HEADER.size + size :]
            try:
                kind, payload = pickle.loads(body)
            except Exception as exc:  # noqa: BLE001 (a garbled message is this worker's error)
                self.result = ("error", f"sent a message that could not be read ({type(exc).__name__}: {exc})")
                return False
            if kind == "ask":
                requests.put((self.name, payload, self.sock))
            else:
                self.result = (kind, payload)
        return True

    def reap(self) -> Outcome:
        _, status = os.waitpid(self.pid, 0)
        seconds = time.monotonic() - self.started
        if self.result is not None:
            self._close()
            kind, payload = self.result
            if kind == "done":
                return Outcome(self.name, value=payload, seconds=seconds)
            return Outcome(self.name, error=str(payload), seconds=seconds)
        if os.WIFSIGNALED(status):
            number = os.WTERMSIG(status)
            try:
                how = f"killed by signal {signal.Signals(number).name}"
            except ValueError:
                how = f"killed by signal {number}"
        else:
            how = f"exited with status {os.WEXITSTATUS(status) if os.WIFEXITED(status) else status}"
        tail = self._output_tail()
        self._close()
        return Outcome(
            self.name,
            error=f"the worker died ({how})" + (f"; its last output: {tail}" if tail else ""),
            seconds=seconds,
        )

    def kill(self, reason: str) -> Outcome:
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(self.pid, 0)
        seconds = time.monotonic() - self.started
        tail = self._output_tail()
        self._close()
        return Outcome(self.name, error=reason + (f"; its last output: {tail}" if tail else ""), seconds=seconds)

    def _output_tail(self) -> str:
        try:
            self.output.seek(0)
            text = self.output.read().decode("utf-8", "replace").strip()
        except OSError:
            return ""
        text = " | ".join(line for line in text.splitlines() if line.strip())
        return text[-_OUTPUT_TAIL:]

    def _close(self) -> None:
        self.sock.close()
        self.output.close()


def _start(name: str, work: Work, others: Sequence[_Worker]) -> _Worker:
    parent_end, child_end = socket.socketpair()
    output = tempfile.TemporaryFile()  # the worker's own stdout and stderr, shown if it dies
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the worker
        code = 1
        try:
            parent_end.close()
            for other in others:
                other.sock.close()
            _child_setup(output.fileno())
            channel = Channel(child_end)
            try:
                channel.send("done", work(name, channel))
            except WorkError as exc:
                channel.send("error", str(exc))
            except BaseException as exc:  # noqa: BLE001 (the worker reports anything, then ends)
                channel.send("error", _described(exc))
            code = 0
        finally:
            os._exit(code)
    child_end.close()
    return _Worker(name, pid, parent_end, output)


def _child_setup(output_fd: int) -> None:
    """Signals as a fresh process has them; output to the worker's file; die with the parent; a new event loop.

    The inherited event loop's default executor counts threads that were not forked: work sent
    to it would wait for ever (the Pulumi runtime sends every registration there)."""
    asyncio.set_event_loop(asyncio.new_event_loop())
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    for stream in (1, 2):
        os.dup2(output_fd, stream)
    # The parent's sys.stdout may not write to descriptor 1 (a test runner's capture does not).
    sys.stdout = open(1, "w", buffering=1, encoding="utf-8", errors="replace", closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", buffering=1, encoding="utf-8", errors="replace", closefd=False)  # noqa: SIM115
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL))
        except (OSError, AttributeError):
            pass


def _described(exc: BaseException) -> str:
    """`Type: message` at the innermost frame, for an exception the work did not put in words."""
    frames = traceback.extract_tb(exc.__traceback__)
    place = f" (at {frames[-1].filename}:{frames[-1].lineno})" if frames else ""
    return f"{type(exc).__name__}: {exc}{place}"


def _answer(requests: queue.Queue, serve: Optional[Serve], guard: Optional[threading.Lock]) -> None:
    """The parent's thread answering the workers' requests, one at a time (it never prints)."""
    while True:
        item = requests.get()
        if item is None:
            return
        name, payload, sock = item
        try:
            if serve is None:
                raise WorkError("this run answers no requests")
            with guard or contextlib.nullcontext():
                reply = ("answer", serve(name, payload))
        except WorkError as exc:
            reply = ("error", str(exc))
        except Exception as exc:  # noqa: BLE001 (the worker that asked gets the error)
            reply = ("error", _described(exc))
        try:
            _send(sock, reply)
        except OSError:
            pass  # the worker is gone; its outcome says why


def _send(sock: socket.socket, message: tuple[str, Any]) -> None:
    body = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    sock.sendall(_HEADER.pack(len(body)) + body)


def _receive(sock: socket.socket) -> tuple[str, Any]:
    header = _exactly(sock, _HEADER.size)
    (size,) = _HEADER.unpack(header)
    return pickle.loads(_exactly(sock, size))


def _exactly(sock: socket.socket, size: int) -> bytes:
    data = bytearray()
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise WorkError("the parent closed the channel")
        data += chunk
    return bytes(data)
