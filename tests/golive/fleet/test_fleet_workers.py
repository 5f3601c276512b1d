"""The fleet's workers: one outcome per stack whatever happens to the others, from a caller in any state."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from golive.fleet import workers

ROOT = Path(__file__).resolve().parents[3]

# The work crosses to the fork server pickled: module-level functions.


def upper(name, _channel):
    return name.upper()


def raises_for_bad(name, _channel):
    if name == "bad":
        raise KeyError("objectos:domain")
    return "fine"


def crashes(name, _channel):
    if name == "crash":
        print("about to crash", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    return "fine"


def hangs(name, _channel):
    if name == "hangs":
        time.sleep(600)
    return "fine"


def always_hangs(_name, _channel):
    time.sleep(600)


def asks(name, channel):
    answer = channel.ask({"stack": name})
    return ("asked", answer())


def asks_graph(_name, channel):
    return channel.ask("graph")()


def nothing(_name, _channel):
    return None


def environment(_name, _channel):
    return os.environ.get("GOLIVE_FLEET_TEST_MARK"), os.getcwd()


def uses_the_event_loops_executor(name, _channel):
    running = asyncio.get_event_loop()
    return running.run_until_complete(running.run_in_executor(None, len, name))


def returns_what_the_caller_cannot_read(_name, _channel):
    # A class from a module only this worker has: the value pickles here, not in the caller.
    import types

    ghost = types.ModuleType("ghost_module_of_the_worker")
    exec("class Ghost:\n    pass\n", ghost.__dict__)
    sys.modules[ghost.__name__] = ghost
    return ghost.Ghost()


def _by_name(outcomes):
    return {o.name: o for o in outcomes}


def test_every_name_gets_its_outcome_in_the_order_given():
    outcomes = workers.run(["c", "a", "b"], upper, jobs=2, timeout=120)
    assert [(o.name, o.value, o.error) for o in outcomes] == [("c", "C", ""), ("a", "A", ""), ("b", "B", "")]


def test_an_exception_in_one_worker_is_its_own_error():
    found = _by_name(workers.run(["good", "bad", "also-good"], raises_for_bad, jobs=2, timeout=120))
    assert found["good"].value == found["also-good"].value == "fine"
    assert "KeyError" in found["bad"].error and "objectos:domain" in found["bad"].error


def test_a_worker_killed_by_a_signal_is_reported_with_the_signal_and_its_output():
    found = _by_name(workers.run(["crash", "ok"], crashes, jobs=2, timeout=120))
    assert found["ok"].value == "fine"
    assert "killed by signal SIGKILL" in found["crash"].error
    assert "about to crash" in found["crash"].error


def test_a_message_the_caller_cannot_read_is_that_workers_error():
    [outcome] = workers.run(["odd"], returns_what_the_caller_cannot_read, jobs=1, timeout=120)
    assert "sent a message that could not be read" in outcome.error
    assert "ghost_module_of_the_worker" in outcome.error


def test_a_worker_past_its_timeout_is_stopped_and_the_rest_still_run():
    found = _by_name(workers.run(["hangs", "ok"], hangs, jobs=1, timeout=1))
    assert "did not finish within the timeout of 1 s" in found["hangs"].error
    assert found["ok"].value == "fine"


def test_stacks_not_started_by_the_deadline_say_so():
    found = _by_name(workers.run(["first", "second"], always_hangs, jobs=1, timeout=600, deadline=1))
    assert "stopped at the fleet deadline" in found["first"].error
    assert "not started" in found["second"].error


def test_a_worker_asks_the_caller_and_works_on_while_it_answers():
    outcomes = workers.run(["a", "b"], asks, jobs=2, timeout=120, serve=lambda name, request: (name, request))
    assert [o.value for o in outcomes] == [("asked", ("a", {"stack": "a"})), ("asked", ("b", {"stack": "b"}))]


def test_an_error_while_answering_reaches_the_worker_that_asked():
    def serve(name, request):
        raise RuntimeError("the policy pack did not start")

    [outcome] = workers.run(["a"], asks_graph, jobs=1, timeout=120, serve=serve)
    assert "the policy pack did not start" in outcome.error


def test_workers_do_not_run_the_callers_exit_handlers(tmp_path):
    # The caller's exit handlers stop the shared policy pack: a worker must not run them.
    import atexit

    marker = tmp_path / "ran"
    handler = lambda: marker.write_text("x")  # noqa: E731
    atexit.register(handler)
    try:
        [outcome] = workers.run(["a"], nothing, jobs=1, timeout=120)
    finally:
        atexit.unregister(handler)
    assert outcome.ok, outcome.error
    assert not marker.exists()


def test_jobs_below_one_is_refused():
    with pytest.raises(ValueError):
        workers.run(["a"], nothing, jobs=0, timeout=1)


def test_work_that_cannot_reach_the_workers_is_refused_by_name():
    with pytest.raises(TypeError, match="module-level function"):
        workers.run(["a"], lambda n, c: None, jobs=1, timeout=1)


def test_a_worker_runs_in_the_callers_current_environment_and_folder(tmp_path, monkeypatch):
    # The fork server started earlier, elsewhere: the worker still sees the caller as it is now.
    workers.start_server()
    monkeypatch.setenv("GOLIVE_FLEET_TEST_MARK", "now")
    monkeypatch.chdir(tmp_path)
    [outcome] = workers.run(["a"], environment, jobs=1, timeout=120)
    assert outcome.value == ("now", str(tmp_path)), outcome.error


def test_a_worker_can_use_the_event_loops_executor_the_caller_already_used():
    # The Pulumi runtime sends every registration to the loop's default executor.
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(loop.run_in_executor(None, int))
        asyncio.set_event_loop(loop)
        [outcome] = workers.run(["four"], uses_the_event_loops_executor, jobs=1, timeout=30)
    finally:
        asyncio.set_event_loop(asyncio.new_event_loop())  # as a test after this one expects to find
        loop.close()
    assert outcome.value == 4, outcome.error


# A caller with a thread that holds a lock for the whole run, as a test runner's I/O thread or
# gRPC's pollers can: Python's own fork handler takes logging's module lock, so a caller that
# forked would wait for ever in os.fork (and a forked worker would wait on any lock held).
HELD_LOCK = """
import logging, threading
from golive.fleet import workers

