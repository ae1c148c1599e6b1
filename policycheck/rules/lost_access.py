"""PC301 lost-access: a new export takes away an operation that a binding needs.

What it means: `policycheck diff BEFORE AFTER` checks both exports against the same
policies. The operation was allowed with the old export and is not with the new
one. The message names the permissions that are gone and the hop of their chain
that the new export breaks (a grant removed or now pending, a set no longer
included, an environment no longer inheriting). A restructuring should not ship
with this finding unless the loss is intended (then change the binding).

Failing example: before, prod inherits base, which maps `GL Journal Posting`;
after, it does not, and compliance-sync loses `gl.journal-entries.post` in prod.

Passing example: every bound operation allowed before is still allowed after.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..findings import Finding, Severity
from ..model import Model
from ..resolve import names

if TYPE_CHECKING:
    from ..engine import RuleContext

ID = "PC301"
NAME = "lost-access"
DEFAULT_SEVERITY = Severity.ERROR


def check(model: Model, ctx: RuleContext) -> Iterator[Finding]:
    if ctx.before is None:
        return
    from ..access import shared_changes

    for change in ctx.shared("changes", lambda: shared_changes(model, ctx)):
        app = model.applications.get(change.application) or (ctx.before.applications[change.application])
        for op in change.lost:
            operation = model.operations[op]
            need = names(operation.requirement_in(change.environment).permissions)
            gone = [(p, reason) for p, reason in change.removed if p in need]
            why = "; ".join(f"'{p}': {reason}" for p, reason in gone) or "what it needs no longer reaches the token"
            yield ctx.finding(
                app.source,
                app=change.application,
                env=change.environment,
                op=op,
                message=f"{change.application} loses {op} in {change.environment}: {why}",
                fix=f"restore what {op} needs for {change.application} in {change.environment}, or remove the "
                f"binding if the loss is intended (see policycheck explain {change.application} {op} "
                f"--env {change.environment})",
            )
