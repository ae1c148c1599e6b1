"""GitHub Actions workflow commands: a summary annotation, then the most important findings of each type.

GitHub shows about ten annotations of each type (error, warning, notice) per step and
drops the rest unseen, so at most ANNOTATIONS_PER_TYPE lines of each command are written,
the summary annotation (and the unverified-token warning before it) included: the summary
comes first (counts, how many were left out and where the full report is), then the most
important findings of each type (the most severe, then the cause that breaks the most).
"""

from __future__ import annotations

from collections import Counter

from ..escaping import workflow_data as _data
from ..escaping import workflow_property as _prop
from ..findings import Finding, Result, Severity
from .budget import ANNOTATIONS_PER_TYPE, FULL_REPORT, by_importance, counted
from .text import summary

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}


def _annotation(f: Finding) -> str:
    loc = f.location
    title = f"{f.rule} {f.name}"
    props = f"file={_prop(loc.path)},line={loc.line},col={loc.column},title={_prop(title)}"
    return f"::{COMMANDS[f.severity]} {props}::{_data(f.message)}%0A%0Afix: {_data(f.fix)}"


def annotated(findings: tuple[Finding, ...], taken: Counter[str] | None = None) -> list[Finding]:
    """The findings that get an annotation, most important first: of each type, as many as room is left.

    `taken`: the annotations of each command already written (the summary, the unverified warning).
    """
    used: Counter[str] = Counter(taken or {})
    kept = []
    for f in by_importance(findings):
        command = COMMANDS[f.severity]
        if used[command] < ANNOTATIONS_PER_TYPE:
            used[command] += 1
            kept.append(f)
    return kept


def render(result: Result, *, color: bool = False) -> str:
    lines = []
    worst = result.worst()
    level = COMMANDS[worst] if worst is not None else "notice"
    taken: Counter[str] = Counter({level: 1})  # the summary annotation
    if not result.verified:
        lines.append(
            "::warning title=UNVERIFIED::a token was decoded without checking its signature; its claims prove nothing"
        )
        taken["warning"] += 1
    kept = annotated(result.findings, taken)
    parts = [summary(result)]
    left = len(result.findings) - len(kept)
    if left:
        out = Counter(f.severity for f in result.findings) - Counter(f.severity for f in kept)
        which = ", ".join(counted(n, severity.label) for severity, n in sorted(out.items(), reverse=True))
        parts.append(
            f"{counted(left, 'finding')} not annotated ({which}; GitHub shows about {ANNOTATIONS_PER_TYPE} annotations "
            f"of each type per step, this one included; the most important first): `--format text` lists them all, "
            f"and {FULL_REPORT}"
        )
    lines.append(f"::{level} title=policycheck::" + "%0A".join(_data(p) for p in parts))
    lines += [_annotation(f) for f in kept]
    return "".join(line + "\n" for line in lines)
