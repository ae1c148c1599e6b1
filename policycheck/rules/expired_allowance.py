"""PC105 expired-allowance: a declared parity difference is past its expiry date.

What it means: an entry of `allowed_differences` had an `expires` date that is now
in the past. It no longer suppresses the parity finding it covered (PC104), and
the owner should either remove the difference or renew the allowance with a new
reason and date.

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

ID = "PC105"
NAME = "expired-allowance"
DEFAULT_SEVERITY = Severity.WARNING


def check(analysis: Analysis, ctx: RuleContext) -> Iterator[Finding]:
    model = analysis.model
    for env in model.policy_environments.values():
        for a in env.allowances:
            if a.expires is not None and a.expires < ctx.today:
                who = a.application or "every application"
                yield ctx.finding(
                    a.source,
                    app=a.application,
                    env=env.name,
                    subject=a.permission,
                    message=f"the allowed difference for '{a.permission}' ({who}) in {env.name} "
                    f"expired on {a.expires.isoformat()} (owner: {a.owner})",
                    fix="remove the difference between the environments, or renew the allowance "
                    "with a new reason and expiry date",
                )
