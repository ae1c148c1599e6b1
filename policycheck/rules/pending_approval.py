"""PC102 pending-approval: a grant that a bound operation needs exists but is not approved.

What it means: the export has the grant (of a permission or a permission set)
with status `pending`, and a bound operation of the application needs a
permission it would deliver in that environment. Unlike a missing grant, nothing
has to be requested: an administrator has to approve it.

Failing example: `compliance-sync` has `General Ledger - Journal Entry Create`
with `status: pending` in `prod`, and `gl.journal-entries.create` needs it.

Passing example: the same grant with `status: approved`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..findings import Affected, Finding, Severity
from ..model import Grant
from ..resolve import Block
from .bound import listing, some, who

if TYPE_CHECKING:
    from ..analysis import Analysis
    from .context import RuleContext

ID = "PC102"
NAME = "pending-approval"
DEFAULT_SEVERITY = Severity.ERROR


def check(analysis: Analysis, ctx: RuleContext) -> Iterator[Finding]:
    """One finding per pending grant (its target, in one environment), with every call that waits for it."""
    needed: dict[tuple[str, str], tuple[Grant, dict[str, None], dict[Affected, None]]] = {}
    for f in analysis.failures:
        for permission, found in f.blocked:
            for b in found:
                if Block.PENDING in b.reasons and Block.OTHER_ENVIRONMENT not in b.reasons and b.grant is not None:
                    _, perms, hit = needed.setdefault((f.environment, b.grant.target), (b.grant, {}, {}))
                    perms[permission] = None
                    hit[(f.application, f.environment, f.operation)] = None
    for (env, target), (grant, perms, found_cells) in needed.items():
        cells: list[Affected] = list(found_cells)
        name, single = who(cells)
        ops = list(dict.fromkeys(c[2] for c in cells if c[2]))
        grants = "grant" if single else "grants"
        yield ctx.finding(
            grant.source,
            cells=cells,
            op=ops[0] if len(ops) == 1 else None,
            subject=target,
            message=f"the {grants} of {target} to {name} {'is' if single else 'are'} pending approval; "
            f"{some(ops) if not single else listing(ops)} need{'s' if len(ops) == 1 else ''} "
            f"{listing(list(perms))} in {env}",
            fix=f"approve the pending {grants} of {target} for {name} in {env} (an administrator: "
            "Pending Approvals, or admin consent in Entra), then request a new token",
        )
