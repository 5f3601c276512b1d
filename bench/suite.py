"""The test suite's wall time against the floor of collecting it (imports and collection only)."""

from __future__ import annotations

import subprocess
import sys
import time

from bench.measure import ROOT

BUDGET_SECONDS = 120.0


def _timed(args: list[str]) -> float:
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "pytest", *args], cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"pytest {' '.join(args)} failed:\n{proc.stdout[-3000:]}")
    return time.perf_counter() - started


def measure() -> list[dict]:
    floor = _timed(["--collect-only", "-q", "-p", "no:warnings"])
    suite = _timed(["-n", "2", "-q", "-p", "no:warnings"])
    return [
        {
            "figure": "test suite wall time (-n 2)",
            "value": f"{suite:.1f} s",
            "floor": f"{floor:.1f} s (collect only)",
            "ratio": suite / floor,
            "target": None,
            "ok": suite <= BUDGET_SECONDS,
            "note": f"budget {BUDGET_SECONDS:.0f} s",
        }
    ]
