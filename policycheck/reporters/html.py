"""One self-contained HTML page for reviewers: the access matrix, parity, a restructuring's diff, the findings.

The page loads nothing: its CSS and script are inline and a Content-Security-Policy
allows exactly those two (by hash) and nothing else. Every input-derived text is
escaped; the matrix reaches the script as JSON in a data block, where `<`, `>` and
`&` are escaped so no input can close the block. The script builds the matrix
table from that JSON with `textContent` only, filters it (a text box, status
checkboxes, or `#filter=missing,gap&q=TEXT&sort=COLUMN&order=desc` in the URL)
and sorts it by a click on a column header. Without scripts a static copy shows.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable, Sequence

from .._version import __version__
from ..escaping import html_text, visible
from ..findings import ALLOWED, Cell, Change, Finding, Holding, Result, Severity, TokenSummary, Waived
from .budget import FULL_REPORT, HTML_BYTES, Budget, by_importance, counted, prefix, utf8
from .review import (
    CHANGED,
    MEANING,
    STATUSES,
    SYMBOL,
    UNVERIFIED,
    Moved,
    ParityRow,
    change_rows,
    environments,
    moved,
    parity,
    unevaluated,
)
from .text import clean, expiry, summary

CSS = """\
:root{--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--bg:#fff;--head:#f6f8fa;
font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;color:var(--fg);background:var(--bg)}
body{margin:0 auto;max-width:1320px;padding:20px 28px 48px}
h1{font-size:1.6rem;margin:0 0 4px}h2{font-size:1.25rem;margin:32px 0 8px;border-bottom:1px solid var(--line);
padding-bottom:4px}h3{font-size:1.05rem;margin:18px 0 6px}
code{font:0.92em ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:var(--head);padding:0 3px;
border-radius:4px;overflow-wrap:anywhere}
.meta,.note,caption{color:var(--muted)}caption{text-align:left;padding:4px 0;font-weight:600}
.counts{display:flex;flex-wrap:wrap;gap:8px;list-style:none;padding:0;margin:10px 0}
.counts li{border:1px solid var(--line);border-radius:6px;padding:3px 10px;background:var(--head)}
.counts .error{border-color:#cf222e;color:#a40e26}.counts .warning{border-color:#bf8700;color:#7d4e00}
.counts .note{border-color:#0969da;color:#0a3069}
.banner{border:2px solid #cf222e;background:#ffebe9;color:#82071e;padding:8px 12px;border-radius:6px;font-weight:600}
nav a{margin-right:14px}
table{border-collapse:collapse;margin:6px 0 14px;width:100%}
th,td{border:1px solid var(--line);padding:5px 8px;text-align:left;vertical-align:top}
thead th{background:var(--head);position:sticky;top:0}
th button{font:inherit;font-weight:600;background:none;border:0;padding:0;cursor:pointer;color:inherit}
th button::after{content:" ⇅";color:var(--muted)}
th[aria-sort=ascending] button::after{content:" ▲";color:var(--fg)}
th[aria-sort=descending] button::after{content:" ▼";color:var(--fg)}
.controls{display:flex;flex-wrap:wrap;gap:8px 18px;align-items:center;margin:8px 0;padding:8px 10px;
background:var(--head);border:1px solid var(--line);border-radius:6px}
.controls fieldset{border:0;margin:0;padding:0;display:flex;gap:10px;flex-wrap:wrap}
.controls legend{float:left;margin-right:6px;font-weight:600}
.controls input[type=search]{font:inherit;padding:3px 6px;min-width:330px}
.st{white-space:nowrap;font-weight:600;border-left:5px solid}
.st small{display:block;font-weight:400}.st small.missing{white-space:normal;overflow-wrap:anywhere;max-width:28em}
dl.audit{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:8px 0}dl.audit dt{color:var(--muted)}
dl.audit dd{margin:0}
.pager{display:flex;gap:10px;align-items:center;margin:6px 0}
.st .change{font-weight:700;text-transform:uppercase;font-size:.75em}
.st-allowed{background:#dafbe1;color:#116329;border-left-color:#1a7f37}
.st-missing{background:#ffebe9;color:#a40e26;border-left-color:#cf222e}
.st-pending{background:#fff8c5;color:#6c4400;border-left-color:#bf8700}
.st-filtered{background:#f3e8ff;color:#5e2b97;border-left-color:#8250df}
.st-gap{background:#fff1e5;color:#8a3500;border-left-color:#e16f24}
.st-blocked{background:#ffebe9;color:#6e011a;border-left-color:#82071e}
.st-none{color:var(--muted);font-weight:400;border-left-color:var(--line)}
.dim{opacity:.35}
.held{color:#116329}.absent{color:#a40e26;font-weight:600}
tr.differs>*{background:#fff8c5}tr.differs .absent{background:#ffebe9}
.sev{font-weight:700;white-space:nowrap}.sev-error{color:#a40e26}.sev-warning{color:#7d4e00}.sev-note{color:#0a3069}
.badge{display:inline-block;border:1px solid currentColor;border-radius:10px;padding:0 7px;font-size:.82em;
font-weight:600;margin:1px 0}
tr.waived>*{background:#f6f8fa;color:var(--muted)}
.fix{margin-top:4px}.where{margin-bottom:3px}
table.findings td:nth-child(1){width:6em}table.findings td:nth-child(2){width:10em}
table.findings td:nth-child(3){width:17em}.fix b{color:#116329}
.lost{color:#a40e26;font-weight:600}.gained{color:#0a3069;font-weight:600}
dl.token{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px}dl.token dt{color:var(--muted)}
dl.token dd{margin:0}
@media print{.controls,nav{display:none}thead th{position:static}}
"""

JS = r""""use strict";
(() => {
  const source = document.getElementById("matrix-data");
  const table = document.getElementById("matrix-table");
  if (!source || !table) return;
  const data = JSON.parse(source.textContent);
  const order = data.statuses, symbol = data.symbols, names = data.names, envs = names.environments;
  const rank = (cell) => (cell ? order.indexOf(cell.status) : order.length);
  let rows = [];
  const byKey = new Map();
  const rowOf = (a, o) => {
    const key = a + " " + o;
    let row = byKey.get(key);
    if (!row) {
      row = {application: names.applications[a], operation: names.operations[o], cells: {}, index: rows.length};
      byKey.set(key, row);
      rows.push(row);
    }
    return row;
  };
  for (const [a, o, e, status, missing, change] of data.cells) rowOf(a, o).cells[envs[e]] = {status, missing, change};
  for (const [a, e, ops] of data.allowed) {
    for (const o of ops) rowOf(a, o).cells[envs[e]] = {status: "allowed", missing: [], change: null};
  }
  const worst = (row) => Math.min(...Object.values(row.cells).map(rank));
  rows.forEach((row) => { row.worst = worst(row); });
  rows.sort((x, y) => x.worst - y.worst || x.index - y.index);  // problems first
  rows.forEach((row, i) => { row.index = i; });
  const el = (tag, text, cls) => {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  };
  const columns = ["application", "operation", ...envs];
  const headRow = el("tr");
  columns.forEach((name, i) => {
    const th = el("th");
    th.scope = "col";
    th.setAttribute("aria-sort", "none");
    const button = el("button", name);
    button.type = "button";
    button.title = i < 2 ? "sort by " + name : "sort by status in " + name + " (worst first)";
    button.addEventListener("click", () => sortBy(i, th.getAttribute("aria-sort") === "ascending"));
    th.append(button);
    headRow.append(th);
  });
  const makeRow = (row) => {
    const tr = el("tr");
    tr.append(el("td", row.application), el("td", row.operation));
    row.tds = envs.map((env) => {
      const cell = row.cells[env];
      const td = el("td", undefined, "st st-" + (cell ? cell.status : "none"));
      if (!cell) {
        td.textContent = "— not bound";
        td.title = row.application + " is not bound to " + row.operation + " in " + env;
      } else {
        td.textContent = symbol[cell.status] + " " + cell.status;
        td.title = cell.status + ": " + data.meaning[cell.status] +
          (cell.missing.length ? "\nmissing (" + cell.missing.length + "):\n" + cell.missing.join("\n") : "");
        if (cell.missing.length) td.append(" ", el("small", "missing: " + cell.missing.join(", "), "missing"));
        if (cell.change) {
          td.append(" ", el("small", data.changes[cell.change], "change change-" + cell.change));
          td.title += "\n" + data.changes[cell.change];
        }
        td.dataset.status = cell.status;
      }
      tr.append(td);
      return td;
    });
    tr.dataset.statuses = [...new Set(Object.values(row.cells).map((c) => c.status))].join(" ");
    return tr;
  };
  rows.forEach((row) => {
    row.text = [row.application, row.operation, ...Object.values(row.cells).flatMap((c) => c.missing)]
      .join("\n").toLowerCase();
  });
  const body = el("tbody");
  table.tHead.replaceChildren(headRow);
  table.tBodies[0].replaceWith(body);

  const controls = document.getElementById("matrix-controls");
  const search = document.getElementById("matrix-filter");
  const boxes = [...controls.querySelectorAll("input[type=checkbox]")];
  const shown = document.getElementById("matrix-shown");
  const prev = document.getElementById("matrix-prev"), next = document.getElementById("matrix-next");
  const collapsed = rows.filter((row) => row.worst === order.indexOf("allowed")).length;
  let matches = rows, page = 0;
  const draw = () => {
    const pages = Math.max(1, Math.ceil(matches.length / data.page));
    page = Math.min(Math.max(page, 0), pages - 1);
    const start = page * data.page, slice = matches.slice(start, start + data.page);
    const on = new Set(boxes.filter((b) => b.checked).map((b) => b.value));
    body.replaceChildren(...slice.map((row) => {
      if (!row.tr) row.tr = makeRow(row);
      row.tds.forEach((td) => td.classList.toggle("dim", !on.has(td.dataset.status)));
      return row.tr;
    }));
    prev.disabled = page === 0;
    next.disabled = page >= pages - 1;
    const range = matches.length ? (start + 1) + "-" + (start + slice.length) + " of " : "";
    shown.textContent = range + matches.length + " matching rows (" + rows.length + " in all" +
      (on.has("allowed") ? "" : "; " + collapsed + (collapsed === 1 ? " row where every call is allowed is" :
        " rows where every call is allowed are") + " collapsed: tick allowed to show") +
      ")" + (pages > 1 ? ", page " + (page + 1) + " of " + pages : "");
    table.dataset.visibleRows = String(matches.length);
    table.dataset.page = String(page + 1);
  };
  const apply = () => {
    const q = search.value.trim().toLowerCase();
    const on = new Set(boxes.filter((b) => b.checked).map((b) => b.value));
    matches = rows.filter((row) => Object.values(row.cells).some((c) => on.has(c.status)) &&
      (!q || row.text.includes(q)));
    page = 0;
    draw();
  };
  const sortBy = (column, descending) => {
    const value = (row) =>
      column === 0 ? row.application : column === 1 ? row.operation : rank(row.cells[envs[column - 2]]);
    rows = rows.slice().sort((a, b) => {
      const x = value(a), y = value(b);
      return (x < y ? -1 : x > y ? 1 : 0) * (descending ? -1 : 1) || a.index - b.index;
    });
    [...headRow.children].forEach((th, i) =>
      th.setAttribute("aria-sort", i !== column ? "none" : descending ? "descending" : "ascending"));
    table.dataset.sort = columns[column] + (descending ? " descending" : " ascending");
    apply();
  };
  const params = new URLSearchParams(location.search);
  new URLSearchParams(location.hash.slice(1)).forEach((value, key) => params.set(key, value));
  const wanted = (params.get("filter") || params.get("status") || "").split(",").filter((s) => order.includes(s));
  if (wanted.length) boxes.forEach((b) => { b.checked = wanted.includes(b.value); });
  if (params.get("q")) search.value = params.get("q");
  const sortColumn = columns.indexOf(params.get("sort") || "");
  if (sortColumn >= 0) sortBy(sortColumn, params.get("order") === "desc");
  search.addEventListener("input", apply);
  boxes.forEach((b) => b.addEventListener("change", apply));
  prev.addEventListener("click", () => { page -= 1; draw(); });
  next.addEventListener("click", () => { page += 1; draw(); });
  controls.addEventListener("submit", (event) => event.preventDefault());
  controls.hidden = false;
  apply();
  table.dataset.source = "json";
  table.dataset.cells = String(data.total);
  table.dataset.rows = String(rows.length);
  document.documentElement.dataset.ready = "1";
})();
"""


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


CSP = (
    f"default-src 'none'; script-src {_hash(JS)}; style-src {_hash(CSS)}; "
    "img-src 'none'; connect-src 'none'; base-uri 'none'; form-action 'none'"
)


def e(text: str | None) -> str:
    """Input-derived text as HTML: control characters made visible, then escaped (attributes too)."""
    return html_text(text)


def script_json(value: object) -> str:
    """JSON that no input can end early: `<`, `>` and `&` are escaped (so `</script>` never appears)."""
    text = json.dumps(visible(value), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def codes(names: Iterable[str], sep: str = ", ") -> str:
    return sep.join(f"<code>{e(n)}</code>" for n in names)


def _header(result: Result) -> list[str]:
    kind = "diff review" if result.changes is not None else "review"
    counts = [(result.count(s), s) for s in (Severity.ERROR, Severity.WARNING, Severity.NOTE)]
    items = [f'<li class="{s.label}"><strong>{n}</strong> {s.label}{"s" if n != 1 else ""}</li>' for n, s in counts]
    items.append(f"<li><strong>{len(result.waived)}</strong> waived</li>")
    if result.baselined or result.fixed:
        items.append(f"<li><strong>{result.baselined}</strong> in the baseline ({result.fixed} fixed)</li>")
    out = [
        "<header>",
        f"<h1>policycheck {kind}</h1>",
        f'<p class="meta">policycheck {e(__version__)} · {e(summary(result))}</p>',
        f'<ul class="counts">{"".join(items)}</ul>',
    ]
    out += _audit(result)
    if not result.verified:
        out.append(f'<p class="banner" role="alert">UNVERIFIED: {e(UNVERIFIED)}</p>')
    links = [("findings", "Findings"), ("matrix", "Access matrix")]
    if result.changes is not None:
        links.append(("changes", "What the new export changes"))
    links.append(("parity", "Parity"))
    if result.tokens:
        links.append(("tokens", "Tokens"))
    out += ["<nav>" + "".join(f'<a href="#{k}">{t}</a>' for k, t in links) + "</nav>", "</header>"]
    return out


AUDIT_INPUTS = 50
"""Inputs listed with their digests in the header; the rest are counted."""


def _audit(result: Result) -> list[str]:
    """The header of an audit record: the day, the commit, the inputs (with SHA-256 when recorded)."""
    p = result.provenance
    day = f"{e(p.day)} (expiry dates evaluated as of this day)" if p else "not recorded (rendered without a run)"
    if p is None:
        commit = "not recorded"
    elif p.commit is None:
        commit = "none: the inputs are not in the git repository of the working directory"
    else:
        commit = f"<code>{e(p.commit)}</code>"
        if p.modified:
            commit += f" (with uncommitted changes to {len(p.modified)} inputs: {codes(p.modified[:AUDIT_INPUTS])})"
    inputs = p.inputs if p else tuple((path, "") for path in result.checked.paths)
    listed = "".join(
        f"<li><code>{e(path)}</code>" + (f" sha256 <code>{e(digest)}</code>" if digest else "") + "</li>"
        for path, digest in inputs[:AUDIT_INPUTS]
    )
    more = f"<li>and {len(inputs) - AUDIT_INPUTS:,} more</li>" if len(inputs) > AUDIT_INPUTS else ""
    return [
        '<dl class="audit">',
        f"<dt>date</dt><dd>{day}</dd>",
        f"<dt>commit</dt><dd>{commit}</dd>",
        f"<dt>inputs</dt><dd>{len(inputs)} files<ul>{listed}{more}</ul></dd>",
        f"<dt>tool</dt><dd>policycheck {e(__version__)}</dd>",
        "</dl>",
    ]


STATIC_CELLS = 5000
"""Up to this many cells, the matrix is also written out for readers without JavaScript."""
PAGE_ROWS = 200
"""Matrix rows on one page of the table."""
RANK = {s: i for i, s in enumerate(STATUSES)}


def _matrix(result: Result, budget: Budget) -> list[str]:
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
        *_left_out(left_problems, "failing call"),
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


def _left_out(n: int, what: str) -> list[str]:
    if not n:
        return []
    return [f'<p class="note"><strong>{counted(n, what)} left out</strong> to keep the page under '
            f"{HTML_BYTES // 1_000_000} MB (the most important are shown); {e(FULL_REPORT)}.</p>"]  # fmt: skip


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
        *_left_out(left, "row with a problem"),
        f'<p class="note">{counted(allowed, "row")} where every call is allowed not listed.</p>',
    ]


FULL_PARITY_APPS = 200
"""Up to this many applications, every permission is listed side by side; above, only differences."""


def _parity(result: Result, budget: Budget) -> list[str]:
    out = ['<section id="parity">', "<h2>Parity: effective permissions side by side</h2>"]
    if not result.holdings:
        return [*out, '<p class="note">No effective permissions were computed.</p>', "</section>"]
    out.append(
        '<p class="note">For each application, its environments\' effective permissions in columns. '
        "Highlighted rows differ between environments; between parity partners that difference is PC104.</p>"
    )
    tables = list(parity(result))
    if len(tables) > FULL_PARITY_APPS:  # a large organisation: only what differs, or the page is unreadable
        same = sum(1 for _, _, rows in tables if not any(r.differs for r in rows))
        out.append(f'<p class="note">{len(tables)} applications: only the permissions that differ between '
                   f"environments are shown; {same} applications hold the same everywhere.</p>")  # fmt: skip
        tables = [(a, h, [r for r in rows if r.differs]) for a, h, rows in tables if any(r.differs for r in rows)]
    kept, left = prefix(tables, budget, lambda t: "\n".join(_parity_table(*t)))
    return [*out, *kept, *_left_out(left, "parity table"), "</section>"]


def _parity_table(app: str, held: list[Holding], rows: list[ParityRow]) -> list[str]:
    def head(h: Holding) -> str:
        partners = f"<br><small>parity: {codes(h.parity)}</small>" if h.parity else ""
        return f'<th scope="col">{e(h.environment)}{partners}</th>'

    out = [
        f'<table class="parity"><caption>{e(app)}</caption><thead><tr><th scope="col">permission</th>'
        f'{"".join(head(h) for h in held)}<th scope="col">difference</th></tr></thead><tbody>'
    ]
    for r in rows:
        note = f"parity difference: {e(', '.join(r.broken))}" if r.broken else ("differs" if r.differs else "")
        cells = "".join(
            '<td class="held">✓ held</td>' if has else '<td class="absent">✗ not held</td>' for has in r.held
        )
        cls = ' class="differs"' if r.differs else ""
        out.append(f'<tr{cls}><th scope="row"><code>{e(r.permission)}</code></th>{cells}<td>{note}</td></tr>')
    if not rows:
        out.append(f'<tr><td colspan="{len(held) + 2}">no effective permissions in any environment</td></tr>')
    return [*out, "</tbody></table>"]


def _changes(changes: tuple[Change, ...], budget: Budget) -> list[str]:
    out = ['<section id="changes">', "<h2>What the new export changes</h2>"]
    if not changes:
        return [*out, '<p class="note">The new export changes no bound access and no effective permission.</p>',
                "</section>"]  # fmt: skip
    ordered = sorted(changes, key=lambda c: not c.lost)  # what is lost first
    blocks, left = prefix(ordered, budget, lambda c: "\n".join(_change(c)), share=0.5)
    return [*out, *blocks, *_left_out(left, "changed application-environment pair"), "</section>"]


def _change(c: Change) -> list[str]:
    return [
        f"<h3>{e(c.application)} in {e(c.environment)}</h3>",
        '<table class="change"><thead><tr><th scope="col">change</th><th scope="col">what</th>'
        '<th scope="col">why (the hop of the old chain that broke)</th></tr></thead><tbody>',
        *(
            f'<tr><td class="{cls}">{label}</td><td><code>{e(what)}</code></td><td>{e(why)}</td></tr>'
            for cls, label, what, why in change_rows(c)
        ),
        "</tbody></table>",
    ]


def _finding_row(f: Finding, waived: Waived | None = None) -> str:
    context = codes((x for x in (f.application, f.environment, f.operation) if x), " ")
    where = f'<div class="where"><code>{e(str(f.location))}</code></div>'
    sev = f'<span class="sev sev-{f.severity.label}">{f.severity.label}</span>'
    message = where + e(f.message)
    if waived is not None:
        sev += ' <span class="badge">waived</span>'
        until = f", until {e(waived.expires)}" if waived.expires else ""
        message += (
            f'<div class="fix"><b>waived:</b> {e(waived.reason)} (owner {e(waived.owner)}{until}; '
            f"<code>{e(str(waived.waiver))}</code>)</div>"
        )
    cls = ' class="waived"' if waived is not None else ""
    return (
        f"<tr{cls}><td>{sev}</td><td>{e(f.rule)} {e(f.name)}</td><td>{context}</td>"
        f'<td>{message}<div class="fix"><b>fix:</b> {e(f.fix)}</div></td></tr>'
    )


def _findings(result: Result, budget: Budget) -> list[str]:
    out = ['<section id="findings">', f"<h2>Findings ({len(result.findings)}, {len(result.waived)} waived)</h2>"]
    if not result.findings and not result.waived:
        return [*out, '<p class="note">No findings.</p>', "</section>"]
    ranked = by_importance(result.findings)
    rows, left = prefix(ranked, budget, _finding_row, share=0.5)
    waived, left_waived = prefix(result.waived, budget, lambda w: _finding_row(w.finding, w))
    return [
        *out,
        *_left_out(left, "finding"),
        '<table class="findings"><thead><tr><th scope="col">severity</th><th scope="col">rule</th>'
        '<th scope="col">application, environment, operation</th>'
        '<th scope="col">where, finding and fix</th></tr></thead><tbody>',
        *rows,
        *waived,
        "</tbody></table>",
        *_left_out(left_waived, "waived finding"),
        "</section>",
    ]


def _token(t: TokenSummary) -> list[str]:
    state = "verified" if t.verified else ("REJECTED: " + clean(t.problem) if t.problem else "UNVERIFIED")
    who = clean(t.client or "?")
    if t.application or t.environment:
        who += f" → {clean(t.application or '?')} in {clean(t.environment or '?')}"
    rows = [
        ("state", state),
        ("alg", " ".join(x for x in (t.alg or "-", f"kid {t.kid}" if t.kid else "") if x)),
        ("issuer", t.issuer or "-"),
        ("audience", " ".join(t.audience) or "-"),
        ("client", who),
        ("subject", t.subject or "-"),
        ("expires", expiry(t.expires)),
        ("permissions", " ".join(t.values) or "(none)"),
    ]
    body = "".join(f"<dt>{k}</dt><dd>{e(v)}</dd>" for k, v in rows)
    return [f"<h3>token <code>{e(t.fingerprint)}</code> ({e(t.label)})</h3>", f'<dl class="token">{body}</dl>']


def render(result: Result, *, color: bool = False) -> str:
    """The whole page, at most HTML_BYTES; `color` is ignored (the page always uses colour, never colour alone)."""
    title = f"policycheck {'diff review' if result.changes is not None else 'review'}: {summary(result)}"
    head = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="referrer" content="no-referrer">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="generator" content="policycheck {e(__version__)}">',
        f"<title>{e(title)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        *_header(result),
        "<main>",
    ]
    tail = ["</main>", f"<script>{JS}</script>", "</body>", "</html>"]
    budget = Budget(HTML_BYTES - 16_000, utf8)  # room for the section frames and the lines that say what is left out
    budget.spend([*head, *tail])
    tokens = [x for t in result.tokens for x in _token(t)]
    budget.spend(tokens)  # a handful, always shown
    findings = _findings(result, budget)  # in the order of importance: what is shown when not all fits
    changes = _changes(result.changes, budget) if result.changes is not None else []
    matrix = _matrix(result, budget)
    parity_ = _parity(result, budget)
    out = [*head, *findings, *matrix, *changes, *parity_]
    if result.tokens:
        out += ['<section id="tokens">', "<h2>Tokens</h2>", *tokens, "</section>"]
    return "\n".join([*out, *tail]) + "\n"
