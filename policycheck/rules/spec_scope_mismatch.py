"""PC503 spec-scope-mismatch: a policy requirement whose scopes disagree with the OpenAPI document's.

What it means: the document's `security` for an operation (alternatives of scope sets:
any one alternative, every scope in it) is not what the policy requires, read over the
scopes that carry its permissions (`scopes:` of each permission, and the requirement's
own `scopes:`). One of the two is wrong: the gateway enforces one, reviewers read the
other. Only the base requirement is compared (not per-environment overrides).

Failing example: the document requires `orders:write and orders:admin` for
`DELETE /orders/{orderId}`; the policy requires only the permission carried by
`orders:write`.

Passing example: the policy was imported from the document and both changed together.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..analysis.openapi import describe, policy_scope_sets
from ..findings import Finding, Severity

if TYPE_CHECKING:
    from ..analysis import Analysis
    from .context import RuleContext

ID = "PC503"
NAME = "spec-scope-mismatch"
DEFAULT_SEVERITY = Severity.ERROR


def check(analysis: Analysis, ctx: RuleContext) -> Iterator[Finding]:
    for so, op in analysis.spec_check.matched:
        spec_sets = so.scope_sets()
        policy_sets = policy_scope_sets(analysis.model, op)
        if policy_sets is None:
            yield ctx.finding(
                so.source,
                op=op.id,
                message=f"the requirement of {op.id} has too many alternatives to compare with the document's scopes",
                fix="simplify the requirement, or ignore PC503 for it with a waiver",
            )
            continue
        if policy_sets == spec_sets:
            continue
        only_spec = sorted({s for a in spec_sets for s in a} - {s for a in policy_sets for s in a})
        hint = f" (the policy never mentions {', '.join(only_spec)})" if only_spec else ""
        yield ctx.finding(
            so.source,
            op=op.id,
            message=f"{so.method} {so.path} requires {describe(spec_sets)} in the document, but policy operation "
            f"{op.id} ({op.source.location()}) requires {describe(policy_sets)}{hint}",
            fix="make the policy's requirement match the document's security (or correct the document)",
        )
