"""PC904 expired-waiver: a waiver is past its expiry date.

What it means: a waiver in a configured waiver file had an `expires` date that is
now in the past. It no longer waives anything: the findings it covered are
reported again. Renew it (with a new reason and date, reviewed like any change
to the waiver file) or fix what it covered and remove it.

Failing example: `expires: 2026-01-31` read on 2026-02-01.

Passing example: no `expires`, or a date today or later.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..findings import Finding, Severity

if TYPE_CHECKING:
    from ..analysis import Analysis
    from .context import RuleContext

ID = "PC904"
NAME = "expired-waiver"
DEFAULT_SEVERITY = Severity.WARNING
AFTER_WAIVERS = True


def check(analysis: Analysis, ctx: RuleContext) -> Iterator[Finding]:
    model = analysis.model
    for w in model.waivers:
        if w.expires is not None and w.expires < ctx.today:
            yield ctx.finding(
                w.source,
                subject=f"{w.rule} {w.application} {w.environment} {w.operation}",
                message=f"the waiver of {w.rule} for {w.application} {w.environment} {w.operation} "
                f"expired on {w.expires.isoformat()} (owner: {w.owner})",
                fix="fix what it waived and remove the waiver, or renew it with a new reason and expiry date",
            )
