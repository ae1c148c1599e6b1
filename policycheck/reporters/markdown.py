"""Markdown for $GITHUB_STEP_SUMMARY or a pull-request comment: counts, a table per environment, fixes."""

from __future__ import annotations

from collections import defaultdict

from ..escaping import markdown_code, markdown_text
from ..findings import Finding, Result
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


def render(result: Result, *, color: bool = False) -> str:
    out = ["## policycheck", "", summary(result), ""]
    if not result.verified:
        out[1:1] = ["", "**UNVERIFIED**: a token was decoded without checking its signature; its claims prove nothing."]
    by_env: dict[str, list[Finding]] = defaultdict(list)
    for f in result.findings:
        by_env[f.environment or "(all environments)"].append(f)
    header = [
        "| severity | rule | application | operation | finding | fix | where |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for env in sorted(by_env):
        out += [f"### {_cell(env)}", "", *header, *(_row(f) for f in by_env[env]), ""]
    if result.waived:
        out += [
            "### Waived",
            "",
            "| rule | application | environment | finding | reason | owner | until |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for w in result.waived:
            f = w.finding
            out.append(
                "| "
                + " | ".join(
                    [
                        f.rule,
                        _cell(f.application),
                        _cell(f.environment),
                        _cell(f.message),
                        _cell(w.reason),
                        _cell(w.owner),
                        w.expires or "",
                    ]
                )
                + " |"
            )
        out.append("")
    if not result.findings:
        out += ["No findings.", ""]
    return "\n".join(out)
