"""GitHub Actions workflow commands: one `::error file=...,line=...::` annotation per finding."""

from __future__ import annotations

from ..escaping import workflow_data as _data
from ..escaping import workflow_property as _prop
from ..findings import Result, Severity

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}


def render(result: Result, *, color: bool = False) -> str:
    lines = []
    if not result.verified:
        lines.append(
            "::warning title=UNVERIFIED::a token was decoded without checking its signature; its claims prove nothing"
        )
    for f in result.findings:
        loc = f.location
        title = f"{f.rule} {f.name}"
        props = f"file={_prop(loc.path)},line={loc.line},col={loc.column},title={_prop(title)}"
        lines.append(f"::{COMMANDS[f.severity]} {props}::{_data(f.message)}%0A%0Afix: {_data(f.fix)}")
    return "".join(line + "\n" for line in lines)
