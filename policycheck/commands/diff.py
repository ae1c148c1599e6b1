"""The wiring of `policycheck diff`: the same policies against an export before and after a change."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from datetime import date

from ..engine import Selection, run
from ..errors import UsageError
from ..findings import Severity
from ..loading.inputs import discover, display_path, load_model
from ..reporters import render
from .common import Outcome, emit, identity, load_config, with_provenance

DIFF_RULES = ("PC301", "PC302")


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


def from_git(ref: str, path: str) -> list[tuple[str, bytes]]:
    """Each export file under `path` as it was at `ref` (labelled REF:path)."""
    out = []
    for file, _ in discover([path]):
        shown = display_path(file)
        try:
            done = subprocess.run(["git", "show", f"{ref}:./{shown}"], capture_output=True, timeout=60, check=False)
        except (OSError, subprocess.TimeoutExpired):
            raise UsageError("cannot run git to read the base revision") from None
        if done.returncode != 0:
            raise UsageError(f"git has no {shown} at {ref!r}")
        out.append((f"{ref}:{shown}", done.stdout))
    return out


def run_diff(options: DiffOptions) -> Outcome:
    cfg = load_config(options.config, options.no_config)
    policies = options.policies or cfg.paths
    if not policies:
        raise UsageError("diff needs the policies: give --policies PATH or set paths in the configuration")
    if (options.before is None) == (options.base_ref is None):
        raise UsageError("give either BEFORE AFTER, or --base-ref REF and AFTER")
    before_source: list[str | tuple[str, bytes]] = (
        list(from_git(options.base_ref, options.after)) if options.base_ref else [str(options.before)]
    )
    who = identity(cfg)
    before = load_model(policies, waiver_files=cfg.waivers, identity=who, exports=before_source)
    after = load_model(policies, waiver_files=cfg.waivers, identity=who, exports=[options.after])
    if not after.bindings:
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
    code = 1 if any(f.severity >= Severity.ERROR for f in result.findings) else 0
    return Outcome(code, stdout)
