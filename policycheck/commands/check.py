"""policycheck check: load, run the rules, render, decide the exit code (without click)."""

from __future__ import annotations

import sys
from datetime import date

from .. import baseline as baseline_module
from .. import config as config_module
from .. import engine
from ..analysis import Analysis
from ..engine import Selection
from ..errors import UsageError
from ..exiting import keep
from ..findings import Result, Severity
from ..loading.inputs import Loaded, load_inputs
from ..loading.limits import Limits
from ..progress import Progress, stream_for
from ..records import NEW as _NEW
from ..records import Record
from ..reporters import render
from .common import Outcome, emit, identity, load_config, said, told_first, with_provenance
from .report_file import write_report

_set = object.__setattr__

DEFAULT_FAIL_ON = Severity.WARNING


class Options(Record):
    _fields = (
        "paths",
        "config",
        "no_config",
        "formats",
        "fail_on",
        "select",
        "ignore",
        "today",
        "color",
        "max_file_size",
        "severity",
        "waivers",
        "input_format",
        "baseline",
        "write_baseline",
        "list_files",
        "follow_symlinks",
        "progress",
        "min_coverage",
        "quiet",
        "annotate",
    )
    paths: tuple[str, ...] = ()
    config: str | None = None
    no_config: bool = False
    formats: tuple[tuple[str, str | None], ...] = (("text", None),)
    """(format, file) pairs; at most one without a file, which goes to stdout."""
    fail_on: Severity | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    today: date | None = None
    color: bool = False
    max_file_size: int | None = None
    severity: dict[str, Severity]
    waivers: tuple[str, ...] = ()
    input_format: str | None = None
    baseline: str | None = None
    write_baseline: str | None = None
    list_files: bool = False
    follow_symlinks: bool = False
    """Read symbolic links that leave the checked paths (said as a warning and skipped otherwise)."""
    """-v: list every file under the paths, with what it was read as or why it was skipped (stderr)."""
    progress: bool | None = False
    """The phase on stderr once a run passes 2 s: True always, None on a terminal only, False never."""
    min_coverage: float | None = None
    """Exit 1 when a coverage figure is below this percentage."""
    quiet: bool = False
    """-q: the text report says only its summary line."""
    annotate: bool = False
    """Under GitHub Actions without --format: the text report, then the `github` annotations."""

    def __init__(
        self,
        paths: tuple[str, ...] = (),
        config: str | None = None,
        no_config: bool = False,
        formats: tuple[tuple[str, str | None], ...] = (("text", None),),
        fail_on: Severity | None = None,
        select: tuple[str, ...] = (),
        ignore: tuple[str, ...] = (),
        today: date | None = None,
        color: bool = False,
        max_file_size: int | None = None,
        severity: dict[str, Severity] = _NEW,
        waivers: tuple[str, ...] = (),
        input_format: str | None = None,
        baseline: str | None = None,
        write_baseline: str | None = None,
        list_files: bool = False,
        follow_symlinks: bool = False,
        progress: bool | None = False,
        min_coverage: float | None = None,
        quiet: bool = False,
        annotate: bool = False,
    ) -> None:
        _set(self, "paths", paths)
        _set(self, "config", config)
        _set(self, "no_config", no_config)
        _set(self, "formats", formats)
        _set(self, "fail_on", fail_on)
        _set(self, "select", select)
        _set(self, "ignore", ignore)
        _set(self, "today", today)
        _set(self, "color", color)
        _set(self, "max_file_size", max_file_size)
        _set(self, "severity", {} if severity is _NEW else severity)
        _set(self, "waivers", waivers)
        _set(self, "input_format", input_format)
        _set(self, "baseline", baseline)
        _set(self, "write_baseline", write_baseline)
        _set(self, "list_files", list_files)
        _set(self, "follow_symlinks", follow_symlinks)
        _set(self, "progress", progress)
        _set(self, "min_coverage", min_coverage)
        _set(self, "quiet", quiet)
        _set(self, "annotate", annotate)


