"""PC203 coarse-scope-request: the application's scope request cannot yield what its operations need.

What it means: an operation requires token scopes (`requires.scopes`) in an
environment, and the scopes the application requests there (the export's
`scopes`) do not include them. The token will come back without them, and the
call is refused (a 403 on most gateways). When a requested scope is a prefix of
the needed one, the request is too coarse: the story's
`scope=CloudSuite.FinancialManagement` where `...FinancialManagement.JournalEntry.Write`
is needed.

Failing example: requested `CloudSuite.FinancialManagement`, needed
`CloudSuite.FinancialManagement.JournalEntry.Write`.

Passing example: the request names every scope the bound operations need.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..findings import Finding, Severity

if TYPE_CHECKING:
    from ..analysis import Analysis
    from .context import RuleContext

ID = "PC203"
NAME = "coarse-scope-request"
DEFAULT_SEVERITY = Severity.ERROR


def check(analysis: Analysis, ctx: RuleContext) -> Iterator[Finding]:
    """One finding per application and environment (its one scope request), from the analysis."""
    model = analysis.model
    needed: dict[tuple[str, str], dict[str, list[str]]] = {}
    for app_id, env, op, absent in analysis.scope_gaps:
        for scope in absent:
            needed.setdefault((app_id, env), {}).setdefault(scope, []).append(op)
    for (app_id, env), scopes in sorted(needed.items()):
        app = model.applications[app_id]
        requested = app.requested_scopes(env) or ()
        coarse = sorted(r for r in requested for s in scopes if s.startswith(r + "."))
        ops = sorted({o for found in scopes.values() for o in found})
        want = " ".join(sorted(set(requested) | set(scopes)))
        verdict = f"too coarse ({coarse[0]} does not include its sub-scopes)" if coarse else "missing scopes"
        yield ctx.finding(
            app.source_in(env),
            app=app_id,
            env=env,
            op=ops[0] if len(ops) == 1 else None,
            subject=" ".join(sorted(scopes)),
            message=f"{app_id} requests scope={' '.join(requested)} in {env}, but "
            f"{', '.join(ops)} need{'s' if len(ops) == 1 else ''} {' '.join(sorted(scopes))}: the request is {verdict}",
            fix=f"request scope={want} in {env} (the client's token request and its allowed scopes)",
        )
