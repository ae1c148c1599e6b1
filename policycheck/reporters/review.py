"""Markdown for a pull-request review comment: counts, the access matrix, parity, the diff, findings.

The shape of the review data (statuses, environment order, parity rows, what changed)
is in `review_data`, shared with the HTML reporter, so the two always say the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from ..escaping import markdown_code, markdown_text
from ..findings import (
    ALLOWED,
    Cell,
    Change,
    Finding,
    Holding,
    Result,
    TokenSummary,
    Waived,
)
from .budget import COMMENT_CHARS, COMMENT_ROOM, FULL_REPORT, Budget, by_importance, counted
from .review_data import (
    CHANGED,
    MEANING,
    STATUSES,
    SYMBOL,
    UNVERIFIED,
    ParityRow,
    change_rows,
    environments,
    moved,
    parity,
    unevaluated,
)
from .text import expiry, summary

text = markdown_text
"""Free text in Markdown (policycheck.escaping)."""


code = markdown_code
"""A name as a code span (policycheck.escaping)."""


def table(head: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    return [
        "| " + " | ".join(head) + " |",
        "|" + " --- |" * len(head),
        *("| " + " | ".join(row) + " |" for row in rows),
        "",
    ]


def _status(c: Cell, change: str | None) -> str:
    word = f"{SYMBOL.get(c.status, '')} **{text(c.status)}**"
    return word + (f" ({CHANGED[change]})" if change else "")


def _matrix(result: Result) -> list[str]:
    after = " after the change" if result.changes is not None else ""
    out = [f"### Access matrix{after}", ""]
    if not result.matrix:
        return [*out, "No access matrix: no bound application and operation was evaluated.", ""]
    out += ["; ".join(f"{SYMBOL[s]} **{s}**: {MEANING[s]}" for s in STATUSES) + ".", ""]
    delta = moved(result.changes)
    for env in environments(result.matrix):
        cells = [c for c in result.matrix if c.environment == env]
        rows = [
            (
                code(c.application),
                code(c.operation),
                _status(c, delta.get((c.application, c.environment, c.operation))),
                ", ".join(code(p) for p in c.missing),
            )
            for c in cells
        ]
        out += [f"#### {code(env)}", "", *table(("application", "operation", "status", "missing"), rows)]
    skipped = unevaluated(result)
    if skipped:
        cases = "; ".join(" ".join(code(x) for x in case) for case in skipped)
        out += [f"Bound but not evaluated (the application or operation is not defined): {cases}", ""]
    return out


def _parity(result: Result) -> list[str]:
    out = ["### Parity: effective permissions side by side", ""]
    if not result.holdings:
        return [*out, "No effective permissions were computed.", ""]
    for app, held, rows in parity(result):
        head = [
            "permission",
            *(code(h.environment) + (f" (parity: {', '.join(code(p) for p in h.parity)})" if h.parity else "")
              for h in held),
            "difference",
        ]  # fmt: skip
        body = [
            (
                f"**{code(r.permission)}**" if r.differs else code(r.permission),
                *("✓ held" if has else "**✗ not held**" for has in r.held),
                f"**parity difference**: {text(', '.join(r.broken))}" if r.broken else ("differs" if r.differs else ""),
            )
            for r in rows
        ]
        out += [f"#### {code(app)}", "", *table(head, body or [("(none)", *("" for _ in held), "")])]
    return out


def _changes(changes: tuple[Change, ...]) -> list[str]:
    out = ["### What the new export changes", ""]
    if not changes:
        return [*out, "The new export changes no bound access and no effective permission.", ""]
    for c in changes:
        out += [f"#### {code(c.application)} in {code(c.environment)}", ""]
        out += [
            f"- {'**' + label + '**' if kind == 'lost' else label} {code(what)}" + (f": {text(why)}" if why else "")
            for kind, label, what, why in change_rows(c)
        ]
        out.append("")
    return out


def _finding(f: Finding, waived: Waived | None = None) -> tuple[str, ...]:
    where = code(f"{f.location.path}:{f.location.line}")
    context = " ".join(code(x) for x in (f.application, f.environment, f.operation) if x)
    message = text(f.message)
    severity = f"**{f.severity.label}**"
    if waived is not None:
        severity = f"{f.severity.label}, waived"
        until = f", until {text(waived.expires)}" if waived.expires else ""
        message += f" (waived: {text(waived.reason)}; owner {text(waived.owner)}{until})"
    return severity, f"{f.rule} {f.name}", context, where, message, text(f.fix)


def _token(t: TokenSummary) -> str:
    state = "verified" if t.verified else (f"REJECTED ({text(t.problem)})" if t.problem else "**UNVERIFIED**")
    alg = f", alg {code(t.alg)}" + (f", kid {code(t.kid)}" if t.kid else "") if t.alg else ""
    who = code(t.client or "?") + (
        f" → {code(t.application or '?')} in {code(t.environment or '?')}" if t.application or t.environment else ""
    )
    perms = " ".join(code(v) for v in t.values) or "(none)"
    return (
        f"- token {code(t.fingerprint)} ({text(t.label)}): {state}{alg}; issuer {code(t.issuer or '-')}; "
        f"client {who}; expires {expiry(t.expires)}; permissions: {perms}"
    )


def render(result: Result, *, color: bool = False) -> str:
    """The whole review when it fits a pull-request comment; else the problems, most important first."""
    # Every matrix row and finding costs at least this much: a large run skips the full render.
    if 30 * len(result.matrix) + 80 * len(result.findings) + 20 * len(result.holdings) <= COMMENT_CHARS:
        full = _full(result)
        if len(full) <= COMMENT_CHARS - COMMENT_ROOM:
            return full
    return _shortened(result)


def _full(result: Result) -> str:
    kind = "diff review" if result.changes is not None else "review"
    out = [f"## policycheck {kind}", ""]
    if not result.verified:
        out += [f"**UNVERIFIED**: {UNVERIFIED}", ""]
    out += [text(summary(result)), "", *_matrix(result), *_parity(result)]
    if result.changes is not None:
        out += _changes(result.changes)
    out += [f"### Findings ({len(result.findings)}, {len(result.waived)} waived)", ""]
    if result.findings or result.waived:
        head = ("severity", "rule", "application, environment, operation", "where", "finding", "fix")
        rows = [*(_finding(f) for f in result.findings), *(_finding(w.finding, w) for w in result.waived)]
        out += table(head, rows)
    else:
        out += ["No findings.", ""]
    if result.tokens:
        out += ["### Tokens", "", *(_token(t) for t in result.tokens), ""]
    return "\n".join(out)


FINDINGS_HEAD = ("severity", "rule", "application, environment, operation", "where", "finding", "fix")
SECTION_ROOM = 600
"""Kept for each section's heading and the line that says what it leaves out."""


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _shortened(result: Result) -> str:
    """What fits in COMMENT_CHARS, in the order a reviewer acts on it; every section says what it leaves out."""
    kind = "diff review" if result.changes is not None else "review"
    out = [f"## policycheck {kind}", ""]
    if not result.verified:
        out += [f"**UNVERIFIED**: {UNVERIFIED}", ""]
    out += [
        text(summary(result)),
        "",
        f"_Shortened to fit a pull-request comment ({COMMENT_CHARS:,} characters): the problems, most important "
        "first; each section says what it leaves out. The whole review: `policycheck check --format html=FILE` "
        f"(the access matrix, parity and findings); {FULL_REPORT}._",
        "",
    ]
    budget = Budget(COMMENT_CHARS - COMMENT_ROOM)
    sections = 4 + (result.changes is not None) + bool(result.tokens)
    budget.spend(out)
    budget.left -= SECTION_ROOM * sections

    def section(
        title: str,
        head: Sequence[str] | None,
        lines: Iterable[str],
        total: int,
        what: str,
        after: str = "",
        share: float = 1.0,
    ) -> list[str]:
        """Rows in `share` of the room left, so that the sections after this one keep some."""
        budget.left += SECTION_ROOM  # its own room, kept aside above, pays for all but its rows
        block = [title, ""] + ([_row(head), "|" + " --- |" * len(head)] if head is not None else [])
        budget.spend(block)
        kept, left = budget.fit_part(share, lines, total)
        tail = [""] + ([f"_{counted(left, what)} left out here._", ""] if left else []) + ([after, ""] if after else [])
        budget.spend(tail)
        return (block if kept else block[:2]) + kept + tail

    ranked = by_importance(result.findings)
    waived = [_finding(w.finding, w) for w in result.waived]
    rows = [*(_row(_finding(f)) for f in ranked), *map(_row, waived)]
    out += section(f"### Findings ({len(result.findings)}, {len(result.waived)} waived)", FINDINGS_HEAD, rows,
                   len(ranked) + len(waived), "finding", share=0.5)  # fmt: skip
    if result.changes is not None:
        lines = [
            f"- {'**' + label + '**' if k == 'lost' else label} {code(what)} ({code(c.application)} in "
            f"{code(c.environment)})" + (f": {text(why)}" if why else "")
            for c in result.changes
            for k, label, what, why in change_rows(c)
        ]
        lines.sort(key=lambda line: not line.startswith("- **"))  # what is lost first
        out += section("### What the new export changes", None, lines, len(lines), "change", share=0.5)
    out += _problems(result, section)
    differing = [
        (app, held, r) for app, held, rows_ in parity(result) for r in rows_ if r.differs
    ] if result.holdings else []  # fmt: skip
    parity_lines = (_parity_row(app, held, r) for app, held, r in differing)
    out += section(
        "### Parity: permissions held in some environments only",
        ("application", "permission", "held in", "not held in", "difference"),
        parity_lines,
        len(differing),
        "difference",
    )
    if result.tokens:
        out += section("### Tokens", None, (_token(t) for t in result.tokens), len(result.tokens), "token")
    return "\n".join(out)


