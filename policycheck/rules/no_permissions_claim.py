"""PC109 no-permissions-claim: an API's tokens carry no `permissions` claim in this environment.

What it means (Auth0): a bound call needs permissions of an API (resource server)
whose RBAC settings put no `permissions` claim into its access tokens: `enforce_policies`
is not true, or `token_dialect` is `access_token` / `rfc9068_profile` rather than
`access_token_authz` / `rfc9068_profile_authz`. The client grant's scopes still arrive,
in `scope`; an API that authorizes by the `permissions` claim (a common middleware
setting) refuses the call. Warned, because an API that checks `scope` is not affected;
the message says when another environment's tokens do carry the claim (tokens differ
between environments: "works in test, 403 in prod").

Failing example: API `GL API` in prod has `enforce_policies: false`; in test
`enforce_policies: true, token_dialect: access_token_authz`.

Passing example: the same RBAC settings in every environment, with the claim.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..findings import Affected, Finding, Severity
from ..model import AllOf, AnyOf, Expression, PermissionRef, TokenShape
from .bound import some, who

if TYPE_CHECKING:
    from ..analysis import Analysis
    from .context import RuleContext

ID = "PC109"
NAME = "no-permissions-claim"
DEFAULT_SEVERITY = Severity.WARNING


def _names(expression: Expression | None) -> set[str]:
    if expression is None:
        return set()
    if isinstance(expression, PermissionRef):
        return {expression.name}
    assert isinstance(expression, (AllOf, AnyOf))
    return set().union(*(_names(i) for i in expression.items))


def check(analysis: Analysis, ctx: RuleContext) -> Iterator[Finding]:
    shapes = analysis.model.token_shapes
    if not shapes:
        return
    without: dict[str, list[TokenShape]] = {}
    with_claim: dict[str, list[str]] = {}
    for s in shapes:
        if s.claim:
            with_claim.setdefault(s.api, []).append(s.environment)
        else:
            without.setdefault(s.environment, []).append(s)
    found: dict[int, tuple[TokenShape, list[Affected]]] = {}
    operations = analysis.model.operations
    for (app, env), ops in analysis.pairs.items():
        env_shapes = without.get(env)
        if not env_shapes:
            continue
        for op in ops:
            needed = _names(operations[op].requirement_in(env).permissions)
            for shape in env_shapes:
                if needed & shape.permissions:
                    found.setdefault(id(shape), (shape, []))[1].append((app, env, op))
    for shape, cells in found.values():
        name, _ = who(cells)
        calls = [str(op) for op in dict.fromkeys(c[2] for c in cells)]
        others = sorted(e for e in with_claim.get(shape.api, ()) if e != shape.environment)
        verb = "fails" if len(calls) == 1 else "fail"
        differ = f"; in {', '.join(others)} they carry it, so tokens differ between environments" if others else ""
        yield ctx.finding(
            shape.source,
            cells=cells,
            subject=shape.api,
            message=f"tokens for API '{shape.api}' in {shape.environment} carry no permissions claim ({shape.why}): "
            f"the grants of {name} arrive only in scope, so {some(calls)} {verb} where the API checks "
            f"permissions{differ}",
            fix=f"enable RBAC and 'Add Permissions in the Access Token' for API '{shape.api}' in {shape.environment} "
            "(enforce_policies: true, token_dialect: access_token_authz), or have the API check the scope claim",
        )
