"""PC502 uncovered-spec-operation: an operation of the OpenAPI document that no policy covers.

What it means: coverage. The API has an operation (a new path, a new method) that no
policy operation describes, so nothing checks who can call it. Public operations
(`security: []`) are reported too: the policy should say so (`requires: {}`).

Failing example: the document adds `POST /orders/{orderId}/refunds` and the policy has
no operation with that request.

Passing example: every operation of the document is in the policy
(`policycheck import openapi SPEC` writes them all).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..findings import Finding, Severity

if TYPE_CHECKING:
    from ..analysis import Analysis
    from .context import RuleContext

ID = "PC502"
NAME = "uncovered-spec-operation"
DEFAULT_SEVERITY = Severity.WARNING


def check(analysis: Analysis, ctx: RuleContext) -> Iterator[Finding]:
    for spec, so in analysis.spec_check.uncovered:
        where = f" with api: {spec.api}" if spec.api else ""
        yield ctx.finding(
            so.source,
            subject=so.id,
            message=f"{so.method} {so.path} ({so.id}) is in {spec.path} but in no policy operation{where}",
            fix=f"add it to the policy (`policycheck import openapi {spec.path}` prints it with its requirement)",
        )
