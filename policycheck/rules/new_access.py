"""PC302 new-access: a new export lets an application call an operation it could not call before.

What it means: with `policycheck diff BEFORE AFTER`, a bound operation that was
refused with the old export is allowed with the new one. Often intended (a fix);
a security review wants to see each one. A note by default; `--fail-on-new-access`
makes it an error ("no new access").

Failing example (with --fail-on-new-access): the new export grants compliance-sync
`General Ledger - Journal Entry Post` in prod.

Passing example: the new export allows nothing that the old one refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..findings import Finding, Severity
from ..model import Model

if TYPE_CHECKING:
    from ..engine import RuleContext

ID = "PC302"
NAME = "new-access"
DEFAULT_SEVERITY = Severity.NOTE


def check(model: Model, ctx: RuleContext) -> Iterator[Finding]:
    if ctx.before is None:
        return
    from ..access import shared_changes

    for change in ctx.shared("changes", lambda: shared_changes(model, ctx)):
        app = model.applications[change.application]
        for op in change.gained:
            added = ", ".join(f"'{p}'" for p in change.added) or "a changed requirement"
            yield ctx.finding(
                app.source,
                app=change.application,
                env=change.environment,
                op=op,
                message=f"{change.application} can now call {op} in {change.environment} (new: {added})",
                fix="confirm that this access is intended; if not, remove what grants it",
            )
