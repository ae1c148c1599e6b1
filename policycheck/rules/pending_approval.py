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

from ..findings import Finding, Severity
from ..model import Grant, Model
from ..resolve import Block
from .bound import blockers, gaps, listing

if TYPE_CHECKING:
    from ..engine import RuleContext

ID = "PC102"
NAME = "pending-approval"
DEFAULT_SEVERITY = Severity.ERROR


def check(model: Model, ctx: RuleContext) -> Iterator[Finding]:
    needed: dict[tuple[str, str, int], tuple[Grant, dict[str, None], dict[str, None]]] = {}
    for gap in gaps(model, ctx):
        for permission in gap.missing:
            for b in blockers(model, ctx, gap, permission):
                if Block.PENDING in b.reasons and Block.OTHER_ENVIRONMENT not in b.reasons and b.grant is not None:
                    key = (gap.binding.application, gap.environment, id(b.grant))
                    _, perms, ops = needed.setdefault(key, (b.grant, {}, {}))
                    perms[permission] = None
                    ops[gap.operation.id] = None
    for (app, env, _), (grant, perms, ops) in needed.items():
        op_ids = list(ops)
        yield ctx.finding(
            grant.source,
            app=app,
            env=env,
            op=op_ids[0] if len(op_ids) == 1 else None,
            subject=grant.target,
            message=f"the grant of {grant.target} to {app} is pending approval; "
            f"{listing(op_ids)} need{'s' if len(op_ids) == 1 else ''} "
            f"{listing(list(perms))} in {env}",
            fix=f"approve the pending grant of {grant.target} for {app} in {env} (an administrator: "
            "Pending Approvals, or admin consent in Entra), then request a new token",
        )
