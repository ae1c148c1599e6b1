"""What every command shares: the outcome record, the configuration, and writing reports."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date

from .. import config as config_module
from ..errors import PolicycheckError, UsageError
from ..escaping import terminal
from ..findings import Result
from ..loading.importers.identity import DEFAULT_SUFFIXES, Identity
from ..loading.survey import FileRead, Note
from ..model import Model
from ..records import Record, replace
from ..reporters import PROVENANCE_FORMATS, render
from .report_file import write_report

_set = object.__setattr__


class Outcome(Record):
    _fields = ("exit_code", "stdout", "stderr")
    exit_code: int
    stdout: str
    stderr: str = ""

    def __init__(
        self,
        exit_code: int,
        stdout: str,
        stderr: str = "",
    ) -> None:
        _set(self, "exit_code", exit_code)
        _set(self, "stdout", stdout)
        _set(self, "stderr", stderr)


def load_config(path: str | None, no_config: bool) -> config_module.Config:
    """The named configuration file, or the one found upwards, or none."""
    if no_config:
        return config_module.Config()
    path = path or config_module.find()
    return config_module.load(path) if path else config_module.Config()


def identity(cfg: config_module.Config) -> Identity:
    suffixes = cfg.environment_suffixes if cfg.environment_suffixes is not None else DEFAULT_SUFFIXES
    return Identity(cfg.applications, suffixes, cfg.environments)


def read_model(
    command: str, policies: tuple[str, ...], config: str | None, no_config: bool
) -> tuple[Model, tuple[str, ...], str]:
    """The model `explain` and `who-can` read, its paths (those of --policies, else the configured ones), and
    the loaders' notes and warnings for stderr (a file skipped is said, as `check` says it)."""
    from ..loading.inputs import load_inputs

    cfg = load_config(config, no_config)
    paths = policies or cfg.paths
    if not paths:
        raise UsageError(f"{command} needs the policies and the export: give --policies PATH or set paths")
    loaded = load_inputs(paths, waiver_files=cfg.waivers, identity=identity(cfg))
    return loaded.model, tuple(paths), said((), loaded.notes)


@contextmanager
def told_first(stderr: str) -> Iterator[None]:
    """An error raised inside comes after `stderr` (the loaders' notes): an unknown application or a missing
    export is often a file that was skipped, and the note saying so must not be lost with the run."""
    try:
        yield
    except PolicycheckError as e:
        e.said_before = stderr + e.said_before
        raise


def known_environments(model: Model) -> set[str]:
    """Every environment the policies or the export name (an --env must be one of them)."""
    return {
        *model.environments,
        *model.policy_environments,
        *(e for a in model.applications.values() for e in a.clients),
    }


def said(files: Iterable[FileRead], notes: Iterable[Note]) -> str:
    """The stderr of a run: the listing of -v, then the loaders' notes and warnings."""
    return "".join(f"policycheck: {terminal(line)}\n" for line in [*map(str, files), *map(str, notes)])


def emit(result: Result, formats: tuple[tuple[str, str | None], ...], color: bool, quiet: bool = False) -> str:
    """Write every report that has a file; return the one for stdout (or ""); -q shortens stdout's text report."""
    stdout = ""
    for fmt, path in formats:
        if quiet and fmt == "text" and path is None:
            stdout = _summary_only(result)
            continue
        text = render(fmt, result, color=color and path is None)
        if path is None:
            stdout = text
        else:
            write_report(path, text)
    return stdout


def with_provenance(result: Result, formats: tuple[tuple[str, str | None], ...], today: date | None) -> Result:
    """The result with its day, commit and input digests, when a report that records them is asked for."""
    if not any(fmt in PROVENANCE_FORMATS for fmt, _ in formats):
        return result
    from ..provenance import record

    return replace(result, provenance=record(today or date.today(), result.checked.paths))


def _summary_only(result: Result) -> str:
    from ..reporters.text import summary

    unverified = "" if result.verified else "UNVERIFIED: a token was decoded without checking its signature\n"
    return unverified + summary(result) + "\n"
