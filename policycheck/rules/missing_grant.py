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

One finding per cause: every bound call that lacks the same permissions in the same
environment for the same reason is one finding, with the calls it breaks and their
count (an application's waiver still takes its own calls out of it).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..findings import BLOCKED, FILTERED, Affected, Finding, Severity
from ..model import EXPIRED, PermissionSet
from ..resolve import Block, Blocked
from .bound import APP, app_origin, definition_gap, listing, some, who

if TYPE_CHECKING:
    from ..analysis import Analysis
    from .context import RuleContext

ID = "PC101"
NAME = "missing-grant"
DEFAULT_SEVERITY = Severity.ERROR


def check(analysis: Analysis, ctx: RuleContext) -> Iterator[Finding]:
    model = analysis.model
    groups: dict[tuple[str, tuple[str, ...], tuple[str, ...]], list[Affected]] = {}
    for f in analysis.failures:
        if f.status in (FILTERED, BLOCKED):
            continue  # granted-not-delivered (PC202); refused by the gateway itself (PC107, PC108)
        steps: list[str] = []
        to_grant: list[str] = []
        for permission, found in f.blocked:
            step = _step(found, analysis, f.environment, permission) if found else None
            if step:
                steps.append(step)
            else:
                to_grant.append(permission)  # nothing would deliver it, or only revoked grants: a new grant
        if to_grant:
            steps.insert(0, f"grant {listing(to_grant)} to {APP} in {f.environment}")
        key = (f.environment, f.missing, tuple(dict.fromkeys(steps) if len(steps) > 1 else steps))
        groups.setdefault(key, []).append((f.application, f.environment, f.operation))
    for (env, lacking, fixes), cells in groups.items():
        name, single = who(cells)
        ops = list(dict.fromkeys(c[2] for c in cells if c[2]))
        if single and len(ops) == 1:
            op = model.operations[ops[0]]
            what = f"{op.method} {op.path}"
        else:
            what = some(ops)
        subject = None if single else f"{env}:{','.join(lacking)}"
        yield ctx.finding(
            app_origin(model, cells),
            cells=cells,
            subject=subject,
            message=f"{name} cannot call {what} in {env}: missing {listing(lacking)}",
            fix="; ".join(fixes).replace(APP, name if single else "each of them"),
        )


def _step(found: tuple[Blocked, ...], analysis: Analysis, env: str, permission: str) -> str | None:
    """The one change that makes the nearest blocked grant deliver in `env`."""
    for b in found:
        if Block.NOT_ASSIGNED in b.reasons:
            return f"assign {APP} to {env} (add a client for {env}; PC103)"
    for b in sorted(found, key=lambda b: len(b.reasons)) if len(found) > 1 else found:
        assert b.grant is not None
        if b.reasons == (Block.PENDING,):
            return f"approve the pending grant of {b.grant.target} (PC102)"
        if b.reasons == (Block.REVOKED,) and b.grant.blocked_by:
            rule = "PC110" if b.grant.blocked_by == EXPIRED else "PC111"
            return f"unblock the grant of {b.grant.target} ({b.grant.blocked_by}; {rule})"
        if b.reasons == (Block.OTHER_ENVIRONMENT,):
            if b.grant.per_environment:
                return f"grant {b.grant.target} in {env} as well (in {env}'s own configuration; PC103)"
            return f"extend the grant of {b.grant.target} to {env} (PC103)"
        if b.reasons == (Block.SET_NOT_MAPPED,):
            return f"map permission set '{b.grant.permission_set}' to {env} (PC103)"
        if b.reasons == (Block.DEFINITION,):
            assert b.grant.permission_set is not None
            own = analysis.resolver.definition(b.grant.permission_set, env)
            if own is not None and own.name == permission and not own.permissions:
                _, fix = definition_gap(own, permission, [permission], env, ", ".join(b.environments))
                return f"{fix} (PC103)"
            defined = _definition(analysis, b, env)
            return f"add '{permission}' to {defined} in {env}, as {', '.join(b.environments)} has it (PC103)"
    return None


def _definition(analysis: Analysis, b: Blocked, env: str) -> str:
    assert b.grant is not None and b.grant.permission_set is not None
    found: PermissionSet | None = analysis.resolver.definition(b.grant.permission_set, env)
    return found.title if found is not None else f"permission set '{b.grant.permission_set}'"
