"""Where a command writes a report: a file, or stdout for `-`.

Every output-path option of `golive preview`, `verify` and `rehearse` (`--json`,
`--junit`, `--sarif`, `--graph`) takes `-` for stdout; the human-readable text
then goes to stderr, so stdout holds the machine-readable document alone.

`check` is the one test of a run's output paths, made before any work: two
outputs on stdout, a path that cannot be written, and a path that names a file
the run reads (the stack file, the probe file, the waivers file...: a report
written there would destroy it) are refused with exit 2.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Optional, TextIO

STDOUT = "-"


def is_stdout(path: Optional[Path]) -> bool:
    return path is not None and str(path) == STDOUT


def problem(path: Path) -> Optional[str]:
    """Why a report could not be written to `path`, checked before any work is done."""
    if is_stdout(path):
        return None
    if path.is_dir():
        return "is a folder"
    if path.exists():
        return None if os.access(path, os.W_OK) else "is not writable"
    folder = path.parent
    while not folder.exists():
        folder = folder.parent
    if not folder.is_dir():
        return f"{folder} is not a folder"
    return None if os.access(folder, os.W_OK | os.X_OK) else f"{folder} is not writable"


def check(targets: Iterable[tuple[str, Optional[Path]]], inputs: Iterable[Optional[Path]]) -> Optional[str]:
    """Why the outputs `targets` (option, path) cannot be written as asked, or None.

    `inputs` are the files the run reads; an output naming one of them, by any path
    (a link, a hard link, `./` or `..` detours), is refused.
    """
    targets, read = list(targets), [path for path in inputs if path is not None]
    clash = conflict(targets)
    if clash:
        return clash
    for option, path in targets:
        if path is None or is_stdout(path):
            continue
        source = next((source for source in read if same_file(path, source)), None)
        if source is not None:
            return f"{option} {path} is {source}, which this run reads; write the report to another file"
        why = problem(path)
        if why:
            return f"{option} {path}: {why}; choose a writable file path, or - for stdout"
    return None


def same_file(one: Path, other: Path) -> bool:
    """Both paths name one file (followed through links), existing or not."""
    try:
        return os.path.samefile(one, other)
    except OSError:  # one does not exist (yet): compare where the paths lead
        return os.path.realpath(one) == os.path.realpath(other)


def conflict(options: Iterable[tuple[str, Optional[Path]]]) -> Optional[str]:
    """Two outputs sent to stdout would be interleaved: say which options clash."""
    to_stdout = [option for option, path in options if is_stdout(path)]
    if len(to_stdout) > 1:
        return f"{' and '.join(to_stdout)} both write to stdout ('-'); send at most one there"
    return None


def write(path: Path, text: str, stdout: TextIO) -> None:
    """Write `text` to `path`, creating its folder, or to `stdout` for `-`; OSError when the file cannot be written."""
    if is_stdout(path):
        stdout.write(text)
        stdout.flush()
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and not path.is_file():
        # A FIFO with no reader would block for ever: open without waiting, then write as usual.
        descriptor = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
        os.set_blocking(descriptor, True)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        return
    path.write_text(text, encoding="utf-8")
