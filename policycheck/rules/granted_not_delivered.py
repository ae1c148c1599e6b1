"""PC202 granted-not-delivered: the grant is there and approved, but never reaches the token.

What it means: a bound operation's requirement is met by the application's
effective permissions, but not by its deliverable permissions: what the gateway
lets into this client's tokens (its `delivery` allow-list, e.g. Keycloak scope
mappings without full scope) and what the client's scope request carries (a
permission whose catalogue entry lists `scopes` travels only in one of them).
The call fails although every grant is in order. This needs no token: it is read
from the export.

Failing example: `Journal Entry Create` lists `scopes: [GL.Write]`, and the
application requests `scope=GL.Read` only.

Passing example: the application requests `GL.Write` too (and the allow-list,
if there is one, names the permission).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..findings import Finding, Severity
from ..model import Model
from ..resolve import Filter, names, satisfied
from .bound import listing

if TYPE_CHECKING:
    from ..engine import RuleContext

ID = "PC202"
NAME = "granted-not-delivered"
DEFAULT_SEVERITY = Severity.ERROR


def check(model: Model, ctx: RuleContext) -> Iterator[Finding]:
    for binding in model.bindings:
        app = model.applications.get(binding.application)
        if app is None:
            continue
        for env in binding.environments:
            effective = ctx.resolver.effective(app.id, env).permissions
            deliverable, filtered = ctx.resolver.deliverable(app.id, env)
            if not filtered:
                continue
            for op_id in binding.operations:
                op = model.operations.get(op_id)
                if op is None:
                    continue
                need = op.requirement_in(env).permissions
                if not satisfied(need, effective) or satisfied(need, deliverable):
                    continue
                lost = sorted(filtered.keys() & names(need))
                by_scope = [p for p in lost if filtered[p] is Filter.SCOPE_REQUEST]
                by_delivery = [p for p in lost if filtered[p] is Filter.DELIVERY]
                reasons, fixes = [], []
                if by_scope:
                    scopes = sorted({s for p in by_scope for s in model.permissions[p].scopes})
                    requested = " ".join(app.requested_scopes(env) or ())
                    reasons.append(
                        f"{listing(by_scope)} travel only in scope {' or '.join(scopes)}, "
                        f"which {app.id} does not request in {env} (scope={requested})"
                    )
                    fixes.append(f"add {scopes[0]} to the scope request of {app.id} in {env}")
                if by_delivery:
                    reasons.append(
                        f"the gateway does not let {listing(by_delivery)} into {app.id}'s tokens in {env} "
                        "(delivery allow-list)"
                    )
                    fixes.append(
                        f"add {listing(by_delivery)} to the delivery allow-list (scope mappings) of {app.id} in {env}"
                    )
                yield ctx.finding(
                    app.source,
                    app=app.id,
                    env=env,
                    op=op.id,
                    message=f"{app.id} is granted what {op.id} needs in {env}, but it never reaches the token: "
                    + "; ".join(reasons),
                    fix="; ".join(fixes) + ", then request a new token",
                )
