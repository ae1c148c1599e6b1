"""The access matrix of the HTML page: the JSON the page's script builds its table from, and
a static copy of the rows with a problem for readers without JavaScript."""

from __future__ import annotations

from collections.abc import Sequence

from ..findings import ALLOWED, Cell, Result
from .budget import HTML_BYTES, Budget, counted, prefix, utf8
from .html_page import AUDIT_INPUTS, codes, e, left_out, script_json
from .review_data import CHANGED, MEANING, STATUSES, SYMBOL, Moved, environments, moved, unevaluated
from .text import clean

STATIC_CELLS = 5000
"""Up to this many cells, the matrix is also written out for readers without JavaScript."""
PAGE_ROWS = 200
"""Matrix rows on one page of the table."""
RANK = {s: i for i, s in enumerate(STATUSES)}


def matrix(result: Result, budget: Budget) -> list[str]:
    after = " after the change" if result.changes is not None else ""
    out = ['<section id="matrix">', f"<h2>Access matrix{after}</h2>"]
    if not result.matrix:
        return [*out, '<p class="note">No access matrix: no bound application and operation was evaluated.</p>',
                "</section>"]  # fmt: skip
    delta = moved(result.changes)
    legend = "; ".join(f"<b>{SYMBOL[s]} {s}</b>: {MEANING[s]}" for s in STATUSES)
    boxes = "".join(
        f'<label><input type="checkbox" value="{s}"{"" if s == ALLOWED else " checked"}> {SYMBOL[s]} {s}</label>'
        for s in STATUSES
    )
    envs = environments(result.matrix)
    env_ix = {x: i for i, x in enumerate(envs)}
    apps, ops = _Names(budget), _Names(budget)
    budget.spend([script_json([clean(x) for x in envs])])
    problems = sorted(
        (c for c in result.matrix if c.status != ALLOWED or c.missing or (c.application, c.environment, c.operation)
         in delta),
        key=lambda c: RANK.get(c.status, 0),
    )  # fmt: skip

    def problem(c: Cell) -> str:
        change = delta.get((c.application, c.environment, c.operation))
        missing = [clean(p) for p in c.missing]
        return script_json([apps(c.application), ops(c.operation), env_ix[c.environment], c.status, missing, change])

    part = apps.budget = ops.budget = budget.part(0.7)  # a new name is paid for by the item that needs it
    cells, left_problems = part.fit((problem(c) for c in problems), len(problems))
    budget.charge(part)
    static = (
        _static_matrix(result.matrix, delta, budget)
        if len(result.matrix) <= STATIC_CELLS
        else [f'<p class="note">{len(result.matrix):,} cells: the matrix needs JavaScript.</p>']
    )
    allowed: dict[tuple[str, str], list[str]] = {}
    problem_keys = {(c.application, c.environment, c.operation) for c in problems}
    for c in result.matrix:
        if (c.application, c.environment, c.operation) not in problem_keys:
            allowed.setdefault((c.application, c.environment), []).append(c.operation)
    part = apps.budget = ops.budget = budget.part(0.7)
    groups, _ = part.fit(
        (script_json([apps(a), env_ix[x], [ops(o) for o in o_]]) for (a, x), o_ in allowed.items()), len(allowed)
    )
    budget.charge(part)
    left_allowed = sum(len(o) for o in list(allowed.values())[len(groups) :])
    out += [
        f'<p class="note">One row per bound application and operation, one column per environment, the problems '
        f"first; each cell names the permissions it misses. {legend}. Rows where every call is allowed are "
        f"collapsed: tick <b>{SYMBOL[ALLOWED]} allowed</b> to show them. {PAGE_ROWS} rows a page.</p>",
        *left_out(left_problems, "failing call"),
        *(
            [
                f'<p class="note"><strong>{counted(left_allowed, "allowed call")} left out</strong> to keep the page '
                f"under {HTML_BYTES // 1_000_000} MB: every bound call that is not listed here is allowed.</p>"
            ]
            if left_allowed
            else []
        ),
        '<form id="matrix-controls" class="controls" hidden>',
        '<label>Filter <input type="search" id="matrix-filter" placeholder="application, operation or permission">'
        "</label>",
        f"<fieldset><legend>Status</legend>{boxes}</fieldset>",
        "</form>",
        '<p class="pager"><button type="button" id="matrix-prev">‹ previous</button>'
        '<output id="matrix-shown" for="matrix-filter"></output>'
        '<button type="button" id="matrix-next">next ›</button></p>',
        '<table id="matrix-table" class="matrix"><thead></thead><tbody></tbody></table>',
        "<noscript>",
        *static,
        "</noscript>",
    ]
    meta = {"meaning": MEANING, "symbols": SYMBOL, "changes": CHANGED, "statuses": list(STATUSES),
            "page": PAGE_ROWS, "total": len(result.matrix)}  # fmt: skip
    names = script_json({"applications": apps.names, "operations": ops.names, "environments": [clean(x) for x in envs]})
    data = script_json(meta)[:-1] + f',"names":{names},"cells":[{",".join(cells)}],"allowed":[{",".join(groups)}]}}'
    out.append(f'<script type="application/json" id="matrix-data">{data}</script>')
    skipped = unevaluated(result)
    if skipped:
        out.append('<p class="note">Bound but not evaluated (the application or operation is not defined): '
                   + "; ".join(codes(case, " ") for case in skipped[:AUDIT_INPUTS]) + "</p>")  # fmt: skip
    return [*out, "</section>"]