def check(options: Options) -> tuple[Result, Severity]:
    """Load and check; the result and the fail level in force."""
    result, fail_on, _ = _check(options, Progress(None))
    return result, fail_on


def _check(options: Options, progress: Progress) -> tuple[Result, Severity, Loaded]:
    cfg = _config(options)
    paths = options.paths or cfg.paths
    if not paths:
        where = f" in {cfg.source}" if cfg.source else ""
        raise UsageError(
            f"nothing to check: give PATHS, or set paths{where} "
            f"(.policycheck.yaml or [tool.policycheck] in pyproject.toml)"
        )
    limits = Limits(
        max_file_bytes=options.max_file_size or cfg.max_file_size or Limits.max_file_bytes,
        follow_symlinks=options.follow_symlinks,
    )
    progress.phase("loading")
    loaded = load_inputs(paths, limits, options.waivers or cfg.waivers, identity(cfg), options.input_format)
    if cfg.openapi:
        from ..loading.openapi import read_specs
        from ..records import replace

        specs = read_specs(cfg.openapi, limits)
        loaded = replace(loaded, model=replace(loaded.model, specs=specs))
    model = loaded.model
    with told_first(said((), loaded.notes)):  # a file skipped is often why there is nothing to check
        if not model.operations and not model.bindings:
            raise UsageError(f"nothing to check: no policy (kind: Policy) found in {', '.join(paths)}")
        if not model.has_export:
            raise UsageError(f"nothing to check: no gateway export (kind: GatewayExport) found in {', '.join(paths)}")
        if not model.bindings:
            raise UsageError("nothing to check: the policies bind no application to any operation (add bindings)")
    selection = Selection(
        options.select or cfg.select,
        options.ignore or cfg.ignore,
        {**cfg.severity, **options.severity},
        baseline_module.read(options.baseline) if options.baseline else None,
    )
    progress.phase("resolving")
    analysis = Analysis(model)
    progress.phase("rules")
    result = engine.run_analysis(analysis, selection, options.today or date.today())
    for doc in loaded.documents:  # the findings are located: the reports need the texts no more
        doc.set_aside()
    keep(analysis, loaded)  # a second to free at 100,000 applications, as the process ends
    return result, options.fail_on or cfg.fail_on or DEFAULT_FAIL_ON, loaded


def run(options: Options) -> Outcome:
    to_stdout = [fmt for fmt, path in options.formats if path is None]
    if len(to_stdout) > 1:
        raise UsageError(f"only one report can go to stdout; give the others a file ({to_stdout[1]}=FILE)")
    with Progress(stream_for(options.progress, sys.stderr)) as progress:
        result, fail_on, loaded = _check(options, progress)
        keep(result)
        stderr = said(loaded.files if options.list_files else (), loaded.notes)
        stderr += "".join(f"policycheck: {note}\n" for spec in loaded.model.specs for note in spec.notes)
        progress.phase("reports")
        if options.write_baseline:
            write_report(options.write_baseline, baseline_module.render(result))
            n = len(result.findings)
            return Outcome(
                0, f"wrote {n} finding{'s' if n != 1 else ''} to the baseline {options.write_baseline}\n", stderr
            )
        stdout = emit(
            with_provenance(result, options.formats, options.today), options.formats, options.color, options.quiet
        )
        if options.annotate:
            stdout += render("github", result)
    code = 1 if any(f.severity >= fail_on for f in result.findings) else 0
    if options.min_coverage is not None and result.coverage is not None:
        from ..coverage import below

        low = below(result.coverage, options.min_coverage)
        if low:
            stderr += f"policycheck: coverage below {options.min_coverage:g}%: {', '.join(low)}\n"
            code = 1
    return Outcome(code, stdout, stderr)


def _config(options: Options) -> config_module.Config:
    return load_config(options.config, options.no_config)
