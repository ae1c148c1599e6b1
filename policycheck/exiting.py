"""Ending the process without freeing what the run built.

A check of 100,000 applications holds tens of millions of small objects; freeing them
one by one as the run ends took 1.3 s of an 18 s run, for a process about to end
anyway. The console entry (`policycheck`, `python -m policycheck`) flushes its streams
and leaves with `os._exit`; the commands hand their large results to `keep` so that
nothing frees them first. Called as a library (tests, `policycheck.check`), `keep`
holds nothing and the process ends as usual.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import NoReturn

_kept: list[object] = []
_leaving = False


def keep(*objects: object) -> None:
    """Hold `objects` until the process ends, when it ends by `run_and_leave`."""
    if _leaving:
        _kept.extend(objects)


def run_and_leave(main: Callable[[], int]) -> NoReturn:
    """Run `main` and end the process with its exit code, without tearing the interpreter down.

    Only the standard streams can hold unwritten output (reports are written and closed
    before a command returns). If flushing them fails (a closed pipe), the process ends
    the usual way, so that Python reports it as it always does.
    """
    global _leaving
    _leaving = True
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        _kept.clear()
        raise SystemExit(code) from None
    os._exit(code)