class _Names:
    """Names that the page's script reads by index, each written once; a new one costs its room."""

    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self.index: dict[str, int] = {}
        self.names: list[str] = []

    def __call__(self, name: str) -> int:
        i = self.index.get(name)
        if i is None:
            i = self.index[name] = len(self.names)
            self.names.append(clean(name))
            self.budget.left -= utf8(script_json(self.names[-1])) + 1
        return i


def _static_matrix(cells: Sequence[Cell], delta: Moved, budget: Budget) -> list[str]:
    """For readers without JavaScript: the rows with a problem, problems first; the allowed rows counted."""
    envs = environments(cells)
    rows: dict[tuple[str, str], dict[str, Cell]] = {}
    for c in cells:
        rows.setdefault((c.application, c.operation), {})[c.environment] = c
    worst = {key: min(RANK.get(c.status, 0) for c in by_env.values()) for key, by_env in rows.items()}
    problem_rows = sorted((k for k in rows if worst[k] < RANK[ALLOWED]), key=lambda k: worst[k])
    head = "".join(f'<th scope="col">{e(x)}</th>' for x in ("application", "operation", *envs))

    def row(key: tuple[str, str]) -> str:
        app, op = key
        tds = []
        for env in envs:
            found = rows[key].get(env)
            if found is None:
                tds.append('<td class="st st-none">— not bound</td>')
                continue
            c = found
            lines = [f"{c.status}: {MEANING.get(c.status, '')}"]
            if c.missing:
                lines += [f"missing ({len(c.missing)}):", *c.missing]
            small = (
                f' <small class="missing">missing: {", ".join(e(p) for p in c.missing)}</small>' if c.missing else ""
            )
            change = delta.get((c.application, c.environment, c.operation))
            if change:
                lines.append(CHANGED[change])
                small += f' <small class="change change-{change}">{CHANGED[change]}</small>'
            title = "&#10;".join(e(line) for line in lines)
            tds.append(
                f'<td class="st st-{e(c.status)}" title="{title}">{SYMBOL.get(c.status, "")} {e(c.status)}{small}</td>'
            )
        return f"<tr><td>{e(app)}</td><td>{e(op)}</td>{''.join(tds)}</tr>"

    kept, left = prefix(problem_rows, budget, row)
    allowed = len(rows) - len(problem_rows)
    return [
        f'<table class="matrix"><thead><tr>{head}</tr></thead><tbody>',
        *kept,
        "</tbody></table>",
        *left_out(left, "row with a problem"),
        f'<p class="note">{counted(allowed, "row")} where every call is allowed not listed.</p>',
    ]
