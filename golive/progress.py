"""Progress of a long command, reported from wherever the work is done.

The command installs a reporter (`reporting`); the code doing the work calls
`step("running the program")` without knowing who listens, so the preview's
stages and the verifier's rate-limit probe need no extra parameters. With no
reporter installed a step is silent. Standard library only.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator

Reporter = Callable[[str], None]
_REPORTER: contextvars.ContextVar[Reporter] = contextvars.ContextVar("golive_progress", default=lambda _message: None)


def step(message: str) -> None:
    """Report that the command has reached `message` (one short line, no secret)."""
    _REPORTER.get()(message)


@contextlib.contextmanager
def reporting(reporter: Reporter) -> Iterator[None]:
    token = _REPORTER.set(reporter)
    try:
        yield
    finally:
        _REPORTER.reset(token)
