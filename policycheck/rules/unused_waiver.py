"""PC905 unused-waiver: a waiver matches no finding.

What it means: nothing that this run reported is covered by the waiver. Either
the problem was fixed (remove the waiver, so that it cannot hide a future
regression) or the waiver's patterns do not say what was meant.

Failing example: a waiver of PC101 for application `legacy-batch`, which has no
PC101 finding.

Passing example: every waiver covers at least one finding.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..findings import Finding, Severity

if TYPE_CHECKING:
    from ..analysis import Analysis
    from .context import RuleContext

ID = "PC905"
NAME = "unused-waiver"
DEFAULT_SEVERITY = Severity.WARNING
AFTER_WAIVERS = True


def check(analysis: Analysis, ctx: RuleContext) -> Iterator[Finding]:
    model = analysis.model
    used = ctx.used_waivers
    for w in model.waivers:
        if id(w) not in used and not (w.expires is not None and w.expires < ctx.today):
            yield ctx.finding(
                w.source,
                subject=f"{w.rule} {w.application} {w.environment} {w.operation}",
                message=f"the waiver of {w.rule} for {w.application} {w.environment} {w.operation} matches no finding",
                fix="remove the waiver if the problem is fixed, or correct its rule, application, "
                "environment or operation",
            )
