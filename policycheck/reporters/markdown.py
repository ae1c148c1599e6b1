"""Markdown for $GITHUB_STEP_SUMMARY or a pull-request comment: counts, a table per environment, fixes."""

from __future__ import annotations

from collections import defaultdict

from ..escaping import markdown_code, markdown_text
from ..findings import Finding, Result, Waived
from .budget import FULL_REPORT, STEP_SUMMARY_BYTES, Budget, by_importance, counted, prefix, utf8
from .text import summary


def _cell(text: str | None) -> str:
    return markdown_text(text) if text else ""


def _row(f: Finding) -> str:
    where = markdown_code(f"{f.location.path}:{f.location.line}")
    cells = [
        f"**{f.severity.label}**",
        f"{f.rule} {f.name}",
        _cell(f.application),
        _cell(f.operation),
        _cell(f.message),
        _cell(f.fix),
        where,
    ]
    return "| " + " | ".join(cells) + " |"


HEADER = [
    "| severity | rule | application | operation | finding | fix | where |",
    "| --- | --- | --- | --- | --- | --- | --- |",
]
WAIVED_HEADER = [
    "### Waived",
    "",
    "| rule | application | environment | finding | reason | owner | until |",
    "| --- | --- | --- | --- | --- | --- | --- |",
]


def _waived_row(w: Waived) -> str:
    f = w.finding
    cells = [f.rule, _cell(f.application), _cell(f.environment), _cell(f.message), _cell(w.reason),
             _cell(w.owner), w.expires or ""]  # fmt: skip
    return "| " + " | ".join(cells) + " |"


def render(result: Result, *, color: bool = False) -> str:
    """At most STEP_SUMMARY_BYTES: the most important findings, then the waived; what does not fit, said."""
    out = ["## policycheck", "", summary(result), ""]
    if not result.verified:
        out[1:1] = ["", "**UNVERIFIED**: a token was decoded without checking its signature; its claims prove nothing."]
    env_of = {id(f): f.environment or "(all environments)" for f in result.findings}
    envs = sorted(set(env_of.values()))
    budget = Budget(STEP_SUMMARY_BYTES - 2_048, utf8)  # room for the lines that say what was left out
    budget.spend(out)
    budget.spend(line for env in envs for line in (f"### {_cell(env)}", "", *HEADER, ""))
    budget.spend([*WAIVED_HEADER, ""] if result.waived else [])
    ranked = by_importance(result.findings)
    rows, left = prefix(ranked, budget, _row)
    row_of = dict(zip(map(id, ranked), rows, strict=False))
    by_env: dict[str, list[str]] = defaultdict(list)
    for f in result.findings:  # kept rows in their usual order (file, line)
        if id(f) in row_of:
            by_env[env_of[id(f)]].append(row_of[id(f)])
    if left:
        out += [f"**{counted(left, 'finding')} left out** to fit a step summary ({STEP_SUMMARY_BYTES:,} bytes): "
                f"the most severe and the causes that break the most are shown; {FULL_REPORT}.", ""]  # fmt: skip
    for env in envs:
        if by_env[env]:
            out += [f"### {_cell(env)}", "", *HEADER, *by_env[env], ""]
    if result.waived:
        waived, left_waived = prefix(result.waived, budget, _waived_row)
        out += [*WAIVED_HEADER, *waived, ""]
        if left_waived:
            out += [f"**{counted(left_waived, 'waived finding')} left out** to fit a step summary; {FULL_REPORT}.", ""]
    if not result.findings:
        out += ["No findings.", ""]
    return "\n".join(out)
