"""The wiring, without click: load, run the rules, render, decide the exit code."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from . import baseline as baseline_module
from . import config as config_module
from .engine import Selection, run
from .errors import UsageError
from .findings import Result, Severity
from .loading.importers.identity import DEFAULT_SUFFIXES, Identity
from .loading.inputs import Loaded, load_inputs
from .loading.limits import Limits
from .loading.survey import FileRead, Note
from .reporters import REVIEW_FORMATS, render

DEFAULT_FAIL_ON = Severity.WARNING


@dataclass(frozen=True)
class Options:
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
    severity: dict[str, Severity] = field(default_factory=dict)
    waivers: tuple[str, ...] = ()
    input_format: str | None = None
    baseline: str | None = None
    write_baseline: str | None = None
    list_files: bool = False
    """-v: list every file under the paths, with what it was read as or why it was skipped (stderr)."""


@dataclass(frozen=True)
class Outcome:
    exit_code: int
    stdout: str
    stderr: str = ""


def check(options: Options) -> tuple[Result, Severity]:
    """Load and check; the result and the fail level in force."""
    result, fail_on, _ = _check(options)
    return result, fail_on


def _check(options: Options) -> tuple[Result, Severity, Loaded]:
    cfg = _config(options)
    paths = options.paths or cfg.paths
    if not paths:
        where = f" in {cfg.source}" if cfg.source else ""
        raise UsageError(
            f"nothing to check: give PATHS, or set paths{where} "
            f"(.policycheck.yaml or [tool.policycheck] in pyproject.toml)"
        )
    limits = Limits(max_file_bytes=options.max_file_size or cfg.max_file_size or Limits.max_file_bytes)
    loaded = load_inputs(paths, limits, options.waivers or cfg.waivers, identity(cfg), options.input_format)
    model = loaded.model
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
    review = any(fmt in REVIEW_FORMATS for fmt, _ in options.formats)
    result = run(model, selection, options.today or date.today(), review=review)
    return result, options.fail_on or cfg.fail_on or DEFAULT_FAIL_ON, loaded


def run_check(options: Options) -> Outcome:
    to_stdout = [fmt for fmt, path in options.formats if path is None]
    if len(to_stdout) > 1:
        raise UsageError(f"only one report can go to stdout; give the others a file ({to_stdout[1]}=FILE)")
    result, fail_on, loaded = _check(options)
    stderr = said(loaded.files if options.list_files else (), loaded.notes)
    if options.write_baseline:
        write_atomic(options.write_baseline, baseline_module.render(result))
        n = len(result.findings)
        return Outcome(
            0, f"wrote {n} finding{'s' if n != 1 else ''} to the baseline {options.write_baseline}\n", stderr
        )
    stdout = emit(result, options.formats, options.color)
    code = 1 if any(f.severity >= fail_on for f in result.findings) else 0
    return Outcome(code, stdout, stderr)


def said(files: Iterable[FileRead], notes: Iterable[Note]) -> str:
    """The stderr of a run: the listing of -v, then the loaders' notes and warnings."""
    return "".join(f"policycheck: {line}\n" for line in [*map(str, files), *map(str, notes)])


def emit(result: Result, formats: tuple[tuple[str, str | None], ...], color: bool) -> str:
    """Write every report that has a file; return the one for stdout (or "")."""
    stdout = ""
    for fmt, path in formats:
        text = render(fmt, result, color=color and path is None)
        if path is None:
            stdout = text
        else:
            write_atomic(path, text)
    return stdout


def run_validate(paths: tuple[str, ...], list_files: bool = False) -> Outcome:
    """Schema validation only: invalid files are the result here (exit 1), not a failure to run.

    A file that looks like ours but is none of our kinds (no apiVersion, a misspelt one)
    cannot be validated: exit 2. Other tools' files are skipped, and counted.
    """
    from .loading.inputs import validate_files

    found = validate_files(paths)
    lines = [str(e) for e in found.errors]
    n = f"{found.validated} file{'s' if found.validated != 1 else ''}"
    problems = len(found.errors)
    lines.append(f"{problems} problem{'s' if problems != 1 else ''} in {n}" if problems else f"{n} valid")
    skipped = sum(1 for f in found.files if f.read_as is None)
    if skipped:
        lines[-1] += f"; {skipped} skipped (not policycheck files{'' if list_files else ': -v lists them'})"
    stderr = said(found.files if list_files else (), [*found.notes]) + "".join(
        f"policycheck: {e}\n" for e in found.unreadable
    )
    code = 2 if found.unreadable else 1 if found.errors else 0
    return Outcome(code, "\n".join(lines) + "\n", stderr)


def identity(cfg: config_module.Config) -> Identity:
    suffixes = cfg.environment_suffixes if cfg.environment_suffixes is not None else DEFAULT_SUFFIXES
    return Identity(cfg.applications, suffixes, cfg.environments)


def _config(options: Options) -> config_module.Config:
    return load_config(options.config, options.no_config)


def load_config(path: str | None, no_config: bool) -> config_module.Config:
    """The named configuration file, or the one found upwards, or none."""
    if no_config:
        return config_module.Config()
    path = path or config_module.find()
    return config_module.load(path) if path else config_module.Config()


def write_atomic(path: str, text: str) -> None:
    """A report is complete or absent, never half written."""
    import tempfile

    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".policycheck-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; a report is an ordinary file
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def rules_listing(fmt: str = "text") -> str:
    from .rules import REGISTRY, summary

    rows = [(r.ID, r.NAME, r.DEFAULT_SEVERITY.label, summary(r)) for r in REGISTRY.values()]
    width = max(len(r[1]) for r in rows)
    return "".join(f"{rid}  {name:<{width}}  {sev:<7}  {text}\n" for rid, name, sev, text in rows)


def rule_doc(name: str) -> str:
    from .engine import rule_ids
    from .rules import REGISTRY

    rule = REGISTRY[rule_ids([name])[0]]
    return (rule.__doc__ or "").strip() + "\n"


def schema(name: str) -> str:
    from .loading.schemas import NAMES, schema_text

    if name not in NAMES:
        raise UsageError(f"unknown schema {name!r} (expected one of {', '.join(NAMES)})")
    return schema_text(name)