def work(name, _channel):
    return logging.getLogger("fleet-" + name).name

def main():
    held, release = threading.Event(), threading.Event()

    def hold():
        with logging._lock:
            held.set()
            release.wait()

    threading.Thread(target=hold, daemon=True).start()
    held.wait()
    outcomes = workers.run(["a", "b", "c"], work, jobs=2, timeout=60)
    release.set()
    print([(o.value, o.error) for o in outcomes])
"""


def test_a_caller_whose_thread_holds_a_lock_still_gets_every_outcome(tmp_path):
    (tmp_path / "holder.py").write_text(HELD_LOCK)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}
    try:
        ran = subprocess.run(
            [sys.executable, "-c", "import holder; holder.main()"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=240,  # bounds a regression (a caller stuck in fork), not a speed
        )
    except subprocess.TimeoutExpired:
        pytest.fail("the run never ended: the caller (or a worker) waited on a lock held across a fork")
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == "[('fleet-a', ''), ('fleet-b', ''), ('fleet-c', '')]"


def test_the_preview_fork_servers_warm_up_runs_the_kits_program():
    # The fork server imports golive.fleet.warm and keeps quiet about any error in it: run it
    # where an error shows (a renamed function would otherwise only make fleets slower), in an
    # interpreter of its own (importing the module is the warm-up, with its event-loop changes).
    ran = subprocess.run(
        [sys.executable, "-c", "import golive.fleet.warm as w; w.warm(); print('warmed')"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert ran.returncode == 0, ran.stderr[-2000:]
    assert ran.stdout.strip() == "warmed"


# A caller's own script, run as a file and without the `if __name__ == "__main__"` guard.
UNGUARDED = """
from golive.fleet import workers
from holder import work

print("the script ran", flush=True)
outcomes = workers.run(["a", "b"], work, jobs=2, timeout=60)
print([(o.value, o.error) for o in outcomes], flush=True)
"""


def test_a_callers_script_without_a_main_guard_runs_once(tmp_path):
    (tmp_path / "holder.py").write_text("def work(name, _channel):\n    return name * 2\n")
    (tmp_path / "fleet_script.py").write_text(UNGUARDED)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    ran = subprocess.run(
        [sys.executable, "fleet_script.py"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=240
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.splitlines() == ["the script ran", "[('aa', ''), ('bb', '')]"]


# A module the fork server imports, leaving text in its standard output's buffer: only an
# interpreter tearing itself down flushes it (the seconds a reader of the caller's output waits).
TEARDOWN_MARKER = """
import sys

sys.stdout.write("flushed by the fork server's teardown\\n")
"""

RUN_AND_EXIT = """
from golive.fleet import workers
from holder import work
[outcome] = workers.run(["a"], work, jobs=1, timeout=60, preload=["teardown_marker"])
print(outcome.value, flush=True)
"""


def test_the_fork_server_ends_with_the_caller_without_tearing_down(tmp_path):
    (tmp_path / "holder.py").write_text("def work(name, _channel):\n    return name * 2\n")
    (tmp_path / "teardown_marker.py").write_text(TEARDOWN_MARKER)
    (tmp_path / "run_and_exit.py").write_text(RUN_AND_EXIT)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}
    env.pop("PYTHONUNBUFFERED", None)  # the server's output buffered, as it is by default
    # The output is read to its end: the fork server, which shares it, has ended too.
    ran = subprocess.run(
        [sys.executable, "run_and_exit.py"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=240
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.splitlines() == ["aa"]


# A fork server left with an event loop set, as the preview's warm-up leaves one; workers that
# hand results back from threads thousands of times, as the Pulumi runtime does per registration.
LOOP_PRELOAD = "import asyncio\nasyncio.set_event_loop(asyncio.new_event_loop())\n"
BUSY_LOOP = """
import asyncio, os

def work(name, _channel):
    loop = asyncio.get_event_loop()

    async def many():
        for _ in range(2000):
            await loop.run_in_executor(None, int)
        return name

    return loop.run_until_complete(many())
"""
RUN_BUSY = """
from golive.fleet import workers
from busy import work
outcomes = workers.run(["a", "b", "c", "d"], work, jobs=4, timeout=60, preload=["loop_preload"])
print([(o.value, o.error) for o in outcomes], flush=True)
"""


def test_workers_running_at_once_each_have_an_event_loop_of_their_own(tmp_path):
    # A forked loop is one epoll and one wake-up socket shared by every worker: a wake-up meant
    # for one worker wakes another, and the first sleeps for ever (its timeout stops it).
    (tmp_path / "loop_preload.py").write_text(LOOP_PRELOAD)
    (tmp_path / "busy.py").write_text(BUSY_LOOP)
    (tmp_path / "run_busy.py").write_text(RUN_BUSY)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}
    ran = subprocess.run(
        [sys.executable, "run_busy.py"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=240
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == "[('a', ''), ('b', ''), ('c', ''), ('d', '')]"
