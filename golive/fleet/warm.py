"""Importing this module is the fleet preview's warm-up, done once in the fork server.

`golive preview --stacks` names it in the fork server's preload (workers.start_server), so the
server imports what every worker's run imports before its first fork: the SDK modules the
kit's program touches (pulumi_aws loads its modules as they are first used, so the program
runs once, for the kit's committed prod stack, its result set aside) and the manifest schemas.
Nothing it does may reach the caller's terminal or stop the server: a worker runs and reports
its own stack whatever happened here. It leaves no thread running (a fork copies none).
"""

from __future__ import annotations

import asyncio
import contextlib
import io

WARM_STACK = "prod"


def warm() -> None:
    from golive.manifests import validate_manifests
    from golive.program import STACKS_DIR, run_program
    from settings.load import load_stack

    config, settings = load_stack(WARM_STACK, STACKS_DIR)
    engine_config, secret_keys = config.engine_config()
    result = run_program(config.stack, engine_config, secret_keys)
    validate_manifests(result.resources, settings.kubernetes.version)


def _quietly() -> None:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        try:
            warm()
        except Exception:  # noqa: BLE001, S110 (only a warm-up: each worker runs and reports its own stack)
            pass
        # The program's registrations ran on the event loop's default executor: end its threads
        # and the loop, and leave a new one set. A worker never runs on it: it makes a loop of its
        # own (workers._own_event_loop), since a forked loop is one epoll and one wake-up socket
        # shared by every worker.
        loop = asyncio.get_event_loop()
        with contextlib.suppress(Exception):
            loop.run_until_complete(loop.shutdown_default_executor())
            loop.close()
        asyncio.set_event_loop(asyncio.new_event_loop())


_quietly()
