"""Writing a report or a baseline to the path the user named.

A regular file (or a new one) is replaced atomically: a temporary file in the same
directory, renamed over it, so the report is complete or absent. Anything else is
written in place and never replaced: a device (`/dev/null`, `/dev/stdout`), a FIFO,
or a symbolic link (written through, to whatever it names; the link stays). CI
containers run as root, where replacing `/dev/null` with a regular file would
succeed. A directory, a missing directory or a place that cannot be written is a
`UsageError` (one line, exit 2). A SIGTERM or SIGHUP during the write removes the
temporary file before the process ends by that signal (Ctrl-C removes it as well).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from types import FrameType

from ..errors import UsageError
from ..escaping import terminal

# tempfile, signal and threading are imported when a report is written to a file: the
# default run (the text report on stdout) never needs them.


def write_report(path: str, text: str) -> None:
    """Write `text` to `path`: atomically when it is (or will be) a regular file, else in place."""
    try:
        info: os.stat_result | None = os.lstat(path)
    except FileNotFoundError:
        info = None
    except OSError as e:
        raise _cannot(path, e) from None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise UsageError(f"cannot write the report {terminal(path)}: it is a directory")
    if info is None or stat.S_ISREG(info.st_mode):
        _replace(path, text)
    else:
        _in_place(path, text)


def _cannot(path: str, e: OSError) -> UsageError:
    reason = e.strerror or type(e).__name__
    return UsageError(f"cannot write the report {terminal(path)}: {reason.lower()}")


def _in_place(path: str, text: str) -> None:
    if os.path.isdir(path):  # a symbolic link to a directory
        raise UsageError(f"cannot write the report {terminal(path)}: it is a directory")
    try:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as e:
        raise _cannot(path, e) from None


def _replace(path: str, text: str) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        what = "does not exist" if not os.path.exists(directory) else "is not a directory"
        raise UsageError(f"cannot write the report {terminal(path)}: the directory {terminal(directory)} {what}")
    import tempfile

    try:
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".policycheck-", suffix=".tmp")
    except OSError as e:
        raise _cannot(path, e) from None
    try:
        with _removed_on_signal(tmp):
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; a report is an ordinary file
            os.replace(tmp, path)
    except OSError as e:
        _remove(tmp)
        raise _cannot(path, e) from None
    except BaseException:
        _remove(tmp)
        raise


def _remove(tmp: str) -> None:
    with suppress(OSError):
        os.unlink(tmp)


@contextmanager
def _removed_on_signal(tmp: str) -> Iterator[None]:
    """While `tmp` exists, SIGTERM and SIGHUP remove it, then end the process by the same signal."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():  # only the main thread may set handlers
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        _remove(tmp)
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)

    signals = [getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]
    previous = {s: signal.signal(s, handler) for s in signals}
    try:
        yield
    finally:
        for s, old in previous.items():
            signal.signal(s, old)
