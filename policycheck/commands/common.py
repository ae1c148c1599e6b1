"""What every command shares: the outcome record, the configuration, and writing reports."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .. import config as config_module
from ..escaping import terminal
from ..findings import Result
from ..loading.importers.identity import DEFAULT_SUFFIXES, Identity
from ..loading.survey import FileRead, Note
from ..reporters import render
from .report_file import write_report


@dataclass(frozen=True)
class Outcome:
    exit_code: int
    stdout: str
    stderr: str = ""


def load_config(path: str | None, no_config: bool) -> config_module.Config:
    """The named configuration file, or the one found upwards, or none."""
    if no_config:
        return config_module.Config()
    path = path or config_module.find()
    return config_module.load(path) if path else config_module.Config()


def identity(cfg: config_module.Config) -> Identity:
    suffixes = cfg.environment_suffixes if cfg.environment_suffixes is not None else DEFAULT_SUFFIXES
    return Identity(cfg.applications, suffixes, cfg.environments)


def said(files: Iterable[FileRead], notes: Iterable[Note]) -> str:
    """The stderr of a run: the listing of -v, then the loaders' notes and warnings."""
    return "".join(f"policycheck: {terminal(line)}\n" for line in [*map(str, files), *map(str, notes)])


def emit(result: Result, formats: tuple[tuple[str, str | None], ...], color: bool) -> str:
    """Write every report that has a file; return the one for stdout (or "")."""
    stdout = ""
    for fmt, path in formats:
        text = render(fmt, result, color=color and path is None)
        if path is None:
            stdout = text
        else:
            write_report(path, text)
    return stdout
