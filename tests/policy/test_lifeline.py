"""The pack ends with its caller without the caller forking: policy/lifeline.py and how golive starts the pack."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from policy import lifeline

ROOT = Path(__file__).resolve().parents[2]
linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")


def test_without_the_variable_nothing_is_armed_as_under_the_pulumi_cli():
    environ = {"PATH": "/usr/bin"}
    assert lifeline.arm(environ) is False
    assert environ == {"PATH": "/usr/bin"}


@pytest.mark.parametrize("named", ["", "not-a-pid"])
def test_an_unusable_parent_is_ignored_and_the_variable_removed(named):
    environ = {lifeline.PARENT_VAR: named}
    assert lifeline.arm(environ) is False
    assert lifeline.PARENT_VAR not in environ


ARM = "import os; from policy import lifeline; print(lifeline.arm({'%s': '%s'}), flush=True)"
READ_DEATH_SIGNAL = (
    "import ctypes, signal; sig = ctypes.c_int(); ctypes.CDLL(None).prctl(2, ctypes.byref(sig));"
    "print(signal.Signals(sig.value).name)"
)


@linux
def test_a_pack_of_a_living_parent_arms_sigterm_and_goes_on():
    code = ARM % (lifeline.PARENT_VAR, "{ppid}") + "; " + READ_DEATH_SIGNAL
    script = code.replace("'{ppid}'", "str(os.getppid())")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "SIGTERM"]


@linux
def test_a_pack_whose_parent_is_already_gone_ends_at_once():
    # The parent named is not this process's parent: as if the caller died before the pack armed.
    done = subprocess.run(
        [sys.executable, "-c", ARM % (lifeline.PARENT_VAR, "1") + "; print('still running')"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1 and "still running" not in done.stdout


# A caller that counts its forks while it starts the pack: Python runs os.register_at_fork's
# handlers (and gRPC's beside them) whenever it forks the caller, as it does for a preexec_fn.
COUNT_FORKS = """
import os
forks = []
os.register_at_fork(before=lambda: forks.append(1))
from golive import analyzer
pack = analyzer.PolicyPackProcess().start()
names = pack.info().policies
pack.close()
print(len(forks), len(names) > 0)
"""


@linux
def test_starting_the_pack_never_forks_the_caller():
    done = subprocess.run([sys.executable, "-c", COUNT_FORKS], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0", "True"]


# A caller whose own environment names some other process, starting its pack from a thread
# (which gets no lifeline): the stale name must not reach the pack, which would end at once.
STALE_NAME_FROM_A_THREAD = """
import os, threading
from policy import lifeline
os.environ[lifeline.PARENT_VAR] = "1"
from golive import analyzer
found = []
def start():
    pack = analyzer.PolicyPackProcess().start()
    found.append(len(pack.info().policies) > 0)
    pack.close()
thread = threading.Thread(target=start)
thread.start()
thread.join()
print(found)
"""


@linux
def test_a_parent_named_in_the_callers_own_environment_is_not_passed_on():
    done = subprocess.run(
        [sys.executable, "-c", STALE_NAME_FROM_A_THREAD], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[True]"
