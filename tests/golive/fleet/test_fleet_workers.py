"""The fleet's forked workers: one outcome per stack whatever happens to the others."""

from __future__ import annotations

import os
import signal
import time

import pytest

from golive.fleet import workers


def _by_name(outcomes):
    return {o.name: o for o in outcomes}


def test_every_name_gets_its_outcome_in_the_order_given():
    outcomes = workers.run(["c", "a", "b"], lambda name, _channel: name.upper(), jobs=2, timeout=120)
    assert [(o.name, o.value, o.error) for o in outcomes] == [("c", "C", ""), ("a", "A", ""), ("b", "B", "")]


def test_an_exception_in_one_worker_is_its_own_error():
    def work(name, _channel):
        if name == "bad":
            raise KeyError("objectos:domain")
        return "fine"

    found = _by_name(workers.run(["good", "bad", "also-good"], work, jobs=2, timeout=120))
    assert found["good"].value == found["also-good"].value == "fine"
    assert "KeyError" in found["bad"].error and "objectos:domain" in found["bad"].error


def test_a_worker_killed_by_a_signal_is_reported_with_the_signal_and_its_output():
    def work(name, _channel):
        if name == "crash":
            print("about to crash", flush=True)
            os.kill(os.getpid(), signal.SIGKILL)
        return "fine"

    found = _by_name(workers.run(["crash", "ok"], work, jobs=2, timeout=120))
    assert found["ok"].value == "fine"
    assert "killed by signal SIGKILL" in found["crash"].error
    assert "about to crash" in found["crash"].error


def test_a_worker_past_its_timeout_is_stopped_and_the_rest_still_run():
    def work(name, _channel):
        if name == "hangs":
            time.sleep(600)
        return "fine"

    found = _by_name(workers.run(["hangs", "ok"], work, jobs=1, timeout=1))
    assert "did not finish within the timeout of 1 s" in found["hangs"].error
    assert found["ok"].value == "fine"


def test_stacks_not_started_by_the_deadline_say_so():
    def work(name, _channel):
        time.sleep(600)

    found = _by_name(workers.run(["first", "second"], work, jobs=1, timeout=600, deadline=1))
    assert "stopped at the fleet deadline" in found["first"].error
    assert "not started" in found["second"].error


def test_a_worker_asks_the_parent_and_works_on_while_it_answers():
    def work(name, channel):
        answer = channel.ask({"stack": name})
        return ("asked", answer())

    outcomes = workers.run(["a", "b"], work, jobs=2, timeout=120, serve=lambda name, request: (name, request))
    assert [o.value for o in outcomes] == [("asked", ("a", {"stack": "a"})), ("asked", ("b", {"stack": "b"}))]


def test_an_error_while_answering_reaches_the_worker_that_asked():
    def serve(name, request):
        raise RuntimeError("the policy pack did not start")

    [outcome] = workers.run(["a"], lambda n, c: c.ask("graph")(), jobs=1, timeout=120, serve=serve)
    assert "the policy pack did not start" in outcome.error


def test_workers_do_not_run_the_parents_exit_handlers(tmp_path):
    # The parent's exit handlers stop the shared policy pack: a worker must not run them.
    import atexit

    marker = tmp_path / "ran"
    handler = lambda: marker.write_text("x")  # noqa: E731
    atexit.register(handler)
    try:
        workers.run(["a"], lambda n, c: None, jobs=1, timeout=120)
    finally:
        atexit.unregister(handler)
    assert not marker.exists()


def test_jobs_below_one_is_refused():
    with pytest.raises(ValueError):
        workers.run(["a"], lambda n, c: None, jobs=0, timeout=1)


def test_a_worker_can_use_the_event_loops_executor_the_parent_already_used():
    # The Pulumi runtime sends every registration to the loop's default executor; a worker
    # inheriting the parent's (its threads not forked) would wait for ever.
    import asyncio

    loop = asyncio.get_event_loop()
    loop.run_until_complete(loop.run_in_executor(None, int))

    def work(name, _channel):
        running = asyncio.get_event_loop()
        return running.run_until_complete(running.run_in_executor(None, len, name))

    [outcome] = workers.run(["four"], work, jobs=1, timeout=30)
    assert outcome.value == 4, outcome.error
