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

from ..findings import FILTERED, Affected, Finding, Severity
from ..resolve import Filter, names
from .bound import APP, app_origin, listing, some, who

if TYPE_CHECKING:
    from ..analysis import Analysis
    from .context import RuleContext

ID = "PC202"
NAME = "granted-not-delivered"
DEFAULT_SEVERITY = Severity.ERROR
_THEIR = "\x00their\x00"
"""Stands for the application's possessive (app's, or their for a group) until the group is known."""


def check(analysis: Analysis, ctx: RuleContext) -> Iterator[Finding]:
    """One finding per reason a grant does not reach the token, with every call it breaks."""
    model = analysis.model
    groups: dict[tuple[str, str, str], list[Affected]] = {}
    for f in analysis.failures:
        if f.status != FILTERED:
            continue
        app = model.applications[f.application]
        env = f.environment
        _, filtered = analysis.resolver.deliverable(app.id, env)
        lost = sorted(filtered.keys() & names(model.operations[f.operation].requirement_in(env).permissions))
        by_scope = [p for p in lost if filtered[p] is Filter.SCOPE_REQUEST]
        by_delivery = [p for p in lost if filtered[p] is Filter.DELIVERY]
        reasons, fixes = [], []
        if by_scope:
            scopes = sorted({s for p in by_scope for s in model.permissions[p].scopes})
            requested = " ".join(app.requested_scopes(env) or ())
            reasons.append(
                f"{listing(by_scope)} travel{'s' if len(by_scope) == 1 else ''} only in scope {' or '.join(scopes)}, "
                f"which {APP} does not request in {env} (scope={requested})"
            )
            fixes.append(f"add {scopes[0]} to the scope request of {APP} in {env}")
        if by_delivery:
            reasons.append(
                f"the gateway does not let {listing(by_delivery)} into {_THEIR} tokens in {env} (delivery allow-list)"
            )
            fixes.append(f"add {listing(by_delivery)} to the delivery allow-list (scope mappings) of {APP} in {env}")
        key = (env, "; ".join(reasons), "; ".join(fixes))
        groups.setdefault(key, []).append((f.application, env, f.operation))
    for (env, why, how), cells in groups.items():
        name, single = who(cells)
        ops = list(dict.fromkeys(c[2] for c in cells if c[2]))
        them = name if single else "each of them"
        why = why.replace(_THEIR, f"{name}'s" if single else "their")
        yield ctx.finding(
            app_origin(model, cells),
            cells=cells,
            message=f"{name} {'is' if single else 'are'} granted what {some(ops)} "
            f"need{'s' if len(ops) == 1 else ''} in {env}, but it never reaches the token: " + why.replace(APP, them),
            fix=how.replace(APP, them) + ", then request a new token",
        )
