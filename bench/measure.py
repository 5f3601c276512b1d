"""Run a Python snippet in a fresh interpreter and report its wall time and peak memory."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_WRAPPER = """
import json, resource, sys, time
start = time.perf_counter()
exec(compile(sys.argv[1], "<bench>", "exec"))
elapsed = time.perf_counter() - start
print("\\n@@BENCH@@" + json.dumps({"seconds": elapsed, "max_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


@dataclass(frozen=True)
class Sample:
    seconds: float  # inside the interpreter, after start-up
    wall_seconds: float  # the whole process, start-up included
    max_rss_kib: int


def run_snippet(code: str) -> tuple[Sample, str]:
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", _WRAPPER, code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - started
    head, sep, tail = proc.stdout.rpartition("\n@@BENCH@@")
    if not sep:
        raise RuntimeError(f"benchmark snippet failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    data = json.loads(tail)
    return Sample(data["seconds"], wall, data["max_rss_kib"]), head


def median_sample(code: str, repeats: int) -> Sample:
    samples = [run_snippet(code)[0] for _ in range(repeats)]
    return Sample(
        statistics.median(s.seconds for s in samples),
        statistics.median(s.wall_seconds for s in samples),
        int(statistics.median(s.max_rss_kib for s in samples)),
    )
