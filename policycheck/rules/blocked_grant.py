"""PC111 blocked-grant: the gateway holds the grant a bound operation needs, but blocks it.

What it means: the export has the grant, and something the gateway checks on every
call refuses it: an Apigee app, key, or the key's entry for the API product is
`revoked` (all three must be `approved`), or the app's developer is `inactive`; an
Azure API Management subscription is `suspended`, `rejected`, `cancelled` or
`expired`. Unlike a missing grant (PC101), nothing has to be requested: the blocked
one must be re-approved or reactivated, or replaced. An expired key alone is PC110.

Failing example: `reporting-app`'s key is `revoked` while its entry for `gl-read`
is `approved`, and `gl.journal-entries.list` needs `gl-read` in prod.

Passing example: app, key and entry all `approved` (Apigee); the subscription `active` (APIM).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..findings import Finding, Severity
from ..model import EXPIRED, Grant
from ..resolve import Block
from .bound import stopping

if TYPE_CHECKING:
    from ..analysis import Analysis
    from .context import RuleContext

ID = "PC111"
NAME = "blocked-grant"
DEFAULT_SEVERITY = Severity.ERROR


def check(analysis: Analysis, ctx: RuleContext) -> Iterator[Finding]:
    """One finding per blocked grant (in one environment), with every call it breaks."""
    for s in stopping(analysis, lambda b: Block.REVOKED in b.reasons and bool(_causes(b.grant))):
        grant, name, env, causes = s.grant, s.name, s.environment, ", ".join(_causes(s.grant))
        yield ctx.finding(
            grant.source,
            cells=s.cells,
            op=s.op,
            subject=grant.target,
            message=f"the grant of {grant.target} to {name} is blocked by the gateway ({causes}): {s.needs()}",
            fix=f"re-approve or reactivate what blocks {grant.target} for {name} in {env} "
            f"({causes}), or give it a new, approved one",
        )


def _causes(grant: Grant | None) -> list[str]:
    """What blocks the grant, but its expiry (PC110's)."""
    return [c for c in ((grant.blocked_by if grant else None) or "").split("; ") if c and c != EXPIRED]
