"""`golive release` and `rollback` against hostile input and a hostile environment.

Credentials in artifact URLs are refused without being repeated; concurrent runs
are serialized by a lock and none is lost; a kill at any point is recovered on the
next run from the journal; special files and read-only files are refused, never
replaced.
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from golive import release
from settings.errors import SettingsError
from settings.load import validate
from tests.conftest import ROOT, STACKS
from tests.settings.test_settings import edited

DIGEST = "c" * 64
IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/objectos-enterprise@sha256:" + DIGEST
PIN = "#sha256=" + DIGEST


@pytest.fixture
def stacks(tmp_path: Path) -> Path:
    return Path(shutil.copytree(STACKS, tmp_path / "stacks"))


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def run_release(stacks: Path, artifact: str, release_id: str = "r9", **options) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    code = release.release("prod", options.get("image", IMAGE), artifact, release_id, None, stacks, out=out, err=err)
    return code, out.getvalue() + err.getvalue()


# (artifact URL, the secret it holds or None, words of the refusal)
BAD_URLS = [
    (
        f"https://deploy:hunter2-pass@artifacts.example.com/objectstack.json{PIN}",
        "hunter2-pass",
        "user name or password",
    ),
    (f"https://artifacts.example.com/objectstack.json?sig=SIGsecret123{PIN}", "SIGsecret123", "query string (sig)"),
    (f"https://artifacts.example.com/objectstack.json?auth=AUTHsecret9{PIN}", "AUTHsecret9", "query string (auth)"),
    (
        "https://bucket.s3.amazonaws.com/objectstack.json?X-Amz-Algorithm=AWS4-HMAC-SHA256"
        f"&X-Amz-Credential=AKIAEXAMPLE%2F20261201&X-Amz-Signature=0badc0ffeeSIG{PIN}",
        "0badc0ffeeSIG",
        "X-Amz-Credential, X-Amz-Signature",
    ),
    (
        f"https://acct.blob.core.windows.net/c/objectstack.json?sv=2022-11-02&se=2026&sig=SASsig%2Bvalue{PIN}",
        "SASsig%2Bvalue",
        "query string (sig)",
    ),
    (f"https://artifacts.example.com/objectstack.json?token=TOKsecret77{PIN}", "TOKsecret77", "(token)"),
    (f"https://artifacts.example.com/object\nstack.json{PIN}", None, "holds a line break"),
    (f"https://artifacts.example.com/object\rstack.json{PIN}", None, "holds a carriage return"),
    (f"https://artifacts.example.com/object stack.json{PIN}", None, "holds a space"),
    (f"https:///objectstack.json{PIN}", None, "has no host"),
]


@pytest.mark.parametrize(("url", "secret", "words"), BAD_URLS)
def test_release_refuses_a_bad_artifact_url_without_repeating_its_secret(stacks, url, secret, words):
    before = tree(stacks)
    code, output = run_release(stacks, url)
    assert code == 2 and words in output, output
    if secret:
        assert secret not in output and "***" in output
    assert "\n" not in output.strip() and "\r" not in output  # the refusal is one line: nothing injected
    assert tree(stacks) == before


@pytest.mark.parametrize(("url", "secret", "words"), BAD_URLS)
def test_the_stack_file_refuses_the_same_artifact_urls(url, secret, words):
    with pytest.raises(SettingsError) as caught:
        validate(edited("prod", {"release.artifactUrl": url}))
    messages = {issue.key: issue.message for issue in caught.value.issues}
    assert words in messages["objectos:release.artifactUrl"]
    if secret:
        assert secret not in str(caught.value)


def test_an_old_history_entry_with_a_credential_is_shown_masked(stacks):
    history = stacks / "releases" / "prod.yaml"
    document = yaml.safe_load(history.read_text())
    document["releases"][0]["artifactUrl"] = f"https://a.example.com/o.json?sig=OLDsecret42{PIN}"
    history.write_text(yaml.safe_dump(document))
    entry = document["releases"][0]
    code, output = run_release(stacks, f"https://artifacts.example.com/other.json{PIN}", release_id=entry["id"])
    assert code == 2 and "already names" in output
    assert "OLDsecret42" not in output and "sig=***" in output


# --- concurrency, kills and interrupts (real processes) --------------------------

KILLER = """
import os, signal, sys
calls = [0]
def counted(name):
    real = getattr(os, name)
    def call(*args, **kwargs):
        calls[0] += 1
        if calls[0] == int(os.environ["KILL_AT"]):
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*args, **kwargs)
    setattr(os, name, call)
