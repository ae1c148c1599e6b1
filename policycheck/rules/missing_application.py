"""PC404 missing-application: an application bound in the policies is not in the export.

What it means: coverage. The binding says the application must be able to call
operations, and the gateway export has no such application: it was removed,
renamed, or its client is named differently per environment (map it with
`applications:` in the configuration). Nothing about it can be checked.

Failing example: a binding for `compliance-sync` and an export whose application is
`compliance_sync`.

Passing example: every bound application is in the export.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..findings import Finding, Severity

if TYPE_CHECKING:
    from ..analysis import Analysis
    from .context import RuleContext

ID = "PC404"
NAME = "missing-application"
DEFAULT_SEVERITY = Severity.ERROR


def check(analysis: Analysis, ctx: RuleContext) -> Iterator[Finding]:
    model = analysis.model
    if not model.has_export:
        return
    seen: set[str] = set()
    for binding in model.bindings:
        app = binding.application
        if app in model.applications or app in seen:
            continue
        seen.add(app)
        import difflib

        close = difflib.get_close_matches(app, list(model.applications), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        yield ctx.finding(
            binding.source,
            app=app,
            subject=app,
            message=f"{app} is bound in the policies but is not in the export{hint}",
            fix=f"correct the binding's application, or map the export's client to {app} with "
            "`applications:` in the configuration",
        )
