"""What `golive preview` and `golive verify` print for a person: rich text on a terminal, plain text elsewhere.

Colour only when the stream is a terminal, and never with NO_COLOR set (rich reads
both); no markup is interpreted, so a reason quoting `[secret]` prints as written;
no line is wrapped, so a log or a test reads the same text a terminal shows.
Progress lines go to stderr, so a document on stdout (`--json -`) stays parseable.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Optional, TextIO

from rich.console import Console
from rich.text import Text

from golive.results import Status

QUIET, NORMAL, VERBOSE = 0, 1, 2
STATUS_STYLES = {
    Status.PASS: "green",
    Status.FAIL: "bold red",
    Status.WARN: "yellow",
    Status.NOT_JUDGED: "dim",
    Status.WAIVED: "cyan",
}


def console(stream: TextIO) -> Console:
    return Console(file=stream, highlight=False, markup=False, emoji=False, soft_wrap=True)


class Printer:
    """Lines for a person on `out`, styled on a terminal, at a verbosity (QUIET, NORMAL, VERBOSE)."""

    def __init__(self, out: TextIO, verbosity: int = NORMAL):
        self.console, self.verbosity = console(out), verbosity

    def line(self, text: str = "", style: Optional[str] = None) -> None:
        self.console.print(Text(text, style=style or ""), soft_wrap=True)

    def parts(self, *parts: tuple[str, Optional[str]]) -> None:
        """One line of differently styled parts: ("FAIL", "bold red"), (" reason", None)."""
        self.console.print(Text.assemble(*((text, style or "") for text, style in parts)), soft_wrap=True)

    def verdict(self, text: str, passed: bool) -> None:
        self.line(text, "bold green" if passed else "bold red")


class Progress:
    """Progress lines on stderr: `golive preview [ 1.2 s] running the program`, from the first second."""

    def __init__(self, err: TextIO, command: str, enabled: bool = True, clock: Callable[[], float] = time.monotonic):
        self.console, self.command, self.enabled, self.clock = console(err), command, enabled, clock
        self.started = clock()

    def __call__(self, message: str) -> None:
        if not self.enabled:
            return
        elapsed = self.clock() - self.started
        self.console.print(Text(f"{self.command} [{elapsed:5.1f} s] {message}", style="dim"), soft_wrap=True)
