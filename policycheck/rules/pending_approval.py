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
from operator import attrgetter
from typing import TYPE_CHECKING

from ..findings import Finding, Severity
from ..resolve import Block
from .bound import stopping

if TYPE_CHECKING:
    from ..analysis import Analysis
    from .context import RuleContext

ID = "PC102"
NAME = "pending-approval"
DEFAULT_SEVERITY = Severity.ERROR


def check(analysis: Analysis, ctx: RuleContext) -> Iterator[Finding]:
    """One finding per pending grant (its target, in one environment), with every call that waits for it."""
    for s in stopping(analysis, lambda b: Block.PENDING in b.reasons, attrgetter("target")):
        target, name, env = s.grant.target, s.name, s.environment
        grants = "grant" if s.single else "grants"
        yield ctx.finding(
            s.grant.source,
            cells=s.cells,
            op=s.op,
            subject=target,
            message=f"the {grants} of {target} to {name} {'is' if s.single else 'are'} pending approval; {s.needs()}",
            fix=f"approve the pending {grants} of {target} for {name} in {env} (an administrator: "
            "Pending Approvals, or admin consent in Entra), then request a new token",
        )
