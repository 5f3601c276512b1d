"""The offline prod preview against the floor of importing the same SDK modules."""

from __future__ import annotations

import json

from bench.measure import median_sample, run_snippet

SDK_PREFIXES = (
    "pulumi",
    "pulumi_aws",
    "pulumi_kubernetes",
    "pulumi_random",
    "pulumi_policy",
    "grpc",
    "google.protobuf",
)

PREVIEW = """
import io, contextlib, sys
from golive.preview import preview_stack, print_summary
preview = preview_stack("prod")
with contextlib.redirect_stdout(io.StringIO()):
    print_summary(preview)
if preview.exit_code != 0:
    raise SystemExit(f"prod preview is not ready: exit {preview.exit_code}")
"""

LIST_MODULES = (
    PREVIEW
    + """
import json
prefixes = %r
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in {p.split(".")[0] for p in prefixes})))
"""
)


def sdk_modules() -> list[str]:
    """The SDK modules the prod preview actually imports."""
    _, out = run_snippet(LIST_MODULES % (SDK_PREFIXES,))
    return json.loads(out.strip().splitlines()[-1])


# The policy pack's process loads its SDK before any policy: the floor of the second process,
# kept running (like the pack) until the measured interpreter ends.
PACK_FLOOR = "import sys, pulumi_policy, pulumi.runtime.proto.analyzer_pb2_grpc; print(flush=True); sys.stdin.read()"


def floor_code(modules: list[str]) -> str:
    """Import what the preview imports, in this process and, at the same time as the preview
    boots its pack, in a pack-like child process."""
    return (
        "import importlib, subprocess, sys\n"
        f"pack = subprocess.Popen([sys.executable, '-c', {PACK_FLOOR!r}], stdin=subprocess.PIPE, stdout=subprocess.PIPE)\n"
        f"for name in {modules!r}:\n    importlib.import_module(name)\n"
        "pack.stdout.readline()\n"
    )


def measure(repeats: int = 5) -> list[dict]:
    modules = sdk_modules()
    floor = median_sample(floor_code(modules), repeats)
    preview = median_sample(PREVIEW, repeats)
    return [
        {
            "figure": "prod preview wall time",
            "value": f"{preview.wall_seconds:.2f} s",
            "floor": f"{floor.wall_seconds:.2f} s (import {len(modules)} SDK modules)",
            "ratio": preview.wall_seconds / floor.wall_seconds,
            "target": 1.5,
        },
        {
            "figure": "prod preview peak memory (with pack)",
            "value": f"{preview.max_rss_kib / 1024:.0f} MiB",
            "floor": f"{floor.max_rss_kib / 1024:.0f} MiB (both processes' imports)",
            "ratio": preview.max_rss_kib / floor.max_rss_kib,
            "target": 1.3,
        },
    ]
