"""The pack ends with the process that started it, even when that process is killed by SIGKILL.

`golive` starts the pack with its own process id in `GOLIVE_PACK_PARENT`; the pack's entry point
calls `arm()` first thing, which asks the Linux kernel to send it SIGTERM when that parent dies.
The request is made here, after the pack's interpreter started, and not in a `preexec_fn` of the
caller: a `preexec_fn` makes Python fork the caller instead of spawning the pack, and a fork runs
gRPC's fork handlers beside the caller's live channels (seen: a busy caller's pack channel closed
under it). Started by the Pulumi CLI, the variable is not set and `arm()` does nothing.

Standard library only: the pack runs in its own virtualenv.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from collections.abc import MutableMapping

PARENT_VAR = "GOLIVE_PACK_PARENT"
_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def arm(environ: MutableMapping[str, str] = os.environ) -> bool:
    """Die with the parent named in the environment (the variable is removed either way).

    True when armed. A parent already gone, between its spawn and this call, ends the pack
    at once: nobody is left to ask it anything."""
    named = environ.pop(PARENT_VAR, None)
    try:
        parent = int(named or "")
    except ValueError:
        return False
    if not die_with_parent(signal.SIGTERM):
        return False
    if os.getppid() != parent:
        os._exit(1)
    return True


def die_with_parent(stop: signal.Signals) -> bool:
    """Ask the Linux kernel to send this process `stop` when the thread that started it ends;
    False where that cannot be asked (another system, no prctl)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        return ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, int(stop)) == 0
    except (OSError, AttributeError):
        return False
