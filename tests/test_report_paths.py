"""Report paths (issue 13 item 6): only regular files are replaced; devices, FIFOs and links are written in place.

Nothing here touches the machine's own /dev: a FIFO and links made in tmp_path stand
for devices (what matters is that the path is not a regular file, and stays what it was).
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from tokens_helpers import ROOT, assert_one_line_error, cli

STORY = ROOT / "policies" / "examples" / "cloudsuite"
CHECK = ("check", "--no-config", "--today", "2026-11-29", str(STORY / "policy.yaml"), str(STORY / "export.yaml"))


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith(".policycheck-"))


def test_a_regular_file_is_replaced_atomically(capsys, tmp_path):
    report = tmp_path / "r.sarif"
    report.write_text("old")
    run = cli(capsys, *CHECK, "--format", f"sarif={report}")
    assert run.code == 1, run
    assert json.loads(report.read_text())["version"] == "2.1.0"
    assert stat.S_ISREG(os.lstat(report).st_mode) and not leftovers(tmp_path)


def test_a_symbolic_link_is_written_through_and_stays_a_link(capsys, tmp_path):
    target = tmp_path / "real" / "r.json"
    target.parent.mkdir()
    target.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    run = cli(capsys, *CHECK, "--format", f"json={link}")
    assert run.code == 1, run
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert json.loads(target.read_text())["version"] == "1"
    assert not leftovers(tmp_path) and not leftovers(target.parent)


def test_a_fifo_is_written_in_place_not_replaced(capsys, tmp_path):
    """As root, --format sarif=/dev/null used to replace the device with a regular file."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()))
    reader.start()
    run = cli(capsys, *CHECK, "--format", f"sarif={fifo}")
    reader.join(timeout=60)
    assert run.code == 1, run
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert json.loads(received[0])["version"] == "2.1.0"
    assert not leftovers(tmp_path)


def test_a_link_to_a_terminal_or_pipe_is_written_in_place(tmp_path):
    """`-o /dev/stdout`: here a link of our own to the child's fd 1, a pipe."""
    link = tmp_path / "stdout"
    link.symlink_to("/proc/self/fd/1")
    if not os.path.exists("/proc/self/fd/1"):
        pytest.skip("no /proc")
    done = subprocess.run(
        [sys.executable, "-m", "policycheck", *CHECK, "--format", "json", "-o", str(link)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["version"] == "1"
    assert link.is_symlink() and not leftovers(tmp_path)


@pytest.mark.parametrize(
    ("where", "said"),
    [
        ("missing/r.sarif", "the directory"),
        ("a-file/r.sarif", "not a directory"),
        ("a-dir", "it is a directory"),
    ],
)
def test_a_place_that_cannot_take_a_report_is_one_line(capsys, tmp_path, where, said):
    (tmp_path / "a-file").write_text("x")
    (tmp_path / "a-dir").mkdir()
    run = cli(capsys, *CHECK, "--format", f"sarif={tmp_path / where}")
    assert_one_line_error(run, "cannot write the report", said)


def test_an_unwritable_place_is_one_line(capsys, tmp_path):
    blocked = tmp_path / "ro"
    blocked.mkdir()
    blocked.chmod(0o500)
    try:
        # root writes anyway: a file under /proc cannot be created by anyone
        target = "/proc/policycheck-report.sarif" if os.access(blocked, os.W_OK) else str(blocked / "r.sarif")
        run = cli(capsys, *CHECK, "--format", f"sarif={target}")
        assert_one_line_error(run, "cannot write the report")
    finally:
        blocked.chmod(0o700)


def test_the_baseline_goes_the_same_way(capsys, tmp_path):
    run = cli(capsys, *CHECK, "--write-baseline", str(tmp_path / "missing" / "b.json"))
    assert_one_line_error(run, "cannot write the report", "does not exist")


KILL_DURING_WRITE = """
import os, signal, sys
# a shell's background job starts with SIGINT ignored (and Python then leaves it so): as at a terminal
signal.signal(signal.SIGINT, signal.default_int_handler)
from policycheck.commands import report_file
real = os.replace
def replace(src, dst):
    os.kill(os.getpid(), getattr(signal, sys.argv[2]))
    real(src, dst)
report_file.os.replace = replace
report_file.write_report(sys.argv[1], "x" * 100000)
"""


@pytest.mark.parametrize("name", ["SIGTERM", "SIGHUP", "SIGINT"])
def test_a_signal_during_the_write_leaves_no_temporary_file(tmp_path, name):
    report = tmp_path / "r.sarif"
    done = subprocess.run(
        [sys.executable, "-c", KILL_DURING_WRITE, str(report), name], capture_output=True, timeout=60, check=False
    )
    assert done.returncode != 0, done
    if name != "SIGINT":
        assert done.returncode == -getattr(signal, name), done  # ended by the signal, as the caller expects
    assert not leftovers(tmp_path) and not report.exists()
