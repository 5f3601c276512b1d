"""Run one unit of work per stack, each in its own worker process, a few at a time.

The workers are forked by multiprocessing's fork server: a fresh interpreter started for the
first run, which imports the `preload` modules once before its first fork (so every worker
starts warm: the SDK's import is paid once) and holds nothing of the caller's: no thread, no
gRPC channel, no event loop, no exit handler. The caller itself never forks. Forking it would
be unsafe in the places the fleet runs: a thread holding a lock at the moment of the fork (a
test runner's I/O thread, gRPC's pollers beside the policy pack's channel, `logging`'s module
lock that Python's own fork handler takes) leaves the fork, or the worker, waiting for ever.

A worker is told the caller's current environment and folder, so it runs as a fork of the
caller would. It speaks to the caller over a `multiprocessing` pipe: `ask` (a request the caller
answers on a thread of its own: the preview's policy pack lives in the caller), then `done` or
`error`. A worker that dies, is killed or outlives its timeout is an outcome with its error; it
never hides another's. The work must pickle (a module-level function, or an instance of a
module-level class), since it crosses to the fork server. Standard library only (and policy.lifeline's
die-with-parent, the pack's too); Linux and macOS.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
import multiprocessing.forkserver
import multiprocessing.spawn
import os
import pickle
import queue
import signal
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from policy import lifeline

_OUTPUT_TAIL = 1500  # characters of a dead worker's own output shown with its error
_CONTEXT = multiprocessing.get_context("forkserver")
SERVER = "golive.fleet.server"  # imported first by the fork server: it ends at once with the caller
_KIT_ROOT = str(Path(__file__).resolve().parents[2])  # where `golive` imports from


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
    """The worker's end: ask the caller and read its answer later."""

    def __init__(self, connection: multiprocessing.connection.Connection):
        self._connection = connection

    def send(self, kind: str, payload: Any) -> None:
        self._connection.send((kind, payload))

    def ask(self, payload: Any) -> Callable[[], Any]:
        """Send a request now; the returned function waits for the answer (so work can go on meanwhile)."""
        self.send("ask", payload)

        def answer() -> Any:
            try:
                kind, value = self._connection.recv()
            except (EOFError, OSError):
                raise WorkError("the caller closed the channel") from None
            if kind == "error":
                raise WorkError(value)
            return value

        return answer


Work = Callable[[str, Channel], Any]
Serve = Callable[[str, Any], Any]


def start_server(preload: Sequence[str] = ()) -> None:
    """Start the fork server now (it imports `preload` while the caller goes on); `run` starts it otherwise.

    The server is one per calling process: the preload of its first start is the one it keeps.
    It imports `SERVER` first (it ends at once when the caller does), sees the kit's folder on
    its path (the caller's may not be the kit's folder), and has gRPC's fork handlers off (its
    workers never use gRPC)."""
    _CONTEXT.set_forkserver_preload([SERVER, *preload])
    path = os.pathsep.join(p for p in (_KIT_ROOT, os.environ.get("PYTHONPATH", "")) if p)
    with _environment(PYTHONPATH=path, GRPC_ENABLE_FORK_SUPPORT="false"):
        multiprocessing.forkserver.ensure_running()


