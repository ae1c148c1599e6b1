"""PC403 unused-permission: a permission in the catalogue that no operation requires.

What it means: coverage. Grants of it cannot be judged needed or not (PC401 will
call them unneeded), and a typo in an operation's requirement may hide behind it.
Require it where it is needed, or drop it from the catalogue.

Failing example: `General Ledger - Archive` is catalogued and no requirement names it.

Passing example: every catalogued permission is required by some operation.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..findings import Finding, Severity
from ..resolve import names

if TYPE_CHECKING:
    from ..analysis import Analysis
    from .context import RuleContext

ID = "PC403"
NAME = "unused-permission"
DEFAULT_SEVERITY = Severity.NOTE


def check(analysis: Analysis, ctx: RuleContext) -> Iterator[Finding]:
    model = analysis.model
    required: set[str] = set()
    for op in model.operations.values():
        required |= names(op.requirement.permissions)
        for override in op.overrides.values():
            required |= names(override.requirement.permissions)
    for name, permission in sorted(model.permissions.items()):
        if name not in required:
            yield ctx.finding(
                permission.source,
                subject=name,
                message=f"permission '{name}' is in the catalogue but no operation requires it",
                fix="require it in the operations that need it, or remove it from the catalogue",
            )
