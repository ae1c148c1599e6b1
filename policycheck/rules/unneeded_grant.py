"""PC401 unneeded-grant: an application holds permissions that none of its bound operations needs.

What it means: least privilege. In an environment where the application is bound,
its effective permissions include some that no requirement of its bound operations
there mentions. The finding lists them, and the grants that deliver nothing else
(those can go). Permissions needed by operations the policies do not bind are not
known to be needed: bind those operations, or accept the finding as a review item.

Failing example: a reporting client bound only to `GET /reports` holds
`General Ledger - Journal Entry Post` through a broad permission set.

Passing example: the client's grants deliver exactly what its bound operations need.

One finding per grant: an idle grant (it delivers nothing any bound operation needs:
remove it) or a broad one (it delivers more than is needed: grant a narrower set),
with every application and environment that holds it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..findings import Affected, Finding, Severity
from ..model import Grant
from .bound import app_origin, listing, who

if TYPE_CHECKING:
    from ..analysis import Analysis
    from .context import RuleContext

ID = "PC401"
NAME = "unneeded-grant"
DEFAULT_SEVERITY = Severity.WARNING


def check(analysis: Analysis, ctx: RuleContext) -> Iterator[Finding]:
    model = analysis.model
    bits = analysis.bits
    by_grant: dict[tuple[str | None, str | None, bool], tuple[Grant, list[Affected], list[int]]] = {}
    for u in analysis.unneeded:
        grants = model.applications[u.application].grants
        extra, needed = u.extra, u.needed
        for index, delivers in u.contributions():
            if not delivers & extra:
                continue
            grant = grants[index]
            key = (grant.permission, grant.permission_set, not delivers & needed)
            entry = by_grant.get(key)
            if entry is None:
                entry = by_grant[key] = (grant, [], [])
            entry[1].append((u.application, u.environment, None))
            entry[2].append(delivers & extra)
    groups: dict[tuple[str, bool], tuple[Grant, list[Affected], list[int]]] = {}
    for key, (grant, cells, extras) in by_grant.items():
        entry = groups.setdefault((grant.target, key[2]), (grant, [], []))
        entry[1].extend(cells)
        entry[2].extend(extras)
    for (target, idle), (_, cells, extras) in groups.items():
        name, single = who(cells)
        envs = sorted({c[1] for c in cells})
        where = " and ".join(envs)
        if single:
            extra = 0
            for e in extras:
                extra |= e
            what = listing(bits.sorted(extra))
        else:
            counts = sorted(e.bit_count() if hasattr(e, "bit_count") else bin(e).count("1") for e in extras)
            what = f"a median of {counts[len(counts) // 2]} permissions"
        if idle and target.startswith("'"):
            message = f"{target} is granted to {name} in {where}, and no operation bound there needs it"
            fix = f"remove the grant of {target} from {name if single else 'these applications'}"
        elif idle:
            message = (
                f"{target} is granted to {name} in {where}, and no operation bound there needs what it "
                f"delivers ({what})"
            )
            fix = f"remove the grant of {target} from {name if single else 'these applications'}"
        else:
            message = f"{target} gives {name} {what} in {where}, which no operation bound there needs"
            fix = "grant narrower permission sets that leave these out"
        yield ctx.finding(
            app_origin(model, cells),
            cells=cells,
            subject=f"{target}{'' if idle else ' (broad)'}",
            message=message,
            fix=f"{fix} (least privilege), or bind the operations that need them",
        )