for name in ("fsync", "replace", "unlink"):
    counted(name)
from golive import cli
sys.exit(cli.main(sys.argv[1:]))
"""


def golive(stacks: Path, *args: str, env=None, script=None, **popen) -> subprocess.Popen:
    command = [sys.executable, "-c", script] if script else [sys.executable, "-m", "golive"]
    return subprocess.Popen(
        [*command, *args, "--stacks-dir", str(stacks)],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **popen,
    )


def release_args(n: int, migration: str = "--migration") -> list[str]:
    digit = "0123456789abcdef"[n % 16]
    artifact = f"https://artifacts.example.com/objectstack-c{n}.json#sha256=" + digit * 64
    image = IMAGE[: -len(DIGEST)] + digit * 64
    return ["release", "--stack", "prod", "--image", image, "--artifact-url", artifact, "--id", f"c{n}", migration]


def recorded(stacks: Path) -> list[dict]:
    return yaml.safe_load((stacks / "releases" / "prod.yaml").read_text())["releases"]


def leftovers(stacks: Path) -> list[str]:
    return sorted(str(p.relative_to(stacks)) for p in stacks.rglob(".*") if p.is_file())


def test_eight_releases_at_once_each_land_or_are_refused_none_lost(stacks):
    before = len(recorded(stacks))
    runs = [golive(stacks, *release_args(n)) for n in range(1, 9)]
    done = {n: (run.wait(timeout=300), run.stderr.read()) for n, run in enumerate(runs, start=1)}
    for run in runs:
        run.stdout.close(), run.stderr.close()
    landed = [entry["id"] for entry in recorded(stacks)[before:]]
    assert all(code in (0, 2) and "Traceback" not in err for code, err in done.values()), done
    assert sorted(landed) == sorted(f"c{n}" for n, (code, _) in done.items() if code == 0)
    assert all("another `golive release`" in err for code, err in done.values() if code == 2)
    assert len(landed) == len(set(landed))  # no entry written twice
    pinned = yaml.safe_load((stacks / "Pulumi.prod.yaml").read_text())["config"]["objectos:release"]["id"]
    assert landed and pinned == landed[-1]  # the stack file pins the last release recorded
    assert leftovers(stacks) == []


@pytest.mark.parametrize("kill_at", range(1, 12))
def test_a_release_killed_at_any_step_is_completed_or_undone_by_the_next_run(stacks, kill_at):
    before = recorded(stacks)
    killed = golive(stacks, *release_args(1, "--no-migration"), env={"KILL_AT": str(kill_at)}, script=KILLER)
    killed.communicate(timeout=120)
    assert killed.returncode in (-signal.SIGKILL, 0)
    follow = golive(stacks, *release_args(2))
    out, err = follow.communicate(timeout=120)
    assert follow.returncode == 0, err
    after = recorded(stacks)
    ids = [entry["id"] for entry in after]
    assert ids[: len(before)] == [entry["id"] for entry in before] and ids[-1] == "c2"
    assert ids[len(before) :] in (["c1", "c2"], ["c2"])  # the killed release landed whole, or not at all
    if "c1" in ids:
        assert after[ids.index("c1")]["migration"] is False  # nothing of it dropped
    assert leftovers(stacks) == []  # no journal, lock or temporary file left


def waiting_on(run: subprocess.Popen, lock: Path, limit: float = 120.0) -> None:
    """Return once `run` has `lock` open (read from /proc), or fail when it exits or the limit passes."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and run.poll() is None:
        for fd in Path(f"/proc/{run.pid}/fd").glob("*"):
            try:
                if os.readlink(fd) == str(lock):
                    return
            except OSError:
                continue
        time.sleep(0.05)
    pytest.fail(f"the release never waited on {lock} (exit {run.poll()})")


