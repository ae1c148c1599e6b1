"""PC303 export-shrank: a section of a vendor export shrank markedly or vanished between the two exports.

What it means: with `policycheck diff`, the section counts of each imported file
(realms, clients, service accounts, users, roles, composites, groups and scope
mappings of a Keycloak realm; applications, service principals, assignments and
grants of an Entra tenant) are compared, old against new. A section that was not
empty and is now (vanished), or that lost at least half of its entries and at
least 3, is reported. Exporters drop data: Keycloak's partial export leaves the
users out (every service account's roles vanish with them), a `-users-0.json`
file left behind, an Entra export without the assignments. The lost access that
such an export shows (PC301) is then the exporter's, not a change anyone made:
check the export before accepting it. A file of the old export missing from the
new one is reported as vanished, each of its sections.

Files are paired by the longest tail of their paths (`old/dev/dev-realm.json` with
`new/dev/dev-realm.json`, `main:gw/x.json` with `gw/x.json`); files that pair with none
are compared per vendor, as one whole.

A warning: `diff` exits 1 on its errors (PC301, and PC302 with
`--fail-on-new-access`), not on this one, which stands beside them in every report.

Failing example: the old realm export has 19 users, the new one (the admin
console's partial export) none.

Passing example: every section of the new export holds at least half of the old
one's entries, or lost fewer than 3.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from ..findings import Finding, Severity
from ..model import At, Origin

if TYPE_CHECKING:
    from ..analysis import Analysis
    from .context import RuleContext

ID = "PC303"
NAME = "export-shrank"
DEFAULT_SEVERITY = Severity.WARNING

Counts = dict[str, int]


def shrank(before: int, after: int) -> bool:
    """Vanished, or at least half and at least 3 entries fewer."""
    return before > 0 and (after == 0 or (after * 2 <= before and before - after >= 3))


def check(analysis: Analysis, ctx: RuleContext) -> Iterator[Finding]:
    if analysis.before is None:
        return
    old = _files(analysis.before.model.imports)
    new = _files(analysis.model.imports)
    changes = analysis.changes() or ()
    lost = sum(len(c.lost) for c in changes)
    for vendor in dict.fromkeys([v for v, _ in old] + [v for v, _ in new]):
        for label, path, had, has in _pairs(vendor, old, new):
            gone = [(s, b, has.get(s, 0)) for s, b in had.items() if shrank(b, has.get(s, 0))]
            if not gone:
                continue
            what = ", ".join(f"{s} {b} -> {a}" + (" (vanished)" if a == 0 else "") for s, b, a in gone)
            calls = f"; {lost} bound call{'s' if lost != 1 else ''} lose access in this diff (PC301)" if lost else ""
            yield ctx.finding(
                Origin(At(path, 1, 1), ()),
                subject=f"{vendor}:{label}",
                message=f"the {vendor} export {label} shrank: {what}; an exporter that drops data makes access "
                f"look removed{calls}",
                fix="check that the new export is complete (every section exported, users files beside their "
                "realm) before accepting the lost access; if the entries were removed on purpose, nothing to do",
            )


def _files(imports: Iterable[tuple[str, str, str, int]]) -> dict[tuple[str, str], Counts]:
    out: dict[tuple[str, str], Counts] = {}
    for vendor, path, section, n in imports:
        counts = out.setdefault((vendor, path), {})
        counts[section] = counts.get(section, 0) + n
    return out


def _match(old: list[str], new: list[str]) -> dict[str, str]:
    """Old file -> new file, the pairs that share the longest tail of their paths first (at least the name)."""
    scored = sorted(
        ((_tail(a, b), a, b) for a in old for b in new if _tail(a, b) > 0), key=lambda t: (-t[0], t[1], t[2])
    )
    pairs: dict[str, str] = {}
    for _, a, b in scored:
        if a not in pairs and b not in pairs.values():
            pairs[a] = b
    return pairs


def _tail(a: str, b: str) -> int:
    """How many trailing path parts two paths share (a base revision's `REF:` label aside)."""
    x, y = a.rstrip("/").split("/")[::-1], b.rstrip("/").split("/")[::-1]  # a tree's folder ends in "/"
    n = 0
    while n < min(len(x), len(y)) and x[n] == y[n]:
        n += 1
    return n


def _pairs(
    vendor: str, old: dict[tuple[str, str], Counts], new: dict[tuple[str, str], Counts]
) -> Iterator[tuple[str, str, Counts, Counts]]:
    """(label, where to report, counts before, counts after): matched files, then the rest as one."""
    before = [p for v, p in old if v == vendor]
    after = [p for v, p in new if v == vendor]
    pairs = _match(before, after)
    for path, to in pairs.items():
        yield to, to, old[vendor, path], new[vendor, to]
    rest_old = [p for p in before if p not in pairs]
    rest_new = [p for p in after if p not in pairs.values()]
    if not rest_old:
        return
    had = _sum(old[vendor, p] for p in rest_old)
    has = _sum(new[vendor, p] for p in rest_new)
    if rest_new:
        label = ", ".join(rest_new) + f" (read against {', '.join(rest_old)})"
        yield label, rest_new[0], had, has
    else:
        yield f"{', '.join(rest_old)} (not in the new export)", rest_old[0], had, has


def _sum(many: Iterable[Counts]) -> Counts:
    total: Counts = {}
    for counts in many:
        for section, n in counts.items():
            total[section] = total.get(section, 0) + n
    return total
