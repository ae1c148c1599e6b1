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

from ..findings import Affected, Finding, Severity
from ..model import EXPIRED, Grant
from ..resolve import Block
from .bound import listing, some, who

if TYPE_CHECKING:
    from ..analysis import Analysis
    from .context import RuleContext

ID = "PC111"
NAME = "blocked-grant"
DEFAULT_SEVERITY = Severity.ERROR


def check(analysis: Analysis, ctx: RuleContext) -> Iterator[Finding]:
    """One finding per blocked grant (in one environment), with every call it breaks."""
    needed: dict[tuple[str, int], tuple[Grant, dict[str, None], dict[Affected, None]]] = {}
    for f in analysis.failures:
        for permission, found in f.blocked:
            for b in found:
                g = b.grant
                if g is None or Block.REVOKED not in b.reasons or Block.OTHER_ENVIRONMENT in b.reasons:
                    continue
                causes = [c for c in (g.blocked_by or "").split("; ") if c and c != EXPIRED]
                if not causes:
                    continue
                _, perms, hit = needed.setdefault((f.environment, id(g)), (g, {}, {}))
                perms[permission] = None
                hit[(f.application, f.environment, f.operation)] = None
    for (env, _), (grant, perms, found_cells) in needed.items():
        cells = list(found_cells)
        name, single = who(cells)
        ops = list(dict.fromkeys(c[2] for c in cells if c[2]))
        causes = [c for c in (grant.blocked_by or "").split("; ") if c and c != EXPIRED]
        yield ctx.finding(
            grant.source,
            cells=cells,
            op=ops[0] if len(ops) == 1 else None,
            subject=grant.target,
            message=f"the grant of {grant.target} to {name} is blocked by the gateway ({', '.join(causes)}): "
            f"{some(ops) if not single else listing(ops)} need{'s' if len(ops) == 1 else ''} "
            f"{listing(list(perms))} in {env}",
            fix=f"re-approve or reactivate what blocks {grant.target} for {name} in {env} "
            f"({', '.join(causes)}), or give it a new, approved one",
        )