INTERRUPTIBLE = (
    "import runpy, signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
    "runpy.run_module('golive', run_name='__main__', alter_sys=True)"
)


def signal_masks(pid: int) -> str:
    """The process's blocked and ignored signal masks, as /proc shows them (for a failure's message)."""
    status = Path(f"/proc/{pid}/status").read_text()
    return " ".join(line for line in status.splitlines() if line.startswith(("SigBlk", "SigIgn")))


def test_sigint_ends_a_release_with_exit_130_and_no_traceback(stacks):
    # The interrupt lands while the release waits for the lock another run holds.
    from golive.stackfile import locked

    lock = release.lock_file("prod", stacks)
    with locked(lock, "stack prod's files"):
        # As from a terminal: a shell's background job (CI scripts, `cmd &`) starts with SIGINT
        # ignored, which the release inherits and rightly keeps.
        run = golive(stacks, *release_args(3), script=INTERRUPTIBLE)
        waiting_on(run, lock)  # it holds the lock file open: it is past start-up and waits for the lock
        masks = signal_masks(run.pid)
        run.send_signal(signal.SIGINT)
        out, err = run.communicate(timeout=60)
    assert run.returncode == 130 and "Traceback" not in err and "interrupted" in err, (masks, err)
    assert "c3" not in [entry["id"] for entry in recorded(stacks)]


# --- files that must not be replaced ---------------------------------------------


@pytest.mark.parametrize("which", ["history", "stack"])
def test_a_file_linked_to_a_device_is_refused_and_the_link_kept(stacks, which):
    path = stacks / ("releases/prod.yaml" if which == "history" else "Pulumi.prod.yaml")
    path.unlink()
    path.symlink_to(os.devnull)
    code, output = run_release(stacks, f"https://artifacts.example.com/objectstack.json{PIN}")
    assert code == 2 and "character device" in output
    assert path.is_symlink() and os.readlink(path) == os.devnull
    assert os.path.exists(os.devnull) and stat.S_ISCHR(os.stat(os.devnull).st_mode)


def test_a_link_to_nothing_is_refused_not_created(stacks):
    path = stacks / "releases" / "prod.yaml"
    path.unlink()
    path.symlink_to(stacks / "elsewhere.yaml")
    code, output = run_release(stacks, f"https://artifacts.example.com/objectstack.json{PIN}")
    assert code == 2 and "link to nothing" in output and not (stacks / "elsewhere.yaml").exists()


def test_a_read_only_stack_file_is_refused_with_a_clear_message(stacks):
    path = stacks / "Pulumi.prod.yaml"
    path.chmod(0o444)
    before = tree(stacks)
    code, output = run_release(stacks, f"https://artifacts.example.com/objectstack.json{PIN}")
    assert code == 2 and "Pulumi.prod.yaml is read-only" in output and "chmod u+w" in output
    assert tree(stacks) == before and stat.S_IMODE(path.stat().st_mode) == 0o444


def test_a_stack_file_edited_while_the_command_runs_is_not_overwritten(stacks, monkeypatch):
    from golive import stackfile

    path = stacks / "Pulumi.prod.yaml"
    real = stackfile.write_all

    def edit_then_write(changes, journal):
        path.write_text(path.read_text() + "# an edit made meanwhile\n")
        return real(changes, journal)

    monkeypatch.setattr(stackfile, "write_all", edit_then_write)
    code, output = run_release(stacks, f"https://artifacts.example.com/objectstack.json{PIN}")
    assert code == 2 and "changed while this command ran" in output
    assert path.read_text().endswith("# an edit made meanwhile\n")


def test_a_report_aimed_at_a_fifo_without_reader_fails_instead_of_hanging(tmp_path):
    from golive import outputs

    fifo = tmp_path / "report.json"
    os.mkfifo(fifo)
    with pytest.raises(OSError):  # ENXIO at once: no reader; the commands turn it into exit 2
        outputs.write(fifo, "{}", io.StringIO())
