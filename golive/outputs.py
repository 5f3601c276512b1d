"""Where a command writes a report: a file, or stdout for `-`.

Every output-path option of `golive preview` and `golive verify` (`--json`,
`--junit`) takes `-` for stdout; the human-readable text then goes to stderr,
so stdout holds the machine-readable document alone.
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
