"""Where a run's report came from: the day, the git commit of the working directory, the inputs' digests.

The review page (html) is kept as an audit record; this is what it says at its top. Read by
the command layer, never by a reporter (reporters read no clock, no files, no git).
"""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Sequence
from datetime import date

from .findings import Provenance

GIT_SECONDS = 5.0


def record(day: date, inputs: Sequence[str]) -> Provenance:
    """The provenance of a run over `inputs` (the files it read) on `day`; git runs in the working directory."""
    commit = _git("rev-parse", "--verify", "HEAD")
    modified: tuple[str, ...] = ()
    if commit is not None and inputs:
        status = _git("status", "--porcelain", "--untracked-files=all", "--", *inputs)
        if status is None:  # an input outside the repository: the commit does not describe it
            commit = None
        else:
            modified = tuple(line[3:] for line in status.splitlines() if len(line) > 3)
    return Provenance(day.isoformat(), commit, modified, tuple((path, _sha256(path)) for path in inputs))


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", *args], capture_output=True, text=True, timeout=GIT_SECONDS, check=False, stdin=subprocess.DEVNULL
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def _sha256(path: str) -> str:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return "unreadable"
    return digest.hexdigest()
