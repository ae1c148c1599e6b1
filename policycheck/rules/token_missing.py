"""PC201 token-missing: a token lacks scopes or claims that its application's bound operations need.

What it means: the token (decoded, and verified unless --no-verify) belongs to an
application and an environment (from its issuer and client claims, or --app and
--env). For each operation the application is bound to there, the token must
carry the operation's required scopes and claims, and a claim of each required
permission (the catalogue's `claims`). The finding names each missing value and
the operations it blocks: the call will be refused (403 insufficient_scope).

Failing example: the prod token carries `gl:journal:read`, and
`gl.journal-entries.create` needs `General Ledger - Journal Entry Create`,
which shows up as `gl:journal:write`.

Passing example: the token carries `gl:journal:write`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..findings import Finding, Severity
from ..model import AllOf, AnyOf, Expression, Model, PermissionRef, Token
from ..tokens.profiles import is_opaque

if TYPE_CHECKING:
    from ..analysis import Analysis
    from .context import RuleContext

ID = "PC201"
NAME = "token-missing"
DEFAULT_SEVERITY = Severity.ERROR


def token_lacks(model: Model, expression: Expression | None, values: frozenset[str]) -> list[tuple[str, str]]:
    """(claim value, permission) pairs a token lacks for `expression`; any_of: the smallest alternative."""
    if expression is None:
        return []
    if isinstance(expression, PermissionRef):
        permission = model.permissions.get(expression.name)
        if permission is None or not permission.claims or set(permission.claims) & values:
            return []  # a permission without declared claims cannot be seen in a token
        return [(permission.claims[0], expression.name)]
    parts = [token_lacks(model, item, values) for item in expression.items]
    if isinstance(expression, AnyOf):
        return min(parts, key=len) if all(parts) else []
    assert isinstance(expression, AllOf)
    return [pair for part in parts for pair in part]


def needs(model: Model, token: Token) -> dict[str, tuple[str | None, list[str]]]:
    """Missing value -> (the permission it stands for, the operations it blocks)."""
    out: dict[str, tuple[str | None, list[str]]] = {}
    for binding in model.bindings:
        if binding.application != token.application or token.environment not in binding.environments:
            continue
        for op_id in binding.operations:
            op = model.operations.get(op_id)
            if op is None:
                continue
            req = op.requirement_in(token.environment)
            if is_opaque(token):  # only its scopes are known; its permissions are looked up by the gateway
                lacking: list[tuple[str, str | None]] = [(v, None) for v in req.scopes if v not in token.values]
            else:
                lacking = [(v, None) for v in (*req.scopes, *req.claims) if v not in token.values]
                lacking += token_lacks(model, req.permissions, token.values)
            for value, permission in lacking:
                entry = out.setdefault(value, (permission, []))
                if op.id not in entry[1]:
                    entry[1].append(op.id)
    return out


def check(analysis: Analysis, ctx: RuleContext) -> Iterator[Finding]:
    model = analysis.model
    for token in model.tokens:
        if token.problem or token.application is None or token.environment is None:
            continue
        for value, (permission, ops) in sorted(needs(model, token).items()):
            what = f"'{value}'" + (f" ({permission})" if permission else "")
            yield ctx.finding(
                token.source,
                app=token.application,
                env=token.environment,
                op=ops[0] if len(ops) == 1 else None,
                subject=value,
                message=f"token {token.fingerprint} lacks {what}, which {', '.join(ops)} "
                f"need{'s' if len(ops) == 1 else ''} in {token.environment}: the call is refused "
                "(403 insufficient_scope)",
                fix=(
                    f"make the grant of '{permission}' reach {token.application} in {token.environment} "
                    "(see `policycheck check`), then request a new token"
                    if permission
                    else f"request '{value}' in the token request of {token.application} in {token.environment} "
                    "(scope=...), then request a new token"
                ),
            )