def run(
    names: Sequence[str],
    work: Work,
    jobs: int,
    timeout: float,
    deadline: Optional[float] = None,
    serve: Optional[Serve] = None,
    on_done: Optional[Callable[[Outcome], None]] = None,
    preload: Sequence[str] = (),
) -> list[Outcome]:
    """`work(name, channel)` for every name in a worker of its own, at most `jobs` at once; outcomes in `names` order.

    `timeout` bounds one worker's seconds, `deadline` the whole run's; `serve(name, request)`
    answers a worker's `ask` on a caller's thread; `on_done` sees each outcome as it arrives;
    `preload` names the modules the fork server imports before its first fork."""
    if jobs < 1:
        raise ValueError("jobs must be at least 1")
    try:
        pickle.dumps(work)
    except Exception as exc:  # noqa: BLE001 (a lambda or a closure: the programmer's mistake, named)
        raise TypeError(
            f"the work must pickle to reach the workers (a module-level function or class): {exc}"
        ) from None
    start_server(preload)
    started = time.monotonic()
    waiting = list(dict.fromkeys(names))
    running: dict[Any, _Worker] = {}  # by the caller's end of the worker's pipe
    outcomes: dict[str, Outcome] = {}
    requests: queue.Queue = queue.Queue()
    server = threading.Thread(target=_answer, args=(requests, serve), daemon=True)
    server.start()

    def finish(worker: _Worker, outcome: Outcome) -> None:
        del running[worker.connection]
        outcomes[worker.name] = outcome
        if on_done is not None:
            on_done(outcome)

    try:
        while waiting or running:
            late = deadline is not None and time.monotonic() - started >= deadline
            while waiting and len(running) < jobs and not late:
                name = waiting.pop(0)
                try:
                    worker = _Worker.start(name, work)
                except Exception as exc:  # noqa: BLE001 (the fork server is gone: this stack's error, not the run's)
                    outcomes[name] = Outcome(name, error=f"could not start a worker ({type(exc).__name__}: {exc})")
                    continue
                running[worker.connection] = worker
            if late:
                for name in waiting:
                    outcomes[name] = Outcome(name, error=f"not started: the fleet deadline of {deadline:g} s passed")
                waiting.clear()
            limits = [w.started + timeout for w in running.values()]
            if deadline is not None:
                limits.append(started + deadline)
            wait = max(0.0, min(limits) - time.monotonic()) if limits else 0.0
            for connection in multiprocessing.connection.wait(list(running), timeout=min(wait, 1.0)):
                worker = running[connection]
                if not worker.read(requests):
                    finish(worker, worker.reap())
            now = time.monotonic()
            for worker in list(running.values()):
                reason = ""
                if now - worker.started >= timeout:
                    reason = f"stopped: it did not finish within the timeout of {timeout:g} s"
                elif deadline is not None and now - started >= deadline:
                    reason = f"stopped at the fleet deadline of {deadline:g} s"
                if reason:
                    finish(worker, worker.kill(reason))
    finally:
        for worker in running.values():  # an interrupt or an error here: no worker outlives the run
            worker.kill("stopped: the run was interrupted")
        requests.put(None)
    return [outcomes[name] for name in dict.fromkeys(names)]


class _Worker:
    def __init__(self, name: str, process: Any, connection: multiprocessing.connection.Connection, output: Path):
        self.name, self.process, self.connection, self.output = name, process, connection, output
        self.started = time.monotonic()
        self.result: Optional[tuple[str, Any]] = None
        self.garbled = False  # it sent a message that could not be read: it is stopped

    @classmethod
    def start(cls, name: str, work: Work) -> _Worker:
        ours, theirs = _CONTEXT.Pipe(duplex=True)
        handle, output = tempfile.mkstemp(prefix="golive-worker-", suffix=".out")
        os.close(handle)
        here = {"env": dict(os.environ), "cwd": os.getcwd()}
        process = _CONTEXT.Process(target=_child, args=(work, name, theirs, output, here), daemon=True)
        try:
            with _no_main_module():
                process.start()
        except BaseException:
            ours.close()
            os.unlink(output)
            raise
        finally:
            theirs.close()  # the worker holds its own copy: the caller sees EOF once the worker ends
        return cls(name, process, ours, Path(output))

    def read(self, requests: queue.Queue) -> bool:
        """Take one message; False once the worker has closed its end (or sent nonsense)."""
        try:
            kind, payload = self.connection.recv()
        except (EOFError, OSError):
            return False
        except Exception as exc:  # noqa: BLE001 (a garbled message is this worker's error)
            self.result = ("error", f"sent a message that could not be read ({type(exc).__name__}: {exc})")
            self.garbled = True
            return False
        if kind == "ask":
            requests.put((self.name, payload, self.connection))
        else:
            self.result = (kind, payload)
        return True

    def reap(self) -> Outcome:
        if self.garbled:
            self._stop()
        self.process.join()
        seconds = time.monotonic() - self.started
        if self.result is not None:
            self._close()
            kind, payload = self.result
            if kind == "done":
                return Outcome(self.name, value=payload, seconds=seconds)
            return Outcome(self.name, error=str(payload), seconds=seconds)
        code = self.process.exitcode
        if code is not None and code < 0:
            try:
                how = f"killed by signal {signal.Signals(-code).name}"
            except ValueError:
                how = f"killed by signal {-code}"
        else:
            how = f"exited with status {code}"
        tail = self._output_tail()
        self._close()
        return Outcome(
            self.name,
            error=f"the worker died ({how})" + (f"; its last output: {tail}" if tail else ""),
            seconds=seconds,
        )

    def kill(self, reason: str) -> Outcome:
        self._stop()
        self.process.join()
        seconds = time.monotonic() - self.started
        tail = self._output_tail()
        self._close()
        return Outcome(self.name, error=reason + (f"; its last output: {tail}" if tail else ""), seconds=seconds)

    def _stop(self) -> None:
        """SIGKILL, unless the fork server has already told us the worker ended: it reaps its
        children itself, and once it has, the worker's pid may be another process's."""
        if self.process.exitcode is None:
            self.process.kill()

    def _output_tail(self) -> str:
        try:
            text = self.output.read_bytes().decode("utf-8", "replace").strip()
        except OSError:
            return ""
        text = " | ".join(line for line in text.splitlines() if line.strip())
        return text[-_OUTPUT_TAIL:]

    def _close(self) -> None:
        self.connection.close()
        self.process.close()
        with contextlib.suppress(OSError):
            self.output.unlink()


