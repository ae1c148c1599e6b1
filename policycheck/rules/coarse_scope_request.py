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
from ..model import Model

if TYPE_CHECKING:
    from ..engine import RuleContext

ID = "PC203"
NAME = "coarse-scope-request"
DEFAULT_SEVERITY = Severity.ERROR


def check(model: Model, ctx: RuleContext) -> Iterator[Finding]:
    needed: dict[tuple[str, str], dict[str, list[str]]] = {}
    for binding in model.bindings:
        app = model.applications.get(binding.application)
        if app is None:
            continue
        for env in binding.environments:
            requested = app.requested_scopes(env)
            if requested is None or not app.assigned_to(env):
                continue
            for op_id in binding.operations:
                op = model.operations.get(op_id)
                if op is None:
                    continue
                for scope in op.requirement_in(env).scopes:
                    if scope not in requested:
                        needed.setdefault((app.id, env), {}).setdefault(scope, []).append(op.id)
    for (app_id, env), scopes in sorted(needed.items()):
        app = model.applications[app_id]
        requested = app.requested_scopes(env) or ()
        coarse = sorted(r for r in requested for s in scopes if s.startswith(r + "."))
        ops = sorted({o for found in scopes.values() for o in found})
        want = " ".join(sorted(set(requested) | set(scopes)))
        verdict = f"too coarse ({coarse[0]} does not include its sub-scopes)" if coarse else "missing scopes"
        yield ctx.finding(
            app.source,
            app=app_id,
            env=env,
            op=ops[0] if len(ops) == 1 else None,
            subject=" ".join(sorted(scopes)),
            message=f"{app_id} requests scope={' '.join(requested)} in {env}, but "
            f"{', '.join(ops)} need{'s' if len(ops) == 1 else ''} {' '.join(sorted(scopes))}: the request is {verdict}",
            fix=f"request scope={want} in {env} (the client's token request and its allowed scopes)",
        )
