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

# The policy pack runs in its own process, alive until exit: its peak (VmHWM, which unlike
# ru_maxrss does not count the memory it was forked with) is read before the interpreter ends.
_WRAPPER = """
import glob, json, os, resource, sys, time

def children_peak_kib():
    total = 0
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            with open(stat) as handle:
                if int(handle.read().rsplit(")", 1)[1].split()[1]) != os.getpid():
                    continue
            with open(stat[: -len("stat")] + "status") as handle:
                total += next(int(line.split()[1]) for line in handle if line.startswith("VmHWM:"))
        except (OSError, ValueError, StopIteration):
            continue
    return total

start = time.perf_counter()
exec(compile(sys.argv[1], "<bench>", "exec"))
elapsed = time.perf_counter() - start
own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print("\\n@@BENCH@@" + json.dumps({"seconds": elapsed, "own_rss_kib": own, "children_rss_kib": children_peak_kib()}))
"""


@dataclass(frozen=True)
class Sample:
    seconds: float  # inside the interpreter, after start-up
    wall_seconds: float  # the whole process, start-up included
    own_rss_kib: int  # peak of the measured interpreter
    children_rss_kib: int = 0  # peaks of the processes it started and left running (the policy pack)

    @property
    def max_rss_kib(self) -> int:
        """Peak memory of the work: the interpreter plus the process it started."""
        return self.own_rss_kib + self.children_rss_kib


def run_snippet(code: str) -> tuple[Sample, str]:
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _WRAPPER, code], cwd=ROOT, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    head, sep, tail = proc.stdout.rpartition("\n@@BENCH@@")
    if not sep:
        raise RuntimeError(f"benchmark snippet failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    data = json.loads(tail)
    return Sample(data["seconds"], wall, data["own_rss_kib"], data["children_rss_kib"]), head


def median_sample(code: str, repeats: int) -> Sample:
    samples = [run_snippet(code)[0] for _ in range(repeats)]
    return Sample(
        statistics.median(s.seconds for s in samples),
        statistics.median(s.wall_seconds for s in samples),
        int(statistics.median(s.own_rss_kib for s in samples)),
        int(statistics.median(s.children_rss_kib for s in samples)),
    )
