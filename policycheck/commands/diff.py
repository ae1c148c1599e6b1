"""The wiring of `policycheck diff`: the same policies against an export before and after a change."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from datetime import date

from ..engine import Selection, run
from ..errors import UsageError
from ..exiting import keep
from ..findings import Severity
from ..loading.inputs import SUFFIXES, display_path, load_inputs
from ..loading.survey import Note
from ..reporters import render
from .common import Outcome, emit, identity, load_config, said, told_first, with_provenance

DIFF_RULES = ("PC301", "PC302", "PC303")


@dataclass(frozen=True)
class DiffOptions:
    after: str
    before: str | None = None
    base_ref: str | None = None
    policies: tuple[str, ...] = ()
    config: str | None = None
    no_config: bool = False
    formats: tuple[tuple[str, str | None], ...] = (("text", None),)
    fail_on_new_access: bool = False
    today: date | None = None
    color: bool = False
    quiet: bool = False
    """-q: the text report says only its summary line."""
    annotate: bool = False
    """Under GitHub Actions without --format: the text report, then the `github` annotations."""


def from_git(ref: str, path: str) -> tuple[list[tuple[str, bytes]], list[Note]]:
    """Each export file under `path` as it was at `ref` (labelled REF:path), and what was not there.

    The files are those of `path` at `ref` (a file deleted since is read too). A `path`
    that is not at `ref` at all is new in the change: no export before, a note, and
    everything it grants is new access.
    """
    if _git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").returncode != 0:
        raise UsageError(f"git has no revision {ref!r} (or this is not a git work tree)")
    listed = _git("ls-tree", "-r", "-z", "--name-only", ref, "--", path)
    if listed.returncode != 0:
        raise UsageError(f"git cannot list {display_path(path)} at {ref!r}")
    names = [n for n in listed.stdout.decode("utf-8", "surrogateescape").split("\0") if n]
    files = [n for n in names if n.endswith(SUFFIXES) and not any(_hidden(part) for part in n.split("/"))]
    if not names:
        shown = display_path(path)
        return [], [Note(shown, f"not in {ref} (new in this change): everything it grants is new access")]
    out = []
    for name in files:
        shown = display_path(name)
        done = _git("show", f"{ref}:./{shown}")
        if done.returncode != 0:
            raise UsageError(f"git cannot read {shown} at {ref!r}")
        out.append((f"{ref}:{shown}", done.stdout))
    return out, []


def _hidden(part: str) -> bool:
    """A hidden file or folder, which a directory walk skips too (not `..` of a path above)."""
    return part.startswith(".") and part not in (".", "..")


def _git(*args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], capture_output=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        raise UsageError("cannot run git to read the base revision") from None


def run_diff(options: DiffOptions) -> Outcome:
    cfg = load_config(options.config, options.no_config)
    policies = options.policies or cfg.paths
    if not policies:
        raise UsageError("diff needs the policies: give --policies PATH or set paths in the configuration")
    if (options.before is None) == (options.base_ref is None):
        raise UsageError("give either BEFORE AFTER, or --base-ref REF and AFTER")
    notes: list[Note] = []
    after_source = [options.after]
    if options.base_ref:
        read, notes = from_git(options.base_ref, options.after)
        before_source: list[str | tuple[str, bytes]] = list(read)
        if not os.path.exists(options.after):  # deleted in the change: everything it granted is lost
            if not read:
                raise UsageError(f"{display_path(options.after)}: neither at {options.base_ref!r} nor in the work tree")
            after_source = []
            notes.append(
                Note(
                    display_path(options.after), "not in the work tree (deleted in this change): what it grants is lost"
                )
            )
    else:
        before_source = [str(options.before)]
    who = identity(cfg)
    before_loaded = load_inputs(policies, waiver_files=cfg.waivers, identity=who, exports=before_source)
    after_loaded = load_inputs(policies, waiver_files=cfg.waivers, identity=who, exports=after_source)
    before, after = before_loaded.model, after_loaded.model
    notes = list(dict.fromkeys([*notes, *before_loaded.notes, *after_loaded.notes]))  # the policies, read twice
    if not after.bindings:
        with told_first(said((), notes)):
            raise UsageError("nothing to check: the policies bind no application to any operation")
    severities = {"PC302": Severity.ERROR} if options.fail_on_new_access else {}
    result = run(
        after, Selection(select=DIFF_RULES, severities=severities), options.today or date.today(), before=before
    )
    stdout = emit(
        with_provenance(result, options.formats, options.today), options.formats, options.color, options.quiet
    )
    if options.annotate:
        stdout += render("github", result)
    keep(before, after, result)  # freed as the process ends, not one object at a time
    code = 1 if any(f.severity >= Severity.ERROR for f in result.findings) else 0
    return Outcome(code, stdout, said((), notes))
