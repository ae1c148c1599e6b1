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

from .._version import __version__
from ..findings import Change, Finding, Holding, Result, Severity, TokenSummary, Waived
from . import html_matrix
from .budget import HTML_BYTES, Budget, by_importance, prefix, utf8
from .html_page import AUDIT_INPUTS, CSP, CSS, JS, codes, e, left_out
from .review_data import UNVERIFIED, ParityRow, change_rows, parity
from .text import clean, expiry, summary


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
    return [*out, *kept, *left_out(left, "parity table"), "</section>"]


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
    return [*out, *blocks, *left_out(left, "changed application-environment pair"), "</section>"]


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
        *left_out(left, "finding"),
        '<table class="findings"><thead><tr><th scope="col">severity</th><th scope="col">rule</th>'
        '<th scope="col">application, environment, operation</th>'
        '<th scope="col">where, finding and fix</th></tr></thead><tbody>',
        *rows,
        *waived,
        "</tbody></table>",
        *left_out(left_waived, "waived finding"),
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
    matrix = html_matrix.matrix(result, budget)
    parity_ = _parity(result, budget)
    out = [*head, *findings, *matrix, *changes, *parity_]
    if result.tokens:
        out += ['<section id="tokens">', "<h2>Tokens</h2>", *tokens, "</section>"]
    return "\n".join([*out, *tail]) + "\n"
