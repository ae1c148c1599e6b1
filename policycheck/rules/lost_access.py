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

from ..findings import Affected, Finding, Severity
from ..model import Model
from ..resolve import names
from .bound import some, who

if TYPE_CHECKING:
    from ..analysis import Analysis
    from .context import RuleContext

ID = "PC301"
NAME = "lost-access"
DEFAULT_SEVERITY = Severity.ERROR


def check(analysis: Analysis, ctx: RuleContext) -> Iterator[Finding]:
    """One finding per change that takes access away (the hop that broke), with every call it breaks."""
    model = analysis.model
    changes = analysis.changes()
    if changes is None or analysis.before is None:
        return
    old = analysis.before.model
    groups: dict[tuple[str, str], list[Affected]] = {}
    for change in changes:
        for op in change.lost:
            operation = model.operations.get(op) or old.operations[op]
            need = names(operation.requirement_in(change.environment).permissions)
            gone = [(p, reason) for p, reason in change.removed if p in need]
            why = "; ".join(f"'{p}': {reason}" for p, reason in gone) or _gateway_why(
                analysis, old, op, change.application, change.environment
            )
            groups.setdefault((change.environment, why), []).append((change.application, change.environment, op))
    for (env, why), cells in groups.items():
        name, single = who(cells)
        app_id, _, first_op = cells[0]
        app = model.applications.get(app_id) or old.applications[app_id]
        ops = list(dict.fromkeys(c[2] for c in cells if c[2]))
        yield ctx.finding(
            app.source_in(env),
            cells=cells,
            message=f"{name} {'loses' if single else 'lose'} {some(ops)} in {env}: {why}",
            fix=f"restore what {some(ops)} need{'s' if len(ops) == 1 else ''} for {name} in {env}, or remove "
            f"the binding if the loss is intended (see policycheck explain {app_id} {first_op} --env {env})",
        )


def _gateway_why(analysis: Analysis, old: Model, op: str, app: str, env: str) -> str:
    """Why a call is lost although no permission was: the gateway refuses it, or requires something else now."""
    gate = analysis.model.gates.get((op, env))
    held = analysis.effective(app, env)
    refusal = gate.refuses(held) if gate is not None else None
    if refusal is not None:
        return f"the gateway refuses it now: {refusal}"
    if gate is not None:
        for member, allowed in gate.uncounted:
            if member in held and allowed not in held:
                return (
                    f"the acl plugin of route '{gate.route}' no longer counts consumer group '{allowed}' "
                    "(include_consumer_groups is not true)"
                )
    before = old.operations.get(op)
    after = analysis.model.operations.get(op)
    if before is not None and after is not None and before.requirement_in(env) != after.requirement_in(env):
        return "what it requires changed in the export (the gateway's own check)"
    return "what it needs no longer reaches the token"
