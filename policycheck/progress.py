"""Progress on stderr for long runs: shown only on a terminal (or when asked), and only after 2 s.

A run that ends within the delay prints nothing; CI logs (stderr not a terminal) stay
clean unless --progress asks for it. The line names the phase (loading, resolving,
rules, reports) and the seconds so far, rewritten in place on a terminal and one line
per phase elsewhere.
"""

from __future__ import annotations

import threading
import time
from types import TracebackType
from typing import TextIO

DELAY = 2.0
TICK = 1.0


class Progress:
    def __init__(self, stream: TextIO | None, *, delay: float | None = None):
        """`stream` None: silent."""
        self.stream = stream
        self.delay = DELAY if delay is None else delay
        self.terminal = stream is not None and stream.isatty()
        self.phase_name = ""
        self._started = time.monotonic()
        self._shown = False
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Progress:
        if self.stream is not None:
            self._thread = threading.Thread(target=self._run, name="policycheck-progress", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        with self._lock:
            if self._shown and self.terminal and self.stream is not None:
                self.stream.write("\r\x1b[K")  # the line goes: the report follows on a clean terminal
                self.stream.flush()

    def phase(self, name: str) -> None:
        with self._lock:
            self.phase_name = name
            if self._shown:
                self._write()

    def _run(self) -> None:
        if self._stop.wait(self.delay):
            return
        with self._lock:
            self._shown = True
            self._write()
        while not self._stop.wait(TICK):
            if self.terminal:
                with self._lock:
                    self._write()

    def _write(self) -> None:
        assert self.stream is not None
        if not self.phase_name:
            return  # no phase yet: the first one is written when it starts
        elapsed = time.monotonic() - self._started
        text = f"policycheck: {self.phase_name} ({elapsed:.0f} s)"
        if self.terminal:
            self.stream.write(f"\r{text}\x1b[K")
        else:
            self.stream.write(text + "\n")
        self.stream.flush()


def stream_for(asked: bool | None, stderr: TextIO) -> TextIO | None:
    """Where progress goes: `asked` True/False forces it; None shows it only on a terminal."""
    if asked is None:
        return stderr if stderr.isatty() else None
    return stderr if asked else None
