"""PC101 missing-grant: a bound operation's requirement is not met in an environment.

What it means: a binding says the application must be able to call the
operation in the environment, and the application's effective permissions there
(see docs/resolution.md) do not satisfy the operation's requirement. The call
will be refused. The message names exactly the permissions that are missing; the
fix says, for each one, what to do: grant it, approve its pending grant (PC102),
extend a grant to the environment or map its permission set there (PC103).

Failing example: `compliance-sync` is bound to `gl.journal-entries.create` in
`prod`, which requires `General Ledger - Journal Entry Create`, and the export
grants it only `General Ledger - Read` there.

Passing example: the export grants (approved) a permission set that includes
`General Ledger - Journal Entry Create`, mapped to `prod`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..findings import Finding, Severity
from ..model import Model
from ..resolve import Block, Blocked
from .bound import blockers, gaps, listing

if TYPE_CHECKING:
    from ..engine import RuleContext

ID = "PC101"
NAME = "missing-grant"
DEFAULT_SEVERITY = Severity.ERROR


def check(model: Model, ctx: RuleContext) -> Iterator[Finding]:
    for gap in gaps(model, ctx):
        app, env, op = gap.binding.application, gap.environment, gap.operation
        steps = []
        to_grant = []
        for permission in gap.missing:
            found = blockers(model, ctx, gap, permission)
            if not found:
                to_grant.append(permission)
                continue
            step = _step(found, app, env)
            if step:
                steps.append(step)
            else:
                to_grant.append(permission)  # only revoked grants: it needs a new one
        if to_grant:
            steps.insert(0, f"grant {listing(to_grant)} to {app} in {env}")
        yield ctx.finding(
            model.applications[app].source,
            app=app,
            env=env,
            op=op.id,
            message=f"{app} cannot call {op.method} {op.path} in {env}: missing {listing(gap.missing)}",
            fix="; ".join(dict.fromkeys(steps)),
        )


def _step(found: list[Blocked], app: str, env: str) -> str | None:
    """The one change that makes the nearest blocked grant deliver in `env`."""
    for b in found:
        if Block.NOT_ASSIGNED in b.reasons:
            return f"assign {app} to {env} (add a client for {env}; PC103)"
    for b in sorted(found, key=lambda b: len(b.reasons)):
        assert b.grant is not None
        if b.reasons == (Block.PENDING,):
            return f"approve the pending grant of {b.grant.target} (PC102)"
        if b.reasons == (Block.OTHER_ENVIRONMENT,):
            return f"extend the grant of {b.grant.target} to {env} (PC103)"
        if b.reasons == (Block.SET_NOT_MAPPED,):
            return f"map permission set '{b.grant.permission_set}' to {env} (PC103)"
    return None
