"""The page's own parts: its inline CSS and script, the Content-Security-Policy that allows
exactly those two (by their hashes), and the escaping every input-derived text goes through."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable

from ..escaping import html_text, visible
from .budget import FULL_REPORT, HTML_BYTES, counted

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


AUDIT_INPUTS = 50
"""Inputs listed with their digests in the header; the rest are counted."""


def left_out(n: int, what: str) -> list[str]:
    if not n:
        return []
    return [f'<p class="note"><strong>{counted(n, what)} left out</strong> to keep the page under '
            f"{HTML_BYTES // 1_000_000} MB (the most important are shown); {e(FULL_REPORT)}.</p>"]  # fmt: skip
