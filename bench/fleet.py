"""Twenty generated stacks previewed together against one stack alone, in the same run.

The twenty are copies of the prod stack file under other names and domains, written to a
temporary stacks folder; both sides start a fresh interpreter, so each pays the SDK import
once. The two are run in turns, `repeats` times each, and the medians compared (one stack's
time moves by a fifth from run to run on a shared machine). Target: the fleet at most 2.5
times the single stack.
"""

from __future__ import annotations

import os
import re
import statistics
import tempfile
from pathlib import Path

from bench.measure import ROOT, run_snippet
from bench.preview import PREVIEW as SINGLE  # the prod stack alone, as the preview figure runs it

STACKS = 20
TARGET = 2.5

FLEET = """
import io
from pathlib import Path
from golive.fleet import preview as fleet
code = fleet.main(["all"], Path(%r), jobs=%r, out=io.StringIO())
if code != 0:
    raise SystemExit(f"the fleet preview is not ready: exit {code}")
"""


def generate(folder: Path, count: int = STACKS) -> list[str]:
    """`count` copies of the prod stack, each its own name and domain."""
    prod = (ROOT / "stacks" / "Pulumi.prod.yaml").read_text(encoding="utf-8")
    names = []
    for index in range(1, count + 1):
        name = f"customer-{index:02d}"
        text = re.sub(r"\bapp\.example\.com\b", f"{name}.example.com", prod)
        (folder / f"Pulumi.{name}.yaml").write_text(text, encoding="utf-8")
        names.append(name)
    return names


def measure(jobs: int | None = None, repeats: int = 3) -> list[dict]:
    jobs = jobs or max(1, len(os.sched_getaffinity(0)))
    singles, fleets = [], []
    with tempfile.TemporaryDirectory(prefix="golive-fleet-bench-") as folder:
        generate(Path(folder))
        for _ in range(repeats):  # in turns, so both sides meet the same load
            singles.append(run_snippet(SINGLE)[0].wall_seconds)
            fleets.append(run_snippet(FLEET % (folder, jobs))[0].wall_seconds)
    single, many = statistics.median(singles), statistics.median(fleets)
    load = os.getloadavg()[0]
    return [
        {
            "figure": f"{STACKS} stacks previewed together",
            "value": f"{many:.1f} s",
            "floor": f"{single:.1f} s one stack (medians of {repeats}; load {load:.1f})",
            "ratio": many / single,
            "target": TARGET,
        }
    ]
