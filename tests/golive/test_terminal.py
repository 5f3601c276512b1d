"""The text a person reads: progress from the first second, the verdict first, colour on a terminal only."""

from __future__ import annotations

import io
import re
import sys

import pytest

from golive import cli, terminal
from golive import preview as preview_mod
from golive.program import ProgramError
from golive.results import Report, violation
from golive.verify import report, web

ANSI = re.compile(r"\x1b\[[0-9;]*m")


class Recorder(io.StringIO):
    """A stream that logs each write into a shared list of events, in order."""

    def __init__(self, events: list[str], name: str, tty: bool = False):
        super().__init__()
        self.events, self.name, self.tty = events, name, tty

    def write(self, text: str) -> int:
        self.events.append(f"{self.name}:{text}")
        return super().write(text)

    def isatty(self) -> bool:
        return self.tty


def test_the_first_progress_line_appears_before_the_program_runs(monkeypatch):
    events: list[str] = []
    monkeypatch.setattr(sys, "stderr", Recorder(events, "stderr"))

    def program(*_args, **_kwargs):
        events.append("program runs")
        raise ProgramError("stopped by the test")

    monkeypatch.setattr(preview_mod, "run_program", program)
    assert cli.main(["preview", "--stack", "prod"]) == 2
    ran = events.index("program runs")
    before = [e for e in events[:ran] if e.startswith("stderr:golive preview [")]
    assert before and events[0].startswith("stderr:golive preview [  0.0 s] stack prod")
    assert any("running the program under Pulumi's mocks" in e for e in before)


def test_quiet_prints_no_progress(monkeypatch, previews, capsys):
    monkeypatch.setattr(preview_mod, "preview_stack", lambda stack, stack_file=None: previews("dev"))
    assert cli.main(["preview", "--stack", "dev", "--quiet"]) == 0
    captured = capsys.readouterr()
    assert "golive preview [" not in captured.err
    assert captured.out.splitlines()[0].startswith("Verdict: READY")
    assert "Resource tree" not in captured.out and "Deploy critical path" not in captured.out
    assert all(" WARN " in line for line in captured.out.splitlines()[1:] if line.startswith("  "))


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_verdict_and_its_counts_come_first_and_the_tree_only_with_verbose(previews, stack):
    preview = previews(stack)
    normal, verbose = io.StringIO(), io.StringIO()
    preview_mod.print_summary(preview, normal)
    preview_mod.print_summary(preview, verbose, terminal.VERBOSE)
    first = normal.getvalue().splitlines()[0]
    assert first.startswith(f"Verdict: {preview.report.verdict}") and first.endswith(preview.report.summary())
    assert "Resource tree" not in normal.getvalue() and "--verbose adds the resource tree" in normal.getvalue()
    assert "Resource tree" in verbose.getvalue() and "Resources by type" in verbose.getvalue()
    assert not ANSI.search(normal.getvalue())  # not a terminal: no colour


def colour_report() -> Report:
    return Report("verify", "prod", (violation("tls-at-edge", "mandatory", "no redirect [secret]"),), url="https://x")


def test_colour_on_a_terminal_only_and_never_with_no_color(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    on_tty, piped = Recorder([], "tty", tty=True), Recorder([], "pipe")
    report.print_table(colour_report(), on_tty)
    report.print_table(colour_report(), piped)
    assert ANSI.search(on_tty.getvalue()) and not ANSI.search(piped.getvalue())
    assert ANSI.sub("", on_tty.getvalue()) == piped.getvalue()  # the same text, coloured
    assert "no redirect [secret]" in piped.getvalue()  # no markup is interpreted
    monkeypatch.setenv("NO_COLOR", "1")
    quiet_tty = Recorder([], "tty", tty=True)
    report.print_table(colour_report(), quiet_tty)
    assert not re.search(r"\x1b\[[0-9;]*3[0-7]m|\x1b\[[0-9;]*38;", quiet_tty.getvalue())  # no colour codes


def test_long_lines_are_never_wrapped():
    out = io.StringIO()
    long_reason = "x" * 300
    report.print_table(Report("verify", "prod", (violation("tls-at-edge", "mandatory", long_reason),), url="u"), out)
    assert any(long_reason in line for line in out.getvalue().splitlines())


def test_the_rate_limit_probe_reports_progress_while_it_waits():
    from golive import progress
    from golive.verify.checks import Response

    class Client:
        def fetch(self, method, url):
            return Response(url, 200, ())

    now = [0.0]

    def sleep(seconds):
        now[0] += seconds

    lines: list[str] = []
    with progress.reporting(lines.append):
        web.probe_rate_limit(
            Client(),
            web.target("https://app.example.com"),
            10,
            60,
            settle_seconds=30,
            clock=lambda: now[0],
            sleep=sleep,
        )
    assert lines and all(line.startswith("rate-limit probe: ") for line in lines)
    assert "no 429 yet" in lines[0] and len(lines) >= 3
