"""The console entry ends the process without freeing the run's objects, and loses no output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from policycheck import exiting
from policycheck.cli import main

EXAMPLE = str(Path(__file__).resolve().parent.parent / "policies" / "examples" / "cloudsuite")


def test_the_console_entry_flushes_everything_and_keeps_the_exit_code(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    done = subprocess.run(
        [sys.executable, "-m", "policycheck", "check", EXAMPLE, "--format", "html", "--format", f"json={report}"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert len(done.stdout) > 16 * 1024  # more than the stream buffer (8 KiB) holds: all of it was flushed
    assert done.stdout.rstrip().endswith("</html>")
    assert json.loads(report.read_text(encoding="utf-8"))["summary"]["errors"] == 8


def test_an_error_exit_code_and_its_line_survive_the_exit() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "policycheck", "check", "/nonexistent/path"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2
    assert done.stderr.startswith("policycheck: ") and done.stderr.count("\n") == 1


def test_called_as_a_library_nothing_is_kept(capsys) -> None:
    assert main(["check", EXAMPLE, "--format", "json"]) == 1
    capsys.readouterr()
    assert not exiting._leaving and exiting._kept == []
    exiting.keep(object())
    assert exiting._kept == []
