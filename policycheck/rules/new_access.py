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

from ..findings import Affected, Finding, Severity
from .bound import some, who

if TYPE_CHECKING:
    from ..analysis import Analysis
    from .context import RuleContext

ID = "PC302"
NAME = "new-access"
DEFAULT_SEVERITY = Severity.NOTE


def check(analysis: Analysis, ctx: RuleContext) -> Iterator[Finding]:
    """One finding per set of new permissions in an environment, with every call it opens."""
    model = analysis.model
    changes = analysis.changes()
    if changes is None:
        return
    groups: dict[tuple[str, str], list[Affected]] = {}
    for change in changes:
        added = ", ".join(f"'{p}'" for p in change.added)
        for op in change.gained:
            why = added or _opened(analysis, change.environment, op)
            groups.setdefault((change.environment, why), []).append((change.application, change.environment, op))
    for (env, added), cells in groups.items():
        name, _ = who(cells)
        ops = list(dict.fromkeys(c[2] for c in cells if c[2]))
        yield ctx.finding(
            model.applications[cells[0][0]].source_in(env),
            cells=cells,
            message=f"{name} can now call {some(ops)} in {env} (new: {added})",
            fix="confirm that this access is intended; if not, remove what grants it",
        )


def _opened(analysis: Analysis, env: str, op: str) -> str:
    """What opened a call when no effective permission was added: its requirement, or what reaches the token."""
    assert analysis.before is not None
    before = analysis.before.model.operations.get(op)
    after = analysis.model.operations.get(op)
    if before is not None and after is not None and before.requirement_in(env) != after.requirement_in(env):
        return "a changed requirement"
    return "what it needs now reaches the token: a delivery allow-list or scope request"