def _child(
    work: Work, name: str, connection: multiprocessing.connection.Connection, output: str, here: dict[str, Any]
) -> None:
    """The worker: set up as a fork of the caller would be, do the work, report, end without exit handlers."""
    code = 1
    try:
        _child_setup(output, here)
        channel = Channel(connection)
        try:
            channel.send("done", work(name, channel))
        except WorkError as exc:
            channel.send("error", str(exc))
        except BaseException as exc:  # noqa: BLE001 (the worker reports anything, then ends)
            channel.send("error", _described(exc))
        code = 0
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def _child_setup(output: str, here: dict[str, Any]) -> None:
    """The caller's environment and folder; signals as a fresh process has them; output to the worker's file; die with the server."""
    os.environ.clear()
    os.environ.update(here["env"])
    os.chdir(here["cwd"])
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    descriptor = os.open(output, os.O_WRONLY | os.O_APPEND)
    for stream in (1, 2):
        os.dup2(descriptor, stream)
    os.close(descriptor)
    sys.stdout = open(1, "w", buffering=1, encoding="utf-8", errors="replace", closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", buffering=1, encoding="utf-8", errors="replace", closefd=False)  # noqa: SIM115
    _own_event_loop()
    lifeline.die_with_parent(signal.SIGKILL)  # the fork server ends with its caller; its workers end with it


def _own_event_loop() -> None:
    """A new asyncio event loop, when the fork server left one set (the preview's warm-up does).

    A forked loop is not the worker's own: its epoll instance and its wake-up socket are the
    same kernel objects in every worker forked from the server. A thread's wake-up (how
    `run_in_executor`, the Pulumi runtime's way of registering, hands back its result) then
    wakes whichever worker polls first, and the one it was meant for can sleep for ever (seen:
    three of four workers stuck). The inherited loop is left as it is, not closed: closing
    would take its wake-up socket out of the epoll the other workers share."""
    asyncio = sys.modules.get("asyncio")
    if asyncio is not None:
        asyncio.set_event_loop(asyncio.new_event_loop())


def _described(exc: BaseException) -> str:
    """`Type: message` at the innermost frame, for an exception the work did not put in words."""
    frames = traceback.extract_tb(exc.__traceback__)
    place = f" (at {frames[-1].filename}:{frames[-1].lineno})" if frames else ""
    return f"{type(exc).__name__}: {exc}{place}"


def _answer(requests: queue.Queue, serve: Optional[Serve]) -> None:
    """The caller's thread answering the workers' requests, one at a time (it never prints)."""
    while True:
        item = requests.get()
        if item is None:
            return
        name, payload, connection = item
        try:
            if serve is None:
                raise WorkError("this run answers no requests")
            reply = ("answer", serve(name, payload))
        except WorkError as exc:
            reply = ("error", str(exc))
        except Exception as exc:  # noqa: BLE001 (the worker that asked gets the error)
            reply = ("error", _described(exc))
        try:
            connection.send(reply)
        except OSError:
            pass  # the worker is gone; its outcome says why


@contextlib.contextmanager
def _no_main_module() -> Iterator[None]:
    """A worker started in this block does not import the caller's main module.

    multiprocessing has each new process import the parent's `__main__` script (as
    `__mp_main__`) so that work defined in it can be found; the work here is never defined
    there (it must come from a module), and a caller's script without the
    `if __name__ == "__main__"` guard would run again, fleet and all, in every worker. The
    preparation data the library computes is used as it is, less the main module's name and path."""
    real = multiprocessing.spawn.get_preparation_data

    def prepared(name: str) -> dict[str, Any]:
        data = real(name)
        data.pop("init_main_from_path", None)
        data.pop("init_main_from_name", None)
        return data

    multiprocessing.spawn.get_preparation_data = prepared
    try:
        yield
    finally:
        multiprocessing.spawn.get_preparation_data = real


@contextlib.contextmanager
def _environment(**values: str) -> Iterator[None]:
    """`values` in os.environ while the block runs (the fork server is spawned with them), then as before."""
    before = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in before.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
