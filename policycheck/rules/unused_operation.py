"""PC402 unused-operation: an operation in the policies that no binding uses.

What it means: coverage. Nobody is required to be able to call it, so nothing
checks that anybody can; and if nobody should, it may be dead policy. Bind it, or
remove it.

Failing example: `gl.accounts.delete` is defined and no binding lists it.

Passing example: every operation is in some binding (its operations, or its must_not_call).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..findings import Finding, Severity

if TYPE_CHECKING:
    from ..analysis import Analysis
    from .context import RuleContext

ID = "PC402"
NAME = "unused-operation"
DEFAULT_SEVERITY = Severity.NOTE


def check(analysis: Analysis, ctx: RuleContext) -> Iterator[Finding]:
    model = analysis.model
    used = {op for b in model.bindings for op in (*b.operations, *b.must_not_call)}
    for op_id, op in sorted(model.operations.items()):
        if op_id not in used:
            yield ctx.finding(
                op.source,
                op=op_id,
                message=f"operation {op_id} ({op.method} {op.path}) is in no binding",
                fix="bind it to the applications that must call it, or remove it from the policy",
            )