def _problems(result: Result, section: Callable[..., list[str]]) -> list[str]:
    """The access matrix without its allowed calls (counted), worst first."""
    after = " after the change" if result.changes is not None else ""
    title = f"### Access matrix{after}: the calls that fail"
    rank = {s: i for i, s in enumerate(STATUSES)}
    cells = sorted((c for c in result.matrix if c.status != ALLOWED), key=lambda c: rank.get(c.status, 0))
    allowed = len(result.matrix) - len(cells)
    delta = moved(result.changes)
    rows = (
        _row((code(c.application), code(c.environment), code(c.operation),
              _status(c, delta.get((c.application, c.environment, c.operation))),
              ", ".join(code(p) for p in c.missing)))
        for c in cells
    )  # fmt: skip
    head = ("application", "environment", "operation", "status", "missing")
    allowed_line = f"{counted(allowed, 'allowed call')} not listed."
    return section(title, head, rows, len(cells), "failing call", allowed_line, share=0.6)


def _parity_row(app: str, held: Sequence[Holding], r: ParityRow) -> str:
    having = ", ".join(code(h.environment) for h, has in zip(held, r.held, strict=True) if has)
    lacking = ", ".join(code(h.environment) for h, has in zip(held, r.held, strict=True) if not has)
    why = f"**parity difference**: {text(', '.join(r.broken))}" if r.broken else "differs"
    return _row((code(app), code(r.permission), having, lacking, why))
