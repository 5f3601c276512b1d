"""The benchmark runner: a missed target fails the run, and memory counts the policy pack's process."""

from __future__ import annotations

from pathlib import Path

import pytest

import bench.__main__ as runner
from bench.measure import run_snippet

MET = {"figure": "met", "value": "1 s", "floor": "1 s", "ratio": 1.0, "target": 1.5}
MISSED = {"figure": "missed", "value": "2 s", "floor": "1 s", "ratio": 2.0, "target": 1.5}
OVER_BUDGET = {"figure": "suite", "value": "200 s", "floor": "9 s", "ratio": 22.0, "target": None, "ok": False}


def run_with(monkeypatch, rows: list[dict]) -> int:
    monkeypatch.setattr(runner.preview, "measure", lambda repeats: rows)
    monkeypatch.setattr(runner.policy_pack, "measure", lambda rounds: [])
    monkeypatch.setattr(runner.rehearse, "measure", lambda: [])
    monkeypatch.setattr(runner.fleet, "measure", lambda: [])
    return runner.main(["--skip-suite", "--repeats", "1"])


def test_the_runner_exits_0_when_every_target_is_met(monkeypatch, capsys):
    assert run_with(monkeypatch, [MET]) == 0


@pytest.mark.parametrize("row", [MISSED, OVER_BUDGET])
def test_the_runner_exits_1_when_a_target_is_missed(monkeypatch, capsys, row):
    assert run_with(monkeypatch, [MET, row]) == 1
    assert "NO" in capsys.readouterr().out


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
def test_peak_memory_includes_the_process_the_work_leaves_running():
    # A child holding ~64 MiB, still running when the figures are read, as the policy pack is.
    child = "import sys; block = bytearray(64 * 1024 * 1024); print(flush=True); sys.stdin.read()"
    code = (
        "import subprocess, sys\n"
        f"held = subprocess.Popen([sys.executable, '-c', {child!r}], stdin=subprocess.PIPE, stdout=subprocess.PIPE)\n"
        "held.stdout.readline()\n"
    )
    sample, _ = run_snippet(code)
    assert sample.children_rss_kib >= 64 * 1024
    assert sample.max_rss_kib == sample.own_rss_kib + sample.children_rss_kib


def test_the_policy_pack_benchmark_stack_passes_every_policy():
    # The benchmark times the policies on a compliant stack; a violation aborts it.
    from bench import policy_pack

    assert policy_pack.run_pack(policy_pack.synthetic_stack(3 * policy_pack.UNIT_SIZE + 2)) == 0
