"""GitHub Actions workflow commands: a summary annotation, then at most a few annotations per rule.

GitHub shows about ten annotations of each type per step, so the summary comes first
(counts, and what was not annotated), then the most important findings of each rule.
"""

from __future__ import annotations

from collections import Counter

from ..escaping import workflow_data as _data
from ..escaping import workflow_property as _prop
from ..findings import Finding, Result, Severity
from .budget import ANNOTATIONS_PER_RULE, FULL_REPORT, by_importance, counted
from .text import summary

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}


def _annotation(f: Finding) -> str:
    loc = f.location
    title = f"{f.rule} {f.name}"
    props = f"file={_prop(loc.path)},line={loc.line},col={loc.column},title={_prop(title)}"
    return f"::{COMMANDS[f.severity]} {props}::{_data(f.message)}%0A%0Afix: {_data(f.fix)}"


def annotated(findings: tuple[Finding, ...]) -> list[Finding]:
    """The findings that get an annotation: the ANNOTATIONS_PER_RULE most important of each rule."""
    per_rule: Counter[str] = Counter()
    kept = []
    for f in by_importance(findings):
        per_rule[f.rule] += 1
        if per_rule[f.rule] <= ANNOTATIONS_PER_RULE:
            kept.append(f)
    return kept


def render(result: Result, *, color: bool = False) -> str:
    lines = []
    if not result.verified:
        lines.append(
            "::warning title=UNVERIFIED::a token was decoded without checking its signature; its claims prove nothing"
        )
    kept = annotated(result.findings)
    parts = [summary(result)]
    left = len(result.findings) - len(kept)
    if left:
        per_rule = Counter(f.rule for f in result.findings)
        over = ", ".join(sorted(r for r, n in per_rule.items() if n > ANNOTATIONS_PER_RULE))
        parts.append(
            f"{counted(left, 'finding')} not annotated (at most {ANNOTATIONS_PER_RULE} per rule, the most important "
            f"first; more in {over}): `--format text` lists them all, and {FULL_REPORT}"
        )
    worst = result.worst()
    level = COMMANDS[worst] if worst is not None else "notice"
    lines.append(f"::{level} title=policycheck::" + "%0A".join(_data(p) for p in parts))
    lines += [_annotation(f) for f in kept]
    return "".join(line + "\n" for line in lines)
