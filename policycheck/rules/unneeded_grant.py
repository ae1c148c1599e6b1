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
with every application and environment that holds it. A grant that each realm or
tenant makes in its own file (Keycloak, Entra, Auth0) is one finding per file, in that
file: it is removed there, realm by realm.
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

_Entry = tuple[Grant, list[Affected], list[int], set[str]]
"""A grant, the (application, environment) pairs it gives unneeded permissions, those permissions, where."""


def check(analysis: Analysis, ctx: RuleContext) -> Iterator[Finding]:
    model = analysis.model
    bits = analysis.bits
    apps = model.applications
    numbers_of = analysis.grants.ids
    slots: dict[int, int] = {}
    """Grant number -> 2 x the index of what it grants (permission, permission set): + 1 when idle."""
    granted: dict[tuple[str | None, str | None, str | None], int] = {}
    """What is granted (permission, permission set, and for a realm's or tenant's own grant its file) -> index."""
    by_grant: dict[int, _Entry] = {}
    for u in analysis.unneeded:
        app = apps[u.application]
        numbers = numbers_of(app)
        extra, needed = u.extra, u.needed
        env = u.environment
        cell = (u.application, env, None)  # one per (application, environment), shared by its grants
        flat = iter(u.delivered)
        for index, delivers in zip(flat, flat, strict=True):  # u.contributions(), without slicing it
            unneeded = delivers & extra
            if not unneeded:
                continue
            slot = slots.get(numbers[index])
            if slot is None:
                g = app.grants[index]
                own = g.source.document.path if g.per_environment else None  # each realm's grant: in its file
                slot = slots[numbers[index]] = 2 * granted.setdefault(
                    (g.permission, g.permission_set, own), len(granted)
                )
            if not delivers & needed:
                slot += 1
            entry = by_grant.get(slot)
            if entry is None:
                entry = by_grant[slot] = (app.grants[index], [], [], set())
            entry[1].append(cell)
            entry[2].append(unneeded)
            entry[3].add(env)
    for slot, (grant, cells, extras, envs) in by_grant.items():  # one per what is granted (and file), idle or not
        target, idle = grant.target, bool(slot & 1)
        name, single = who(cells)
        where = " and ".join(sorted(envs))
        if single:
            extra = 0
            for e in extras:
                extra |= e
            what = listing(bits.sorted(extra))
        else:
            counts = sorted(map(int.bit_count, extras))
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
            op=None,  # a grant, not a call: as the cells say
            subject=f"{target}{'' if idle else ' (broad)'}",
            message=message,
            fix=f"{fix} (least privilege), or bind the operations that need them",
        )
