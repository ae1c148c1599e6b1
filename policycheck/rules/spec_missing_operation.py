"""PC501 spec-missing-operation: a policy operation that the OpenAPI document does not have.

What it means: the API changed under the policy. A path was renamed or removed in the
document (`openapi:` in the configuration), and the policy still requires permissions
for the old one: the new path is unchecked and the old requirement guards nothing.
When the document has an operation with the same operationId, or the same method and
a close path, the finding points at that spec line as the likely rename.

Failing example: the policy has `GET /orders/{orderId}` and the document now says
`GET /orders/{id}/details`.

Passing example: every policy operation (of the document's `api`) is in the document.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..findings import Finding, Severity

if TYPE_CHECKING:
    from ..analysis import Analysis
    from .context import RuleContext

ID = "PC501"
NAME = "spec-missing-operation"
DEFAULT_SEVERITY = Severity.ERROR


def check(analysis: Analysis, ctx: RuleContext) -> Iterator[Finding]:
    for missing in analysis.spec_check.missing:
        op = missing.operation
        files = ", ".join(s.path for s in missing.specs)
        if missing.renamed is not None:
            new = missing.renamed
            yield ctx.finding(
                new.source,
                op=op.id,
                message=f"policy operation {op.id} ({op.method} {op.path}, {op.source.location()}) is not in "
                f"{files}; the document has {new.method} {new.path} here"
                + (f" (operationId {new.operation_id})" if new.operation_id else "")
                + ", likely its new path",
                fix=f"change the request of {op.id} to {new.method} {new.path} in the policy, "
                "or restore the old path in the document",
            )
        else:
            yield ctx.finding(
                op.source,
                op=op.id,
                message=f"policy operation {op.id} ({op.method} {op.path}) is not in {files}",
                fix="remove the operation from the policy if the API no longer has it, or correct its request",
            )
