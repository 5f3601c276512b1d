"""The go-live rehearsal's wall time against the floor of booting the same processes alone.

The rehearsal of prod boots the real runtime several times (the declared topology and a
wrong pin, which must be refused; the declared env; after a release; after a rollback),
starts redis-server and nginx, and runs the verifier's checks in between. The floor is the
same boots with the same env, one after another, each timed until ready (or until the
runtime exits, for a boot that must be refused), plus starting redis-server and nginx:
what no rehearsal of these processes can go below. Both run in this process, one after the
other, with the app's compiled artifact already cached, so the ratio is what the
rehearsal's own work costs on top of the boots.
"""

from __future__ import annotations

import re
import tempfile
import time
from pathlib import Path

from golive.rehearse import artifacts, command, install, runtime
from golive.rehearse.runtime import BootFailed

STACK = "prod"


def _quiet(_: str) -> None:
    return None


def floor_seconds(outcome: command.Outcome, inputs: command.Inputs, installation: install.Installation) -> float:
    """The boots of `outcome`, alone, with their env pointed at fresh stand-ins; plus redis and nginx starts."""
    from golive.rehearse import edge, pki, redis

    with tempfile.TemporaryDirectory(prefix="bench-rehearsal-") as scratch:
        folder = Path(scratch)
        keys = pki.make_pki(folder / "pki", [inputs.settings.domain, runtime.LOOPBACK, "localhost"])
        artifacts.two_versions(artifacts.compiled(installation, inputs.app), folder / "artifacts")
        with artifacts.serving(folder / "artifacts", keys.cert, keys.key) as server:
            started = time.perf_counter()
            with redis.started_redis(keys) as stand_in:
                served = f"https://{runtime.LOOPBACK}:{server.port}/"
                total = 0.0
                for env in outcome.boots:
                    moved = dict(env)
                    moved["OS_ARTIFACT_URL"] = re.sub(r"^https://[^/]+/", served, env.get("OS_ARTIFACT_URL", ""))
                    if "OS_REDIS_URL" in moved:
                        moved["OS_REDIS_URL"] = stand_in.url
                    moved["NODE_EXTRA_CA_CERTS"] = str(keys.ca_cert)
                    moved["OS_PORT"] = str(runtime.free_port())
                    begin = time.perf_counter()
                    with runtime.started(installation, moved) as process:
                        try:
                            process.wait_ready()
                        except BootFailed:
                            pass  # a boot that must be refused ends when the runtime exits
                    total += time.perf_counter() - begin
                with edge.started_edge(
                    inputs.headers, {"auth": None, "write": None, "read": None}, "127.0.0.1:9", keys
                ):
                    pass
            services = time.perf_counter() - started - total
    return total + services


def measure() -> list[dict]:
    reason = install.missing()
    if reason is not None:
        return [{"figure": f"rehearsal of {STACK}", "value": "skipped", "floor": reason[:40], "ratio": None}]
    installation = install.installation()
    options = command.Options(stack=STACK)
    inputs = command.inputs_for(options, _quiet)
    artifacts.compiled(installation, inputs.app)  # both runs boot the cached artifact
    began = time.perf_counter()
    outcome = command.rehearse(inputs, options, _quiet, installation)
    seconds = time.perf_counter() - began
    floor = floor_seconds(outcome, inputs, installation)
    return [
        {
            "figure": f"rehearsal of {STACK} ({outcome.report.verdict})",
            "value": f"{seconds:.1f} s",
            "floor": f"{len(outcome.boots)} bare boots + redis + nginx {floor:.1f} s",
            "ratio": seconds / floor,
            "target": None,
        }
    ]


if __name__ == "__main__":
    from bench.__main__ import print_table

    print_table(measure())
