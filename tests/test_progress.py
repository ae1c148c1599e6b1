"""Progress on stderr: only after the delay, only on a terminal unless asked, never in the report."""

from __future__ import annotations

import io
import threading

import pytest

from policycheck.progress import Progress, stream_for


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_run_shorter_than_the_delay_prints_nothing() -> None:
    out = _Terminal()
    with Progress(out, delay=60) as progress:
        progress.phase("loading")
        progress.phase("rules")
    assert out.getvalue() == ""


def test_a_long_run_shows_each_phase_and_clears_the_line_on_a_terminal() -> None:
    out = _Terminal()
    shown = threading.Event()
    with Progress(out, delay=0) as progress:
        progress.phase("loading")
        for _ in range(200):  # the first line is written by the progress thread
            if "loading" in out.getvalue():
                shown.set()
                break
            shown.wait(0.01)
        progress.phase("rules")
    text = out.getvalue()
    assert shown.is_set()
    assert "\rpolycheck" not in text
    assert "\rpolicycheck: loading (" in text and "\rpolicycheck: rules (" in text
    assert text.endswith("\r\x1b[K")


def test_elsewhere_it_is_one_line_per_phase_and_only_when_asked() -> None:
    log = io.StringIO()  # a CI log: not a terminal
    assert stream_for(None, log) is None
    assert stream_for(False, _Terminal()) is None
    assert stream_for(True, log) is log
    with Progress(log, delay=0) as progress:
        progress.phase("loading")
        for _ in range(200):
            if log.getvalue():
                break
            threading.Event().wait(0.01)
        progress.phase("rules")
    lines = log.getvalue().splitlines()
    assert [line.split(" (")[0] for line in lines] == ["policycheck: loading", "policycheck: rules"]
    assert "\r" not in log.getvalue() and "\x1b" not in log.getvalue()


def test_check_progress_goes_to_stderr_and_leaves_the_report_alone(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from pathlib import Path

    from policycheck import progress
    from policycheck.cli import main

    story = str(Path(__file__).resolve().parent.parent / "policies" / "examples" / "cloudsuite")
    main(["check", story, "--no-color", "--no-config"])
    plain = capsys.readouterr()
    monkeypatch.setattr(progress, "DELAY", 0.0)
    main(["check", story, "--no-color", "--no-config", "--progress"])
    shown = capsys.readouterr()
    assert shown.out == plain.out
    assert "policycheck: reports (" in shown.err
    main(["check", story, "--no-color", "--no-config"])  # stderr is no terminal here: nothing unless asked
    assert capsys.readouterr().err == plain.err
