"""PC114 product-not-covering: no API product the application holds covers the bound operation.

What it means (Apigee): a key's API products say which calls it may make: their
operation groups (`operationGroup.operationConfigs[].operations[]`: a resource path and
its methods) or their `apiResources` (resource paths, any method), and their `scopes`.
The application holds an approved product (so the policy's permission is there), but
none of its held products covers the operation's method and path (or offers a scope it
requires), so Apigee's VerifyAPIKey / OAuth policy refuses the call (401). A product
with neither operation groups nor `apiResources` covers every call, as in Apigee.
See docs/importers.md for exactly how resource paths are matched.

Failing example: `gl-integration` holds `gl-read` approved, whose operation group covers
`GET /journalEntries`, and is bound to `GET /gl/v1/journalEntries/{journalEntryId}`.

Passing example: `/journalEntries/*` (with `GET`) added to `gl-read`'s operations, or
a product that covers it added to the app's key.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..findings import BLOCKED, Affected, Finding, Severity
from .bound import some, who

if TYPE_CHECKING:
    from ..analysis import Analysis
    from .context import RuleContext

ID = "PC114"
NAME = "product-not-covering"
DEFAULT_SEVERITY = Severity.ERROR


def check(analysis: Analysis, ctx: RuleContext) -> Iterator[Finding]:
    model = analysis.model
    gates = model.gates
    found: dict[tuple[str, str, tuple[str, ...]], list[Affected]] = {}
    pair: tuple[str, str] | None = None
    held: frozenset[str] = frozenset()
    for app_id, env, op, gate in analysis.gated_calls:
        if gate.covered_by is None:
            continue
        if pair != (app_id, env):
            pair, held = (app_id, env), analysis.effective(app_id, env)
        if not gate.covered_by.isdisjoint(held):
            continue
        failure = analysis.failure(app_id, env, op)
        if failure is None or failure.status != BLOCKED:
            continue  # what the call needs is not held (PC101, PC102 ...): that comes first
        products = tuple(p.name for p in gate.products if p.name in held and p.name not in gate.covered_by)
        if products:  # holding no product at all is a missing grant (PC101)
            found.setdefault((op, env, products), []).append((app_id, env, op))
    for (op, env, products), cells in found.items():
        gate = gates[op, env]
        operation = model.operations[op]
        name, single = who(cells)
        said = {p.name: p for p in gate.products}
        covers = "; ".join(f"'{p}' covers {said[p].describe()}" for p in products)
        others = sorted(gate.covered_by or ())
        fix = f"{said[products[0]].fix(operation, env)} in {env}"
        if others:
            fix += f", or give {name} a key with {some([repr(p) for p in others])}, which covers it"
        yield ctx.finding(
            said[products[0]].source,
            cells=cells,
            subject=products[0],
            message=f"no API product {name} {'holds' if single else 'hold'} covers {operation.method} "
            f"{operation.path} in {env}: {covers}; Apigee refuses {some([str(c[2]) for c in cells])}",
            fix=fix,
        )
